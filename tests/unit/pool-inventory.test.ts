import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PoolInventory, type PoolPolicy } from '../../src/server/pool/inventory.js';

function inventory(policy: Partial<PoolPolicy> = {}) {
  let now = 1_000_000;
  const targets: Record<string, number> = { keygen: 2, agent: 1, quiet: 0 };
  const inv = new PoolInventory<string>(
    { labIds: Object.keys(targets), target: (id) => targets[id] ?? 0, maxSessions: 10, maxAgeMs: 60_000, ...policy },
    () => now,
  );
  let n = 0;
  const build = (labId: string) => {
    const id = `s${n++}`;
    inv.startBuilding(id, labId);
    return inv.finishBuilding(id, { password: `pw-${id}`, environment: `env-${id}` })!;
  };
  return { inv, build, advance: (ms: number) => (now += ms) };
}

test('the neediest lab is the one furthest below its target, counting those being made; a target of 0 is never built', () => {
  const { inv, build } = inventory();
  assert.ok(inv.enabled);
  assert.equal(inv.neediest(), 'keygen');
  build('keygen');
  assert.equal(inv.neediest(), 'agent', 'keygen is half full, agent empty');
  inv.startBuilding('in-flight', 'agent');
  assert.equal(inv.neediest(), 'keygen', 'agent is being made');
  assert.ok(inv.liveIds().includes('in-flight'), 'an environment being made is live for the reaper');
  inv.finishBuilding('in-flight', 'failed');
  assert.equal(inv.stats.failed, 1);
  build('agent');
  build('keygen');
  assert.equal(inv.neediest(), undefined);
  assert.ok(inv.full);
  assert.equal(inv.size, 3);
  assert.ok(!new PoolInventory({ labIds: ['x'], target: () => 0, maxSessions: 1, maxAgeMs: 1 }).enabled);
});

test('take hands out the oldest young entry once; a miss counts only for a lab with a target', () => {
  const { inv, build } = inventory();
  const first = build('keygen');
  build('keygen');
  const { entry } = inv.take('keygen');
  assert.equal(entry, first);
  assert.equal(entry?.state, 'taken');
  assert.equal(inv.readyCount('keygen'), 1);
  assert.equal(inv.stats.handedOut, 1);
  inv.take('quiet');
  assert.equal(inv.stats.misses, 0);
  inv.take('agent');
  assert.equal(inv.stats.misses, 1);
});

test('an entry past its maximum age is never handed out, and retireOld removes it', () => {
  const { inv, build, advance } = inventory();
  const old = build('keygen');
  advance(60_001);
  const young = build('keygen');
  const { entry, expired } = inv.take('keygen');
  assert.equal(entry, young);
  assert.deepEqual(expired, [old]);
  assert.equal(old.state, 'gone');
  assert.equal(inv.stats.retired, 1);

  const agent = build('agent');
  advance(60_001);
  assert.deepEqual(inv.retireOld(), [agent]);
  assert.equal(inv.readyCount('agent'), 0);
  assert.equal(inv.stats.retired, 2);
});

test('the cap counts pooled environments: no room at the cap, and the oldest idle ones make way for a session', () => {
  const { inv, build, advance } = inventory({ maxSessions: 4 });
  const oldest = build('keygen');
  advance(1);
  const middle = build('agent');
  advance(1);
  build('keygen');
  assert.ok(inv.hasRoom(0));
  assert.ok(!inv.hasRoom(1), '1 session + 3 pooled = the cap');
  assert.deepEqual(inv.makeRoom(1), [], 'at the cap is not over it');
  assert.deepEqual(inv.makeRoom(3), [oldest, middle], '3 sessions + 1 pooled');
  assert.equal(inv.stats.evicted, 2);
  assert.equal(inv.size, 1);
});

test('a lost entry leaves the pool once; a taken one stays with its session', () => {
  const { inv, build } = inventory();
  const a = build('keygen');
  const b = build('keygen');
  assert.ok(inv.lose(a));
  assert.ok(!inv.lose(a));
  assert.equal(inv.stats.lost, 1);
  inv.take('keygen');
  assert.ok(!inv.lose(b), 'taken');
  assert.deepEqual(inv.removeAll(), []);
});
