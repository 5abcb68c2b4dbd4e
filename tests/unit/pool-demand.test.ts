import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { LabDemand } from '../../src/server/pool/demand.js';
import { WarmPool } from '../../src/server/pool/warm-pool.js';
import { FakeSource, fakeLab } from '../helpers/fakes.js';

const policy = { halfLifeMs: 15_000, maxExtraPerLab: 20, initialBuildMs: 2_000 };

test('a steady rate of starts reads as that rate, and calls for rate × build time extra environments', () => {
  let now = 0;
  const demand = new LabDemand(policy, () => now);
  // Two starts a second for two minutes (eight half-lives): the estimate has settled.
  for (let i = 0; i < 240; i++) {
    demand.recordStart('copy-id');
    now += 500;
  }
  assert.ok(Math.abs(demand.startsPerSecond('copy-id') - 2) < 0.1, String(demand.startsPerSecond('copy-id')));
  assert.equal(demand.extra('copy-id'), 4, '2 starts/s × 2 s to build');
  assert.equal(demand.extra('keygen'), 0, 'a lab nobody started wants nothing extra');
  demand.recordBuild(6_000);
  assert.equal(demand.expectedBuildMs, 3_200, 'the build time is a moving average');
  assert.equal(demand.extra('copy-id'), 6);
  assert.deepEqual(demand.inDemand(), ['copy-id']);
});

test('demand decays: the extra falls back to nothing once the starts stop, and is capped meanwhile', () => {
  let now = 0;
  const demand = new LabDemand({ ...policy, maxExtraPerLab: 3 }, () => now);
  for (let i = 0; i < 60; i++) {
    demand.recordStart('copy-id');
    now += 100; // a burst: 10 a second
  }
  assert.equal(demand.extra('copy-id'), 3, 'capped at maxExtraPerLab');
  now += 15_000 * 4;
  assert.equal(demand.extra('copy-id'), 0, 'four half-lives later');
  now += 15_000 * 20;
  assert.deepEqual(demand.inDemand(), []);
  assert.equal(demand.startsPerSecond('copy-id'), 0, 'forgotten');
});

test('a few sessions now and then call for nothing extra', () => {
  let now = 0;
  const demand = new LabDemand(policy, () => now);
  for (let i = 0; i < 5; i++) {
    demand.recordStart('keygen');
    now += 20_000;
  }
  assert.equal(demand.extra('keygen'), 0);
});

function adaptivePool(targets: Record<string, number>, availableMemoryMb = 100_000) {
  const build = new FakeSource();
  const coldStart = new FakeSource();
  let clock = 1_000_000;
  let n = 0;
  const warm = new WarmPool({
    build,
    coldStart,
    newIdentity: () => ({ sessionId: `pooled${n}`, password: `pw${n++}` }),
    labs: Object.keys(targets).map((id) => fakeLab(id)),
    target: (id) => targets[id] ?? 0,
    maxSessions: 100,
    sessionLifetimeSeconds: 3600,
    maxAgeSeconds: 600,
    adaptive: { halfLifeSeconds: 15, maxExtraPerLab: 10, hostMemoryMb: 160, availableMemoryMb: () => availableMemoryMb, now: () => clock },
    logger: pino({ level: 'silent' }),
  });
  warm.setLoad({ active: () => 0, provisioning: () => 0 });
  return { warm, build, coldStart, advance: (ms: number) => (clock += ms) };
}

test('the warm pool grows for a lab in demand and shrinks back to its configured size as the demand fades', async (t) => {
  const { warm, advance } = adaptivePool({ keygen: 1, agent: 1, quiet: 0 });
  t.after(() => warm.drain());
  warm.start();
  assert.ok(await warm.whenFull(10_000));
  // A class: 40 learners within 10 s (the fake builds take no time: the lead time is its 1 s floor).
  for (let i = 0; i < 40; i++) {
    await warm.acquire(fakeLab('keygen'), `s${i}`, 'pw', 3660);
    await warm.acquire(fakeLab('quiet'), `q${i}`, 'pw', 3660);
    advance(250);
  }
  const grown = warm.target('keygen');
  assert.ok(grown > 1, `keygen's target grew (${grown})`);
  assert.equal(warm.target('agent'), 1, 'a lab nobody opened keeps its size');
  assert.equal(warm.target('quiet'), 0, 'a lab configured not to pool never pools, however much in demand');
  assert.ok(await warm.whenFull(10_000));
  assert.equal(warm.readyCount('keygen'), grown, 'the pool built up to the grown target');
  advance(15_000 * 10);
  assert.equal(warm.target('keygen'), 1);
  warm.retarget();
  assert.equal(warm.readyCount('keygen'), 1, 'the extra environments were retired');
});

test("the extra environments stay within the machine's memory", async (t) => {
  // Room for no more than what is pooled: 100 MB available, 80 % of it is less than one host of 160 MB.
  const { warm, advance } = adaptivePool({ keygen: 1 }, 100);
  t.after(() => warm.drain());
  warm.start();
  assert.ok(await warm.whenFull(10_000));
  for (let i = 0; i < 40; i++) {
    await warm.acquire(fakeLab('keygen'), `s${i}`, 'pw', 3660);
    advance(250);
  }
  assert.ok(warm.demandExtra('keygen') > 0, 'the lab is in demand');
  assert.equal(warm.target('keygen'), 1, 'but no memory for more than its configured size');
});
