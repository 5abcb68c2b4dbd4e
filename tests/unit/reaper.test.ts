import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelKeys } from '../../src/server/environments/labels.js';
import { Reaper, type LabelledResource, type ReapableResources } from '../../src/server/environments/reaper.js';

const me = 'host:1:me';
const deadBackend = 'host:2:dead';
const liveBackend = 'host:3:alive';
const labels = (session: string, owner: string) => ({ [labelKeys.session]: session, [labelKeys.owner]: owner });

/** Labelled containers, networks and firewall rules in memory; ids in `stuck` refuse to be removed. */
class FakeResources implements ReapableResources {
  constructor(
    public containerList: LabelledResource[],
    public networkList: LabelledResource[],
    public rules: string[] = [],
    readonly stuck = new Set<string>(),
  ) {}
  async containers() {
    return this.containerList;
  }
  async networks() {
    return this.networkList;
  }
  async removeContainer(id: string) {
    if (this.stuck.has(id)) throw new Error(`container ${id} is stuck`);
    this.containerList = this.containerList.filter((c) => c.id !== id);
  }
  async removeNetwork(id: string) {
    if (this.stuck.has(id)) throw new Error(`network ${id} has active endpoints`);
    this.networkList = this.networkList.filter((n) => n.id !== id);
  }
  async blockedBridges() {
    return this.rules;
  }
  async unblock(bridge: string) {
    this.rules = this.rules.filter((r) => r !== bridge);
  }
}

const reaper = new Reaper(me, (owner) => owner === liveBackend);

test("removes its own resources of ended sessions and a dead backend's, never a live session's or another live backend's", async () => {
  const resources = new FakeResources(
    [
      { id: 'c-live', labels: labels('live', me) },
      { id: 'c-ended', labels: labels('ended', me) },
      { id: 'c-dead', labels: labels('x', deadBackend) },
      { id: 'c-other', labels: labels('y', liveBackend) },
    ],
    [
      { id: 'n-live', labels: labels('live', me), bridge: 'br-live' },
      { id: 'n-ended', labels: labels('ended', me), bridge: 'br-ended' },
    ],
    ['br-live', 'br-ended', 'br-orphan'],
  );
  const removed = await reaper.reap(resources, new Set(['live']));
  assert.deepEqual(
    resources.containerList.map((c) => c.id),
    ['c-live', 'c-other'],
  );
  assert.deepEqual(
    resources.networkList.map((n) => n.id),
    ['n-live'],
  );
  assert.deepEqual(resources.rules, ['br-live'], "the removed network's rule and the orphaned rule go");
  assert.equal(removed, 4, '2 containers, 1 network (with its rule), 1 orphaned rule');
});

test('a removal that fails is not counted as removed, and its network keeps its firewall rule', async () => {
  const resources = new FakeResources(
    [
      { id: 'c-stuck', labels: labels('a', me) },
      { id: 'c-ok', labels: labels('b', me) },
    ],
    [{ id: 'n-stuck', labels: labels('a', me), bridge: 'br-stuck' }],
    ['br-stuck'],
    new Set(['c-stuck', 'n-stuck']),
  );
  const removed = await reaper.reap(resources, new Set());
  assert.equal(removed, 1, 'only c-ok was removed');
  assert.deepEqual(resources.rules, ['br-stuck'], 'a network still there stays blocked from this machine');
  assert.equal(await reaper.reap(resources, new Set()), 0, 'nothing more can be removed: the next round says 0, not 2');
});

test('with a shared directory: its sessions stay whoever made them, a replica without a heartbeat is gone; other backends on the engine are judged as before', async () => {
  const cluster = 'c0ffee';
  const ours = (session: string, owner: string) => ({ ...labels(session, owner), [labelKeys.cluster]: cluster });
  const resources = new FakeResources(
    [
      { id: 'c-adopted', labels: ours('adopted', deadBackend) },
      { id: 'c-dead-pool', labels: ours('pooled-dead', deadBackend) },
      { id: 'c-live-pool', labels: ours('pooled-live', 'elsewhere:9:alive') },
      // Its process runs on this machine, but its heartbeat lapsed: it is gone for the directory.
      { id: 'c-stale', labels: ours('pooled-stale', liveBackend) },
      { id: 'c-mine-ended', labels: ours('ended', me) },
      { id: 'c-mine-live', labels: ours('live', me) },
      // Backends that share no directory with us (another cluster, or none): their process decides.
      { id: 'c-other-cluster-live', labels: { ...labels('z', liveBackend), [labelKeys.cluster]: 'other' } },
      { id: 'c-lone-live', labels: labels('w', liveBackend) },
      { id: 'c-lone-dead', labels: labels('v', deadBackend) },
    ],
    [],
  );
  await reaper.reap(resources, new Set(['adopted', 'live']), { cluster, liveOwners: new Set([me, 'elsewhere:9:alive']) });
  assert.deepEqual(resources.containerList.map((c) => c.id).sort(), ['c-adopted', 'c-live-pool', 'c-lone-live', 'c-mine-live', 'c-other-cluster-live']);
});
