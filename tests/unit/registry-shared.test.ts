import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { RedisDirectory } from '../../src/server/directory/redis.js';
import { createMetrics } from '../../src/server/metrics.js';
import { SessionRegistry } from '../../src/server/sessions/registry.js';
import { waitFor } from '../helpers/docker.js';
import { FakeProvider, FakeSource, FakeSocket, fakeLab } from '../helpers/fakes.js';
import { TestRedis } from '../helpers/redis.js';

/**
 * Two registries (two replicas) over one real redis-server, with fake environments: a session made
 * on A is served by B from its record, ends once through either, and is adopted when A is gone.
 */

const logger = pino({ level: 'silent' });
let redis: TestRedis;
const directories: RedisDirectory[] = [];

before(async () => {
  redis = await TestRedis.start();
});
after(async () => {
  await Promise.all(directories.map((d) => d.close()));
  await redis?.stop();
});

let n = 0;
async function replica(env: Record<string, string> = {}) {
  const directory = new RedisDirectory({ url: redis.url, replicaId: `replica-${++n}`, logger });
  directories.push(directory);
  await directory.connect(5_000);
  const config = loadConfig({ SSH_LAB_MAX_SESSIONS: '3', SSH_LAB_MAX_SESSIONS_PER_CLIENT: '3', SSH_LAB_REPLICA_TTL_SECONDS: '3', ...env });
  const source = new FakeSource();
  const provider = new FakeProvider();
  const registry = new SessionRegistry(config, source, logger, createMetrics(), {
    directory,
    attach: (record) => provider.attach(record),
    labs: () => fakeLab(),
  });
  await registry.heartbeat(0);
  return { registry, source, provider, directory };
}

describe('registries sharing a Redis directory', () => {
  test('B serves and ends a session A created; A lets go of it; the environment is disposed once', async () => {
    await (await replica()).directory.client.flushall();
    const a = await replica();
    const b = await replica();
    const { session, token } = await a.registry.create(fakeLab(), 'alice');
    const socket = new FakeSocket();
    await session.terminal.attach(socket);

    const onB = await b.registry.authorise(session.id, token);
    assert.equal(onB.id, session.id);
    assert.equal(b.provider.attached.length, 1, 'B attached to the environment from its record');
    await assert.rejects(b.registry.authorise(session.id, 'not-the-token'), { code: 'TOKEN_WRONG' });
    const { ticket } = await a.registry.issueTicket(session.id);
    assert.ok(await b.registry.redeemTicket(session.id, ticket), "a ticket from A opens B's socket");
    assert.equal(await a.registry.redeemTicket(session.id, ticket), undefined, 'once');

    await b.registry.end(session.id, 'ended by learner');
    await a.registry.end(session.id, 'ended by learner');
    assert.equal(b.provider.attached[0]?.disposals, 1, 'B disposed it (through its own handle)');
    assert.equal(a.source.acquired[0]?.disposals, 0, 'A did not dispose it a second time');
    await waitFor(() => a.registry.get(session.id) === undefined, 5_000, 'A to hear that the session ended');
    const exit = socket.controls.at(-1);
    assert.ok(exit?.type === 'exit' && exit.reason === 'session-ended', "A's terminal heard the end");
    await assert.rejects(a.registry.authorise(session.id, token), { code: 'SESSION_UNKNOWN' });
  });

  test('the caps count both replicas; sessions of a replica that is gone are adopted, and ended once expired', async () => {
    await (await replica()).directory.client.flushall();
    const a = await replica({ SSH_LAB_SESSION_LIFETIME_SECONDS: '10' });
    const b = await replica({ SSH_LAB_SESSION_LIFETIME_SECONDS: '10' });
    await a.registry.create(fakeLab(), 'alice');
    await b.registry.create(fakeLab(), 'bob');
    const { session } = await a.registry.create(fakeLab(), 'carol');
    await assert.rejects(b.registry.create(fakeLab(), 'dave'), { code: 'CAPACITY_FULL' });
    await b.registry.heartbeat(0);
    assert.equal(b.registry.size, 3);

    await a.directory.leave();
    await b.registry.sweepOnce();
    assert.equal((await b.directory.get(session.id))?.owner, b.directory.replicaId, 'B adopted the session of the replica that left');
    const record = (await b.directory.get(session.id))!;
    // Expired: its new owner ends it (and disposes it through a handle of its own).
    await b.directory.client.hset(
      `ssh-lab:session:${session.id}`,
      'record',
      JSON.stringify({ ...record, owner: undefined, lastActivity: undefined, expiresAt: Date.now() - 1 }),
    );
    await b.registry.sweepOnce();
    assert.equal(await b.directory.get(session.id), undefined);
    assert.equal(b.provider.attached.at(-1)?.disposals, 1);
  });

  test('Redis away: a new session is 503 SESSION_STORE_DOWN with a sentence; back, sessions start again', { timeout: 30_000 }, async () => {
    const a = await replica();
    await redis.stop();
    try {
      await assert.rejects(a.registry.create(fakeLab(), 'erin'), (error: { code: string; statusCode: number; message: string }) => {
        assert.equal(error.code, 'SESSION_STORE_DOWN');
        assert.equal(error.statusCode, 503);
        assert.match(error.message, /session store \(Redis\) does not answer/);
        return true;
      });
      assert.equal(a.registry.provisioning, 0, 'nothing left half-started');
    } finally {
      await redis.start();
    }
    await waitFor(
      () =>
        a.registry.create(fakeLab(), 'erin').then(
          () => true,
          () => false,
        ),
      20_000,
      'a session once Redis is back',
    );
  });
});
