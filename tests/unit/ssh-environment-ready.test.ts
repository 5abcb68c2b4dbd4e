import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import type { Client } from 'ssh2';
import { SshEnvironment } from '../../src/server/environments/ssh-environment.js';
import type { EnvironmentRecord } from '../../src/server/environments/types.js';
import { fakeHost } from '../helpers/fakes.js';

class FakeClient extends EventEmitter {
  end(): void {}
  destroy(): void {}
}

/** An environment whose workstation's first `failures` connection attempts fail; what it logged. */
function environment(failures: number, withWorkstation = true) {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
        done();
      },
    }),
  );
  let attempts = 0;
  class TestEnvironment extends SshEnvironment {
    constructor() {
      super({
        sessionId: 's1',
        adminPrivateKey: 'admin-key',
        logger,
        connect: async () => {
          attempts++;
          if (attempts <= failures) throw new Error('Timed out while waiting for handshake');
          return new FakeClient() as unknown as Client;
        },
      });
      if (withWorkstation) this.ssh.add({ info: fakeHost('workstation'), hostKey: Buffer.from('pinned-key') });
    }
    describe(): EnvironmentRecord {
      throw new Error('not used');
    }
    protected async teardown(): Promise<void> {}
  }
  return { env: new TestEnvironment(), lines, attempts: () => attempts };
}

test("ready(): a first connection that fails is made once more, with one warning, and the shell's connection is then open", async () => {
  const { env, lines, attempts } = environment(1);
  await env.ready();
  assert.equal(attempts(), 2);
  assert.deepEqual(
    lines.filter((l) => l.level === 40).map((l) => l.msg),
    ['the first connection to the workstation failed; trying once more'],
  );
  await env.connection('workstation', 'learner');
  assert.equal(attempts(), 2, 'the second attempt is the connection kept');
});

test('ready(): two failures in a row reject with the second error; a first success needs no retry', async () => {
  const failing = environment(2);
  await assert.rejects(failing.env.ready(), /Timed out while waiting for handshake/);
  assert.equal(failing.attempts(), 2, 'only once more, not in a loop');

  const healthy = environment(0);
  await healthy.env.ready();
  assert.equal(healthy.attempts(), 1);
  assert.equal(healthy.lines.filter((l) => l.level === 40).length, 0);
});

test('ready(): an environment without a workstation has nothing to open', async () => {
  const { env, attempts } = environment(5, false);
  await env.ready();
  assert.equal(attempts(), 0);
});
