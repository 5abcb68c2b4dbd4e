import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { prepareHostCgroupParent, sharesToWeight } from '../../src/server/environments/host-cgroup.js';

// A directory laid out like /sys/fs/cgroup (v1: one directory per controller; v2: one tree).
const roots: string[] = [];
function fakeCgroupRoot(version: 1 | 2): string {
  const root = mkdtempSync(join(tmpdir(), 'ssh-lab-cgroup-'));
  roots.push(root);
  if (version === 1) {
    mkdirSync(join(root, 'cpu'));
    writeFileSync(join(root, 'cpu', 'cpu.shares'), '1024\n');
  } else writeFileSync(join(root, 'cgroup.subtree_control'), 'memory pids\n');
  return root;
}
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

test('cgroup v1: the parent is made under the cpu controller with its shares', () => {
  const root = fakeCgroupRoot(1);
  assert.equal(prepareHostCgroupParent({ name: 'ssh-lab-hosts', shares: 128 }, 'cgroupfs', root), '/ssh-lab-hosts');
  assert.equal(readFileSync(join(root, 'cpu', 'ssh-lab-hosts', 'cpu.shares'), 'utf8'), '128');
});

test('cgroup v2: the cpu controller is enabled for the children and the weight converted from shares', () => {
  const root = fakeCgroupRoot(2);
  prepareHostCgroupParent({ name: 'ssh-lab-hosts', shares: 128 }, 'cgroupfs', root);
  assert.equal(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+cpu');
  assert.equal(readFileSync(join(root, 'ssh-lab-hosts', 'cpu.weight'), 'utf8'), String(sharesToWeight(128)));
  assert.deepEqual([sharesToWeight(2), sharesToWeight(1024), sharesToWeight(262_144)], [1, 40, 10_000]);
});

test('an engine with the systemd driver or a cgroupfs we cannot write is refused in one sentence naming the way out', () => {
  assert.throws(
    () => prepareHostCgroupParent({ name: 'ssh-lab-hosts', shares: 128 }, 'systemd', fakeCgroupRoot(1)),
    /uses systemd\); unset SSH_LAB_HOST_CGROUP_PARENT/,
  );
  const root = fakeCgroupRoot(1);
  writeFileSync(join(root, 'cpu', 'ssh-lab-hosts'), 'a file where the directory should be');
  assert.throws(
    () => prepareHostCgroupParent({ name: 'ssh-lab-hosts', shares: 128 }, 'cgroupfs', root),
    /could not give the lab hosts' cgroup \/ssh-lab-hosts its CPU weight/,
  );
});
