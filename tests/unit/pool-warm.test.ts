import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { WarmPool } from '../../src/server/pool/warm-pool.js';
import { FakeSource, fakeLab } from '../helpers/fakes.js';

const logger = pino({ level: 'silent' });

function pool(targets: Record<string, number>, maxSessions = 10) {
  const build = new FakeSource();
  const coldStart = new FakeSource();
  let n = 0;
  let active = 0;
  const warm = new WarmPool({
    build,
    coldStart,
    newIdentity: () => ({ sessionId: `pooled${n}`, password: `pw${n++}` }),
    labs: Object.keys(targets).map((id) => fakeLab(id)),
    target: (id) => targets[id] ?? 0,
    maxSessions,
    sessionLifetimeSeconds: 3600,
    maxAgeSeconds: 600,
    logger,
  });
  warm.setLoad({ active: () => active, provisioning: () => 0 });
  return { warm, build, coldStart, setActive: (a: number) => (active = a) };
}

test('fills every lab to its target, hands out a pooled environment with its own id and password, and refills', async (t) => {
  const { warm, build, coldStart } = pool({ keygen: 2, agent: 1, quiet: 0 });
  t.after(() => warm.drain());
  warm.start();
  assert.ok(await warm.whenFull(10_000));
  assert.equal(build.acquired.length, 3);
  assert.equal(warm.readyCount('quiet'), 0);

  const handed = await warm.acquire(fakeLab('keygen'), 'provisional', 'unused', 3660);
  assert.match(handed.environment.sessionId, /^pooled/);
  assert.match(handed.password, /^pw/);
  assert.equal(coldStart.acquired.length, 0);
  assert.ok(await warm.whenFull(10_000), 'refilled');
  assert.equal(build.acquired.length, 4);
  assert.equal(warm.stats.handedOut, 1);
});

test('a lab with nothing ready goes to the cold start, after an idle pooled environment made way under the cap', async (t) => {
  const { warm, build, coldStart, setActive } = pool({ keygen: 2, agent: 0 }, 3);
  t.after(() => warm.drain());
  warm.start();
  assert.ok(await warm.whenFull(10_000));
  setActive(2);
  const cold = await warm.acquire(fakeLab('agent'), 'cold1', 'pw-cold', 3660);
  assert.equal(cold.environment.sessionId, 'cold1');
  assert.equal(coldStart.acquired.length, 1);
  assert.equal(warm.stats.evicted, 1);
  assert.equal(build.acquired[0]?.disposals, 1, 'the oldest pooled environment was disposed');
});

test('a pooled environment that is lost is disposed and replaced; drain disposes the rest', async () => {
  const { warm, build } = pool({ keygen: 1 });
  warm.start();
  assert.ok(await warm.whenFull(10_000));
  const first = build.acquired[0]!;
  first.lose('host workstation stopped (die)');
  assert.equal(warm.stats.lost, 1);
  assert.ok(await warm.whenFull(10_000));
  assert.equal(build.acquired.length, 2);
  assert.equal(first.disposals, 1);
  await warm.drain();
  assert.equal(build.acquired[1]?.disposals, 1);
  assert.equal(warm.size, 0);
});
