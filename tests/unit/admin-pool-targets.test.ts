import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import pino from 'pino';
import { PoolTargets, planPoolSize } from '../../src/server/pool/targets.js';
import { WarmPool } from '../../src/server/pool/warm-pool.js';
import { FakeSource, fakeLab } from '../helpers/fakes.js';

test('an override sets the target until it ends, then the configured size applies again', () => {
  let now = 1_000_000;
  const targets = new PoolTargets(
    (labId) => (labId === 'keygen' ? 2 : 1),
    () => now,
  );
  assert.equal(targets.target('keygen'), 2);
  assert.equal(targets.nextChange(), undefined);

  assert.deepEqual(targets.set('keygen', 60, now + 60_000), { size: 60, until: now + 60_000 });
  assert.equal(targets.target('keygen'), 60);
  assert.equal(targets.target('agent'), 1, 'other labs keep their size');
  assert.equal(targets.configured('keygen'), 2);
  targets.set('agent', 0, now + 30_000);
  assert.equal(targets.nextChange(), now + 30_000);

  now += 30_000;
  assert.equal(targets.target('agent'), 1, 'the override ends at its until');
  assert.equal(targets.nextChange(), now + 30_000);
  now += 30_000;
  assert.equal(targets.target('keygen'), 2);
  assert.equal(targets.override('keygen'), undefined);
  assert.equal(targets.nextChange(), undefined);
});

test('an until already past clears the override', () => {
  const now = 5_000;
  const targets = new PoolTargets(
    () => 1,
    () => now,
  );
  targets.set('keygen', 10, now + 1000);
  assert.equal(targets.set('keygen', 10, now), undefined);
  assert.equal(targets.target('keygen'), 1);
});

test('a plan shows the memory limit and refuses what the cap or the memory cannot hold', () => {
  const base = {
    hostsPerEnvironment: 2,
    hostMemoryMb: 160,
    pooledForLab: 1,
    pooledForOtherLabs: 5,
    activeSessions: 4,
    maxSessions: 60,
    availableMemoryMb: 20_000,
  };
  const fits = planPoolSize({ ...base, size: 51 });
  assert.equal(fits.memoryLimitMb, 51 * 2 * 160);
  assert.equal(fits.additionalMemoryLimitMb, 50 * 2 * 160);
  assert.equal(fits.maxSize, 51);
  assert.equal(fits.refusal, undefined);

  const overCap = planPoolSize({ ...base, size: 52 });
  assert.equal(overCap.refusal?.reason, 'sessions');
  assert.match(
    overCap.refusal?.message ?? '',
    /SSH_LAB_MAX_SESSIONS=60: 4 sessions are live and 5 environments are pooled for other labs, which leaves room for 51/,
  );

  const overMemory = planPoolSize({ ...base, size: 40, availableMemoryMb: 3000 });
  assert.equal(overMemory.refusal?.reason, 'memory');
  assert.match(
    overMemory.refusal?.message ?? '',
    /need up to 12480 MB more \(1 already pooled\), and the machine has 3000 MB available\. Ask for at most 10\./,
  );
});

test('when an override ends the pool retires what is beyond the configured size, without handing it out', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  t.after(() => mock.timers.reset());
  const targets = new PoolTargets(() => 1);
  const build = new FakeSource();
  let n = 0;
  const warm = new WarmPool({
    build,
    coldStart: new FakeSource(),
    newIdentity: () => ({ sessionId: `pooled${n}`, password: `pw${n++}` }),
    labs: [fakeLab('keygen')],
    target: (labId) => targets.target(labId),
    nextTargetChange: () => targets.nextChange(),
    maxSessions: 20,
    sessionLifetimeSeconds: 3600,
    maxAgeSeconds: 3600,
    logger: pino({ level: 'silent' }),
  });
  warm.setLoad({ active: () => 0, provisioning: () => 0 });
  const settle = async (done: () => boolean) => {
    for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r));
    assert.ok(done(), 'the pool got there');
  };
  warm.start();
  await settle(() => warm.readyCount('keygen') === 1);

  targets.set('keygen', 4, Date.now() + 60_000);
  warm.retarget();
  await settle(() => warm.readyCount('keygen') === 4);
  assert.equal(build.acquired.length, 4);

  mock.timers.tick(60_000);
  assert.equal(warm.readyCount('keygen'), 1, 'the surplus went at the until');
  assert.equal(warm.stats.retired, 3);
  await settle(() => build.acquired.filter((e) => e.disposals === 1).length === 3);
  assert.equal(build.acquired[3]?.disposals, 0, 'the youngest stays');
  const handed = await warm.acquire(fakeLab('keygen'), 'cold', 'pw', 3600);
  assert.equal(handed.environment.sessionId, build.acquired[3]?.sessionId);
  await warm.drain();
});
