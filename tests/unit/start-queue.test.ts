import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StartQueue } from '../../src/server/pool/start-queue';

/** A start that finishes when told to, recording when it began. */
function gate(log: string[], name: string) {
  let finish!: (ok: boolean) => void;
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  const start = async () => {
    log.push(name);
    if (!(await done)) throw new Error(`${name} failed`);
    return name;
  };
  return { start, finish };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the start queue', () => {
  test('runs at most `concurrent` starts at once, the rest in arrival order', async () => {
    const queue = new StartQueue(2);
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    const results = gates.map((g) => queue.run(true, g.start));
    await turn();
    assert.deepEqual(log, ['a', 'b']);
    assert.equal(queue.active, 2);
    assert.equal(queue.queued, 2);
    gates[1]!.finish(true);
    await turn();
    assert.deepEqual(log, ['a', 'b', 'c']);
    gates[0]!.finish(true);
    gates[2]!.finish(true);
    gates[3]!.finish(true);
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
    assert.equal(queue.active, 0);
  });

  test('a learner waiting goes before every queued pool build, behind learners who came first', async () => {
    const queue = new StartQueue(1);
    const log: string[] = [];
    const first = gate(log, 'build-running');
    const running = queue.run(false, first.start);
    const later = [
      ['build-1', false],
      ['learner-1', true],
      ['build-2', false],
      ['learner-2', true],
    ] as const;
    const gates = later.map(([name]) => gate(log, name));
    const results = later.map(([, urgent], i) => queue.run(urgent, gates[i]!.start));
    await turn();
    first.finish(true);
    for (const g of gates) g.finish(true);
    await Promise.all([running, ...results]);
    assert.deepEqual(log, ['build-running', 'learner-1', 'learner-2', 'build-1', 'build-2']);
  });

  test('a start that fails gives its turn to the next one', async () => {
    const queue = new StartQueue(1);
    const log: string[] = [];
    const failing = gate(log, 'x');
    const next = gate(log, 'y');
    const x = queue.run(true, failing.start);
    const y = queue.run(true, next.start);
    failing.finish(false);
    await assert.rejects(x, /x failed/);
    next.finish(true);
    assert.equal(await y, 'y');
    assert.deepEqual(log, ['x', 'y']);
  });

  test('0 admits every start at once', async () => {
    const queue = new StartQueue(0);
    const log: string[] = [];
    const gates = ['a', 'b', 'c'].map((n) => gate(log, n));
    const results = gates.map((g) => queue.run(false, g.start));
    await turn();
    assert.deepEqual(log, ['a', 'b', 'c']);
    for (const g of gates) g.finish(true);
    await Promise.all(results);
  });
});
