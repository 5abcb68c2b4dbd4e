import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { buildServer } from '../../scripts/build-server.js';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import { closeCodes } from '../../src/protocol/terminal.js';
import { labelledContainers, labelledNetworks, waitFor } from '../helpers/docker.js';
import { freePort, TestRedis } from '../helpers/redis.js';
import { Replica } from '../helpers/replicas.js';

/**
 * Two replicas of the compiled server (separate processes, own ports) sharing one real Redis and
 * one Docker engine: any replica serves any session, a ticket opens one socket, the caps and the
 * rate limit hold across replicas, a replica that stops (SIGTERM) or dies (SIGKILL) leaves its
 * sessions to the other, and Redis going away refuses new sessions without touching open terminals.
 */

const createPerMinute = 20;
let redis: TestRedis;
let store: Redis;
let a: Replica;
let b: Replica;
const replicas: Replica[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SSH_LAB_REDIS_URL: redis.url,
    SSH_LAB_SUBNET_POOL: '172.26.0.0/20',
    SSH_LAB_REPLICA_TTL_SECONDS: '3',
    SSH_LAB_REAP_INTERVAL_SECONDS: '5',
    SSH_LAB_MAX_SESSIONS: '2',
    SSH_LAB_MAX_SESSIONS_PER_CLIENT: '2',
    SSH_LAB_SESSION_CREATE_PER_MINUTE: String(createPerMinute),
    SSH_LAB_POOL_SIZE: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

async function replica(name: string, extra: Record<string, string> = {}): Promise<Replica> {
  const started = await Replica.start(name, env(extra));
  replicas.push(started);
  return started;
}

/** The replica id (owner label) of a running replica, as its containers carry it. */
function replicaIdOf(r: Replica): string {
  return `${execFileSync('hostname', { encoding: 'utf8' }).trim()}:${r.child.pid}:`;
}

async function post(base: string, path: string, body: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function ticket(base: string, session: CreateSessionResponse): Promise<string> {
  const { status, body } = await post(base, `/api/sessions/${session.id}/ticket`, undefined, session.token);
  assert.equal(status, 200, JSON.stringify(body));
  return String(body.ticket);
}

/** Runs a command in the terminal and waits for a marker it prints, so the output is complete. */
async function run(terminal: TerminalClient, command: string): Promise<string> {
  const marker = `done${Math.random().toString(36).slice(2, 8)}`;
  const from = terminal.text().length;
  terminal.type(`${command}; echo ${marker.slice(0, 3)}''${marker.slice(3)}\r`);
  await terminal.waitUntil((text) => text.slice(from).includes(marker), 20_000, command);
  return terminal.text().slice(from);
}

/** A new minute for the session-creation limit: the rate counters in Redis go. */
async function resetRateLimits(): Promise<void> {
  const keys = await store.keys('ssh-lab:rate:*');
  if (keys.length) await store.del(...keys);
}

async function deleteThrough(base: string, session: CreateSessionResponse): Promise<void> {
  await new ApiClient(base).endSession(session);
  await waitFor(() => labelledContainers(session.id).length === 0 && labelledNetworks(session.id).length === 0, 30_000, `session ${session.id} to be gone`);
}

before(async () => {
  await buildServer();
  redis = await TestRedis.start();
  store = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  store.on('error', () => undefined);
  await store.connect();
  [a, b] = await Promise.all([replica('A'), replica('B')]);
});

after(async () => {
  // One after the other: the last one ends whatever is left, as a lone server does.
  for (const r of replicas) await r.stop();
  store?.disconnect();
  await redis?.stop();
});

describe('two replicas sharing Redis', () => {
  test('a replica whose Redis does not answer does not start, and says so in one line', { timeout: 60_000 }, async () => {
    const nobody = await freePort();
    await assert.rejects(Replica.start('no-redis', env({ SSH_LAB_REDIS_URL: `redis://127.0.0.1:${nobody}` })), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `SSH Lab could not start: SSH_LAB_REDIS_URL=redis://127\\.0\\.0\\.1:${nobody}/?: no Redis answers .* within 10 s\\. Start Redis or fix the URL\\.`,
        ),
      );
      return true;
    });
  });

  test('a session-creation flood split across A and B is limited as one client', async () => {
    await resetRateLimits();
    // An unknown lab costs nothing, but each request counts against the creation limit all the same.
    const answers = await Promise.all(
      Array.from({ length: createPerMinute * 2 }, (_, i) => post(i % 2 ? a.url : b.url, '/api/sessions', { labId: 'no-such-lab' })),
    );
    const limited = answers.filter((r) => r.status === 429);
    assert.equal(answers.length - limited.length, createPerMinute, 'the limit counts both replicas together');
    assert.ok(limited.every((r) => r.body.error === 'RATE_LIMITED'));
    await resetRateLimits();
  });

  test('the global cap holds across replicas; one ticket at A and B at once opens one socket', { timeout: 120_000 }, async () => {
    const first = await new ApiClient(a.url).createSession('keygen');
    const second = await new ApiClient(b.url).createSession('keygen');
    try {
      const third = await post(b.url, '/api/sessions', { labId: 'keygen' });
      assert.equal(third.status, 503, JSON.stringify(third.body));
      assert.equal(third.body.error, 'CAPACITY_FULL');

      const shared = await ticket(a.url, first);
      const attempts = await Promise.all(
        [a, b].map(
          (r) =>
            new Promise<{ opened: boolean; socket: WebSocket }>((resolve) => {
              const url = `${r.url.replace(/^http/, 'ws')}/api/sessions/${first.id}/terminal?ticket=${encodeURIComponent(shared)}`;
              const socket = new WebSocket(url, { origin: r.url });
              socket.once('open', () => resolve({ opened: true, socket }));
              socket.once('unexpected-response', () => resolve({ opened: false, socket }));
              socket.once('error', () => resolve({ opened: false, socket }));
            }),
        ),
      );
      assert.equal(attempts.filter((x) => x.opened).length, 1, 'exactly one socket opened');
      for (const { socket } of attempts) socket.terminate();
    } finally {
      await Promise.all([deleteThrough(b.url, first), deleteThrough(a.url, second)]);
    }
  });

  test('SIGTERM of A: it exits within 10 s telling its socket to reconnect; through B the same shell (variable, background job), checks and DELETE work', {
    timeout: 180_000,
  }, async (t) => {
    const session = await new ApiClient(a.url).createSession('keygen');
    try {
      const onA = await TerminalClient.open(a.url, session);
      await onA.waitForPrompt();
      await run(onA, 'sleep 600 & export LAB_MARK=kept-$((6*7))');
      const stoppedMs = await a.signal('SIGTERM');
      t.diagnostic(`replica A exited ${Math.round(stoppedMs)} ms after SIGTERM`);
      assert.ok(stoppedMs < 10_000, `A exits within 10 s (took ${Math.round(stoppedMs)} ms)`);
      assert.match(a.output(), /handing every lab session over/);
      await waitFor(() => Boolean(onA.closed), 10_000, "A's socket to close");
      assert.equal(onA.closed?.code, closeCodes.serverMoving, 'told to reconnect elsewhere');
      assert.ok(labelledContainers(session.id).length > 0, 'the environment outlives A');

      const onB = await TerminalClient.open(b.url, session);
      await onB.waitForPrompt();
      const shown = await run(onB, 'echo "mark=$LAB_MARK"; jobs');
      assert.match(shown, /mark=kept-42/, 'the shell variable is still there');
      assert.match(shown, /sleep 600/, 'the background job is still there');
      let steps = await new ApiClient(b.url).check(session, 'make-key');
      assert.equal(steps[0]?.passed, false);
      await run(onB, "ssh-keygen -q -t ed25519 -N '' -C learner@ssh-lab -f ~/.ssh/id_ed25519");
      steps = await new ApiClient(b.url).check(session, 'make-key');
      assert.equal(steps[0]?.passed, true, steps[0]?.message);
      await onB.close();
    } finally {
      await deleteThrough(b.url, session);
      a = await replica('A2');
    }
  });

  test('SIGKILL of A: a live replica adopts its session (the same shell through B), no replica reaps A while it lives, and its pool goes once A is gone', {
    timeout: 240_000,
  }, async (t) => {
    const pooled = await replica('A3', { SSH_LAB_POOL_SIZES: 'keygen=1' });
    const session = await new ApiClient(pooled.url).createSession('keygen');
    const owner = replicaIdOf(pooled);
    const poolOfA = () =>
      execFileSync('docker', ['ps', '-a', '--filter', 'label=ssh-lab.session', '--format', '{{.Label "ssh-lab.owner"}} {{.Label "ssh-lab.session"}}'], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((line) => line.startsWith(owner) && !line.endsWith(` ${session.id}`));
    try {
      await waitFor(() => poolOfA().length > 0, 90_000, "A3's pool to hold an environment");
      const onA = await TerminalClient.open(pooled.url, session);
      await onA.waitForPrompt();
      await run(onA, 'sleep 600 & export LAB_MARK=kept-$((6*7))');
      // A replica starting reaps before it serves: it must leave a live replica's pool and sessions alone.
      await b.signal('SIGTERM');
      b = await replica('B2');
      assert.ok(poolOfA().length > 0, "B2's start-up reap left A3's pooled environment");
      assert.ok(labelledContainers(session.id).length > 0, "and A3's session");

      await pooled.signal('SIGKILL');
      // Either live replica (A2 or B2) may be the one that sweeps first.
      const adopted = async () => {
        const owner = (await store.hget(`ssh-lab:session:${session.id}`, 'owner')) ?? '';
        return [a, b].some((r) => owner.startsWith(replicaIdOf(r)));
      };
      await waitFor(adopted, 30_000, 'a live replica to adopt the session');
      await waitFor(() => poolOfA().length === 0, 60_000, 'the pool of the dead A3 to be reaped');
      assert.ok(labelledContainers(session.id).length > 0, 'the adopted session keeps its environment');
      t.diagnostic('a live replica adopted the session; the pool of the killed replica was reaped');

      const onB = await TerminalClient.open(b.url, session);
      await onB.waitForPrompt();
      const shown = await run(onB, 'echo "mark=$LAB_MARK"; jobs');
      assert.match(shown, /mark=kept-42/, 'the shell variable is still there');
      assert.match(shown, /sleep 600/, 'the background job is still there');
      await onB.close();
    } finally {
      await deleteThrough(b.url, session);
    }
  });

  test('Redis stopped: new sessions get 503 SESSION_STORE_DOWN, an open terminal keeps echoing; Redis back: new sessions work', {
    timeout: 180_000,
  }, async () => {
    const session = await new ApiClient(b.url).createSession('keygen');
    let later: CreateSessionResponse | undefined;
    try {
      const terminal = await TerminalClient.open(b.url, session);
      await terminal.waitForPrompt();
      await redis.stop();
      try {
        const refused = await post(a.url, '/api/sessions', { labId: 'keygen' });
        assert.equal(refused.status, 503, JSON.stringify(refused.body));
        assert.equal(refused.body.error, 'SESSION_STORE_DOWN');
        assert.match(String(refused.body.message), /session store \(Redis\) does not answer/);
        assert.match(await run(terminal, 'echo still-$((20+1))'), /still-21/, 'the open terminal echoes with Redis down');
      } finally {
        await redis.start();
      }
      // ioredis reconnects by itself; the first tries after the restart may still find it away.
      await waitFor(
        async () => {
          const answer = await post(a.url, '/api/sessions', { labId: 'keygen' });
          if (answer.status === 201) later = answer.body as unknown as CreateSessionResponse;
          return answer.status === 201;
        },
        30_000,
        'a new session once Redis is back',
      );
      assert.match(await run(terminal, 'echo after-$((20+2))'), /after-22/, 'and the terminal still echoes');
      // Redis came back empty (no persistence here): B registered its session again, so DELETE works.
      await waitFor(async () => (await store.exists(`ssh-lab:session:${session.id}`)) === 1, 20_000, 'B to register its session again');
      await terminal.close();
    } finally {
      await deleteThrough(a.url, session);
      if (later) await deleteThrough(b.url, later);
    }
  });
});
