import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildServer } from '../../scripts/build-server.js';
import { nginxConfig } from '../../scripts/lib/nginx-config.js';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import { closeCodes } from '../../src/protocol/terminal.js';
import { labelledContainers, waitFor } from '../helpers/docker.js';
import { freePort, TestRedis } from '../helpers/redis.js';
import { Replica } from '../helpers/replicas.js';

/**
 * The README's nginx snippet (deploy/nginx/ssh-lab.conf) on loopback in front of two replicas:
 * sessions and terminals (WebSocket upgrade, the Origin check through the proxy) work through it,
 * and a replica stopped with SIGTERM is a reconnect through nginx to the same shell.
 */

let redis: TestRedis;
const replicas: Replica[] = [];
let nginx: ChildProcess;
let nginxDir: string;
let base: string;

before(async () => {
  await buildServer();
  redis = await TestRedis.start();
  const ports = [await freePort(), await freePort()];
  for (const [i, port] of ports.entries()) {
    replicas.push(
      await Replica.start(`R${i + 1}`, {
        PORT: String(port),
        SSH_LAB_REDIS_URL: redis.url,
        SSH_LAB_TRUST_PROXY: 'on',
        SSH_LAB_SUBNET_POOL: '172.25.0.0/20',
        SSH_LAB_REPLICA_TTL_SECONDS: '3',
      }),
    );
  }
  const listenPort = await freePort();
  nginxDir = mkdtempSync(join(tmpdir(), 'ssh-lab-nginx-test-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(nginxDir, sub));
  writeFileSync(join(nginxDir, 'nginx.conf'), nginxConfig({ dir: nginxDir, listenPort, replicaPorts: ports }));
  nginx = spawn('nginx', ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  base = `http://127.0.0.1:${listenPort}`;
  await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, 20_000, 'nginx to proxy /healthz');
});

after(async () => {
  for (const r of replicas) await r.stop();
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGTERM');
    await exited;
  }
  if (nginxDir) rmSync(nginxDir, { recursive: true, force: true });
  await redis?.stop();
});

describe('nginx in front of two replicas (deploy/nginx/ssh-lab.conf)', () => {
  test('a terminal through nginx; SIGTERM of a replica is a reconnect through nginx to the same shell', { timeout: 150_000 }, async (t) => {
    const api = new ApiClient(base);
    const session = await api.createSession('keygen');
    try {
      const first = await TerminalClient.open(base, session);
      await first.waitForPrompt();
      first.type('export THROUGH_PROXY=yes-$((2*21))\r');
      await first.waitUntil((text) => /THROUGH_PROXY=yes-\$\(\(2\*21\)\)\r?\n[\s\S]*\$ $/.test(text), 20_000, 'the export to run');
      // Stop whichever replica serves the socket: the snippet must carry the reconnect to the other.
      const [stopped] = replicas;
      await stopped!.signal('SIGTERM');
      t.diagnostic('stopped one replica behind nginx');
      await waitFor(async () => (await fetch(`${base}/api/labs`)).ok, 20_000, 'nginx to answer through the remaining replica');
      if (first.closed) assert.equal(first.closed.code, closeCodes.serverMoving, 'a socket on the stopped replica is told to reconnect');
      else first.socket.terminate();

      const again = await TerminalClient.open(base, session);
      await again.waitForPrompt();
      again.type('echo "proxied=$THROUGH_PROXY"\r');
      await again.waitUntil((text) => text.includes('proxied=yes-42'), 20_000, 'the variable through the other replica');
      await again.close();
      const steps = await api.check(session, 'make-key');
      assert.equal(steps[0]?.passed, false, 'checks answer through nginx');
    } finally {
      await api.endSession(session);
      await waitFor(() => labelledContainers(session.id).length === 0, 30_000, 'the session to be removed');
    }
    assert.doesNotMatch(readFileSync(join(nginxDir, 'error.log'), 'utf8'), /\[emerg\]/);
  });
});
