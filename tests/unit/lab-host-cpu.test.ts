import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HostLimits, LabHostContainer } from '../../src/server/environments/lab-host-container.js';

const limits: HostLimits = { memoryMb: 160, cpuShares: 256, pids: 96, homeMb: 32, tmpMb: 16 };
/** The host config Docker receives (testcontainers keeps it protected; this test reads what withHardening wrote). */
const hostConfig = (c: LabHostContainer) => (c as unknown as { hostConfig: { CpuShares?: number; NanoCpus?: number } }).hostConfig;

test('a host gets its CPU weight and no quota when no ceiling is set', () => {
  const config = hostConfig(new LabHostContainer('ssh-lab/lab-host').withHardening(limits));
  assert.equal(config.CpuShares, 256);
  assert.equal(config.NanoCpus, 0);
});

test("an operator's ceiling becomes a CFS quota beside the weight", () => {
  const config = hostConfig(new LabHostContainer('ssh-lab/lab-host').withHardening({ ...limits, cpus: 1.5 }));
  assert.equal(config.CpuShares, 256);
  assert.equal(config.NanoCpus, 1.5e9);
});
