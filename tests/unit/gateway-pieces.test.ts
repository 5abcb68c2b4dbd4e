import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gatewayCommands } from '../../src/components/Lab/gateway-commands.js';
import { loadConfig } from '../../src/server/config.js';
import { findKey, parseAuthorizedKeys } from '../../src/server/gateway/authorized-keys.js';
import { InMemoryGatewayCredentialStore, gatewayUsername, hashPassword, newGatewayPassword, passwordMatches } from '../../src/server/gateway/credentials.js';
import { forwardTarget } from '../../src/server/gateway/forward.js';
import { hostKeyFileName, loadOrCreateHostKey } from '../../src/server/gateway/host-key.js';
import { AuthThrottle, ConnectionCounter, defaultGatewayLimits } from '../../src/server/gateway/limits.js';
import { generateEd25519 } from '../../src/server/environments/ssh.js';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import { buildTestApp } from '../helpers/app.js';
import { fakeHost } from '../helpers/fakes.js';

describe('gateway credentials', () => {
  test('a password matches only its own scrypt hash; an unknown username is checked against a throwaway hash', async () => {
    const password = newGatewayPassword();
    assert.match(password, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const hash = await hashPassword(password);
    assert.match(hash, /^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    assert.equal(await passwordMatches(password, hash), true);
    assert.equal(await passwordMatches(`${password}x`, hash), false);
    assert.equal(await passwordMatches(password, undefined), false);
    assert.equal(await passwordMatches(password, 'plain'), false);
  });

  test('the store replaces a session credential on put, forgets it on removeSession and after it expires', async () => {
    const store = new InMemoryGatewayCredentialStore();
    await store.put({ sessionId: 's1', username: 'lab-a', passwordHash: 'h1', expiresAt: Date.now() + 60_000 });
    await store.put({ sessionId: 's1', username: 'lab-b', passwordHash: 'h2', expiresAt: Date.now() + 60_000 });
    assert.equal(await store.byUsername('lab-a'), undefined);
    assert.equal((await store.byUsername('lab-b'))?.passwordHash, 'h2');
    await store.removeSession('s1');
    assert.equal(await store.byUsername('lab-b'), undefined);
    await store.put({ sessionId: 's2', username: 'lab-c', passwordHash: 'h', expiresAt: Date.now() - 1 });
    assert.equal(await store.byUsername('lab-c'), undefined);
  });

  test('usernames: stable per session and key, different across sessions and keys, never the id', () => {
    const a = gatewayUsername('key-1', 'session-abc');
    assert.equal(a, gatewayUsername('key-1', 'session-abc'));
    assert.notEqual(a, gatewayUsername('key-1', 'session-abd'));
    assert.notEqual(a, gatewayUsername('key-2', 'session-abc'));
    assert.match(a, /^lab-[a-z0-9]{10}$/);
    assert.ok(!a.includes('session'));
  });
});

describe('gateway limits', () => {
  test('failures slow down, then lock username+address (even for the right password), other pairs untouched', () => {
    let now = 1_000_000;
    const throttle = new AuthThrottle(defaultGatewayLimits, () => now);
    const delays = [1, 2, 3, 4].map(() => throttle.failed('lab-x', '10.0.0.1'));
    assert.deepEqual(delays, [200, 400, 800, 1600]);
    assert.equal(throttle.locked('lab-x', '10.0.0.1'), false);
    throttle.failed('lab-x', '10.0.0.1');
    assert.equal(throttle.locked('lab-x', '10.0.0.1'), true);
    assert.equal(throttle.locked('lab-x', '10.0.0.2'), false);
    assert.equal(throttle.locked('lab-y', '10.0.0.1'), false);
    now += defaultGatewayLimits.lockMs + 1;
    assert.equal(throttle.locked('lab-x', '10.0.0.1'), false);
  });

  test('an address guessing across many usernames is locked as a whole', () => {
    const throttle = new AuthThrottle({ ...defaultGatewayLimits, lockAddressAfterFailures: 10 });
    for (let i = 0; i < 10; i++) throttle.failed(`lab-${i}`, '10.0.0.9');
    assert.equal(throttle.locked('lab-new', '10.0.0.9'), true);
    assert.equal(throttle.locked('lab-new', '10.0.0.8'), false);
  });

  test('connections per address and in all', () => {
    const counter = new ConnectionCounter({ ...defaultGatewayLimits, connectionsPerAddress: 2, connections: 3 });
    const one = counter.take('a');
    assert.ok(one && counter.take('a'));
    assert.equal(counter.take('a'), undefined);
    assert.ok(counter.take('b'));
    assert.equal(counter.take('c'), undefined, 'the gateway is full');
    one();
    one();
    assert.ok(counter.take('a'));
  });
});

describe('gateway forwarding targets', () => {
  const hosts = [
    { ...fakeHost('workstation'), address: '172.29.0.2' },
    { ...fakeHost('server', 'server'), address: '172.29.0.3', ports: [22, 2222] },
  ];
  test("the session's hosts by lab name or exact address, on their sshd ports only", () => {
    assert.equal(forwardTarget(hosts, 'server', 22)?.address, '172.29.0.3');
    assert.equal(forwardTarget(hosts, 'server', 2222)?.port, 2222);
    assert.equal(forwardTarget(hosts, '172.29.0.2', 22)?.host.name, 'workstation');
    for (const [destination, port] of [
      ['server', 80],
      ['127.0.0.1', 22],
      ['localhost', 22],
      ['server.example.org', 22],
      ['172.29.0.4', 22],
      ['192.0.2.1', 22],
      ['', 22],
    ] as const) {
      assert.equal(forwardTarget(hosts, destination, port), undefined, `${destination}:${port}`);
    }
  });
});

describe('authorized_keys', () => {
  test('plain key lines open the gateway; lines with options, comments and junk do not', () => {
    const plain = generateEd25519('laptop');
    const optioned = generateEd25519('restricted');
    const text = ['# my keys', plain.publicKey, `from="10.0.0.1" ${optioned.publicKey}`, 'not a key', 'ssh-ed25519 AAAAbroken', ''].join('\n');
    const keys = parseAuthorizedKeys(text);
    assert.equal(keys.length, 1);
    assert.ok(findKey(keys, { algo: 'ssh-ed25519', data: plain.blob }));
    assert.equal(findKey(keys, { algo: 'ssh-ed25519', data: optioned.blob }), undefined);
  });
});

describe('the gateway host key', () => {
  test('made once (0600 in a 0700 directory), the same on the next start, fingerprint as ssh-keygen prints it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'ssh-lab-hostkey-'));
    const dir = join(parent, 'data');
    try {
      const first = await loadOrCreateHostKey(dir, () => assert.fail('no warning expected'));
      const second = await loadOrCreateHostKey(dir, () => assert.fail('no warning expected'));
      assert.equal(second.privateKey, first.privateKey);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, hostKeyFileName)).mode & 0o777, 0o600);
      const printed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, hostKeyFileName)], { encoding: 'utf8' });
      assert.equal(printed.split(' ')[1], first.fingerprint);
      const together = await Promise.all([1, 2, 3].map(() => loadOrCreateHostKey(join(dir, 'race'), () => undefined)));
      assert.equal(new Set(together.map((k) => k.fingerprint)).size, 1, 'replicas starting together agree on one key');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a file that is not an ed25519 private key stops the start with a sentence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-lab-hostkey-'));
    try {
      writeFileSync(join(dir, hostKeyFileName), 'junk', { mode: 0o600 });
      await assert.rejects(
        loadOrCreateHostKey(dir, () => undefined),
        /is not an unencrypted OpenSSH ed25519 private key/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gateway configuration and commands', () => {
  test('SSH_LAB_GATEWAY_PORT defaults to 2222, 0 turns it off, a bad public host is named', () => {
    assert.equal(loadConfig({}).gateway.port, 2222);
    assert.equal(loadConfig({ SSH_LAB_GATEWAY_PORT: '0' }).gateway.port, 0);
    assert.throws(() => loadConfig({ SSH_LAB_GATEWAY_PORT: '70000' }), /SSH_LAB_GATEWAY_PORT="70000"/);
    assert.throws(() => loadConfig({ SSH_LAB_GATEWAY_PUBLIC_HOST: 'a b' }), /SSH_LAB_GATEWAY_PUBLIC_HOST="a b": use a host name/);
  });

  test('the panel commands: ssh/scp/sftp/rsync with the right port flags, -J per host, PuTTY fields', () => {
    const c = gatewayCommands({ host: 'labs.example.org', port: 2222, username: 'lab-abc' }, [
      { name: 'workstation', role: 'workstation' },
      { name: 'server', role: 'server' },
    ]);
    assert.equal(c.ssh, 'ssh -p 2222 lab-abc@labs.example.org');
    assert.equal(c.scpUp.unix, 'scp -P 2222 notes.txt lab-abc@labs.example.org:');
    assert.equal(c.scpUp.windows, 'scp -P 2222 .\\notes.txt lab-abc@labs.example.org:');
    assert.equal(c.sftp, 'sftp -P 2222 lab-abc@labs.example.org');
    assert.equal(c.rsync, "rsync -av -e 'ssh -p 2222' ./project/ lab-abc@labs.example.org:project/");
    assert.deepEqual(
      c.jumps.map((j) => j.command),
      ['ssh -J lab-abc@labs.example.org:2222 learner@workstation', 'ssh -J lab-abc@labs.example.org:2222 learner@server'],
    );
    assert.deepEqual({ host: c.putty.host, port: c.putty.port, username: c.putty.username }, { host: 'labs.example.org', port: 2222, username: 'lab-abc' });
  });
});

describe('POST /api/sessions/:id/gateway without a gateway', () => {
  test('needs the token; then answers 404 GATEWAY_OFF with a sentence', async () => {
    const t = await buildTestApp();
    try {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'content-type': 'application/json' },
        payload: '{"labId":"keygen"}',
      });
      const session = created.json() as CreateSessionResponse;
      const anonymous = await t.app.inject({ method: 'POST', url: `/api/sessions/${session.id}/gateway` });
      assert.equal(anonymous.statusCode, 401);
      const off = await t.app.inject({ method: 'POST', url: `/api/sessions/${session.id}/gateway`, headers: { authorization: `Bearer ${session.token}` } });
      assert.equal(off.statusCode, 404);
      assert.equal(off.json().error, 'GATEWAY_OFF');
      assert.match(off.json().message, /SSH_LAB_GATEWAY_PORT=0/);
    } finally {
      await t.close();
    }
  });
});
