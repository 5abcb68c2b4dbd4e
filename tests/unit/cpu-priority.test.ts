import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getuid } from 'node:process';
import { describe, test } from 'node:test';

/**
 * Each case runs in a child of its own session (setsid), so it has an autogroup of its own and
 * this test process keeps its priority. The child prints what setOwnCpuPriority returned, the
 * nice value of each of its threads and its autogroup's nice.
 */
const child = (nice: number, relative: boolean, asNobody: boolean) => `
  import { readdirSync, readFileSync } from 'node:fs';
  import { getPriority } from 'node:os';
  import { setOwnCpuPriority } from './src/server/process/cpu-priority.ts';
  const group = () => Number(/ nice (-?\\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1]);
  ${asNobody ? "process.setgid('nogroup'); process.setuid('nobody');" : ''}
  const before = { nice: getPriority(0), group: group() };
  const result = setOwnCpuPriority(${nice} + (${relative} ? before.nice : 0));
  const threads = readdirSync('/proc/self/task').map((tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
  console.log(JSON.stringify({ before, result, threads, group: group() }));
`;

interface Outcome {
  before: { nice: number; group: number };
  result: { applied: boolean; nice: number; reason?: string };
  threads: number[];
  group: number;
}

/** `relative`: nice is added to the child's inherited value (a raise is always above what it has). */
function run(nice: number, { relative = false, asNobody = false } = {}): Outcome {
  const out = execFileSync('setsid', ['--wait', process.execPath, '--import', 'tsx', '--input-type=module', '-e', child(nice, relative, asNobody)], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const autogroups = (() => {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
})();

describe("the backend's own CPU priority", () => {
  test('every thread takes the nice value, and so does the session group where the kernel has one', () => {
    const { result, threads, group } = run(19);
    assert.deepEqual(result, { applied: true, nice: 19 });
    assert.ok(threads.length > 1, 'node runs several threads');
    assert.deepEqual(new Set(threads), new Set([19]));
    if (autogroups) assert.equal(group, 19);
  });

  test('a raise the process may not make is refused in one sentence and leaves every thread as it was', {
    skip: getuid?.() !== 0 && 'needs root to become nobody',
  }, () => {
    const { before, result, threads, group } = run(-1, { relative: true, asNobody: true });
    assert.deepEqual(result, { applied: false, nice: before.nice, reason: 'needs root or CAP_SYS_NICE' });
    assert.deepEqual(new Set(threads), new Set([before.nice]));
    if (autogroups) assert.equal(group, before.group);
  });

  test('as root, a raise above the inherited priority is applied', { skip: getuid?.() !== 0 && 'needs root' }, () => {
    const { before, result, threads, group } = run(-3, { relative: true });
    const raised = before.nice - 3;
    assert.deepEqual(result, { applied: true, nice: raised });
    assert.deepEqual(new Set(threads), new Set([raised]));
    if (autogroups) assert.equal(group, raised);
  });
});
