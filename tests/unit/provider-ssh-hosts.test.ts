import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Client } from 'ssh2';
import type { ConnectOptions } from '../../src/server/environments/ssh.js';
import { SshHosts } from '../../src/server/environments/ssh-hosts.js';
import { fakeHost } from '../helpers/fakes.js';

/** An SSH connection that the test drops. */
class FakeClient extends EventEmitter {
  ended = false;
  destroyed = false;
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function hosts() {
  const connects: ConnectOptions[] = [];
  const clients: FakeClient[] = [];
  let refuse: Error | undefined;
  const unreachable: string[] = [];
  const ssh = new SshHosts({
    privateKey: 'admin-key',
    onUnreachable: (host, reason) => unreachable.push(`${host}: ${reason}`),
    connect: async (options) => {
      connects.push(options);
      if (refuse) throw refuse;
      const client = new FakeClient();
      clients.push(client);
      return client as unknown as Client;
    },
  });
  ssh.add({ info: fakeHost('workstation'), hostKey: Buffer.from('pinned-key') });
  ssh.add({ info: { ...fakeHost('server', 'server'), address: '10.0.0.3', ports: [2222, 22] }, hostKey: Buffer.from('server-key') });
  return { ssh, connects, clients, unreachable, refuse: (error?: Error) => (refuse = error) };
}
const settle = () => new Promise((r) => setImmediate(r));

test('one connection per host and user, to the first port, with the host key pinned', async () => {
  const { ssh, connects } = hosts();
  const [a, b] = await Promise.all([ssh.connection('workstation', 'learner'), ssh.connection('workstation', 'learner')]);
  assert.equal(a, b);
  await ssh.connection('workstation', 'root');
  await ssh.connection('server', 'learner');
  assert.deepEqual(
    connects.map((c) => `${c.username}@${c.host}:${c.port}`),
    ['learner@10.0.0.2:22', 'root@10.0.0.2:22', 'learner@10.0.0.3:2222'],
  );
  assert.deepEqual(connects[2]?.hostKey, Buffer.from('server-key'));
  await assert.rejects(ssh.connection('nowhere', 'learner'), /no host named "nowhere"/);
  assert.equal(ssh.workstation?.name, 'workstation');
});

test('a dropped connection is evicted and reopened at once; the host stays reachable', async () => {
  const { ssh, clients, connects, unreachable } = hosts();
  const first = await ssh.connection('workstation', 'learner');
  clients[0]!.emit('close');
  await settle();
  assert.equal(connects.length, 2, 'reopened');
  const second = await ssh.connection('workstation', 'learner');
  assert.notEqual(second, first);
  assert.deepEqual(unreachable, []);
});

test('a connection that drops and cannot be reopened makes the host unreachable; after close() nothing reopens', async () => {
  const { ssh, clients, unreachable, refuse } = hosts();
  await ssh.connection('workstation', 'learner');
  refuse(new Error('connect EHOSTUNREACH'));
  clients[0]!.emit('error', new Error('read ECONNRESET'));
  await settle();
  assert.equal(unreachable.length, 1);
  assert.match(unreachable[0]!, /^workstation: the connection to workstation \(read ECONNRESET\) dropped and could not be reopened: connect EHOSTUNREACH/);

  const other = hosts();
  await other.ssh.connection('server', 'root');
  other.ssh.close();
  await settle();
  assert.ok(other.clients[0]!.ended);
  other.clients[0]!.emit('close');
  await settle();
  assert.equal(other.connects.length, 1, 'a closed environment does not reconnect');
  assert.deepEqual(other.unreachable, []);
  await assert.rejects(other.ssh.connection('server', 'root'), /being removed/);
  assert.equal(other.clients[0]!.destroyed, false, 'close() only ends: the host may still answer its disconnect');
  other.ssh.destroy();
  await settle();
  assert.equal(other.clients[0]!.destroyed, true, 'once the hosts are gone, destroy() drops the socket');
});

test('a refused connection (sshd re-executing on SIGHUP) is tried again until sshd listens, and only for so long', async () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.3:22'), { code: 'ECONNREFUSED' });
  let refusals = 2;
  const attempts: number[] = [];
  const restarting = new SshHosts({
    privateKey: 'admin-key',
    onUnreachable: () => assert.fail('a restarting sshd is not an unreachable host'),
    refusedRetryMs: 1_000,
    connect: async () => {
      attempts.push(Date.now());
      if (refusals-- > 0) throw refused();
      return new FakeClient() as unknown as Client;
    },
  });
  restarting.add({ info: fakeHost('server', 'server'), hostKey: Buffer.from('server-key') });
  await restarting.connection('server', 'root');
  assert.equal(attempts.length, 3, 'two refusals, then the connection');

  let calls = 0;
  const down = new SshHosts({
    privateKey: 'admin-key',
    onUnreachable: () => undefined,
    refusedRetryMs: 300,
    connect: async () => {
      calls++;
      throw refused();
    },
  });
  down.add({ info: fakeHost('server', 'server'), hostKey: Buffer.from('server-key') });
  const started = Date.now();
  await assert.rejects(down.connection('server', 'root'), /ECONNREFUSED/);
  assert.ok(Date.now() - started < 1_000 && calls >= 2 && calls <= 4, `${calls} attempts in ${Date.now() - started} ms`);

  let other = 0;
  const unreachableHost = new SshHosts({
    privateKey: 'admin-key',
    onUnreachable: () => undefined,
    connect: async () => {
      other++;
      throw Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' });
    },
  });
  unreachableHost.add({ info: fakeHost('server', 'server'), hostKey: Buffer.from('server-key') });
  await assert.rejects(unreachableHost.connection('server', 'root'), /EHOSTUNREACH/);
  assert.equal(other, 1, 'any other error is not tried again');
});
