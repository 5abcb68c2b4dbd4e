import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { OutputShare } from '../../src/server/terminal/output-share.js';
import { PauseGate } from '../../src/server/terminal/pause-gate.js';

/** A source that records what was done to it. */
function source() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

// 1 KB a second each while shared, streaming above 500 B/s, counted every 100 ms: a window's budget is 100 B.
const options = { shareBytesPerSecond: 1000, streamingBytesPerSecond: 500, windowMs: 100 };

/** Two terminals that both streamed through a first window, so the share holds from now on. */
function twoStreaming(t: TestContext, assertBefore?: (a: ReturnType<typeof source>) => void) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const share = new OutputShare(options);
  const [a, b] = [source(), source()];
  const [ma, mb] = [share.join(a), share.join(b)];
  ma.sent(1000);
  mb.sent(1000);
  assertBefore?.(a);
  t.mock.timers.tick(100);
  return { a, b, ma, mb };
}

describe('the output share between streaming terminals', () => {
  test('a terminal streaming alone is never held', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const share = new OutputShare(options);
    const alone = source();
    const member = share.join(alone);
    share.join(source()); // idle
    for (let window = 0; window < 5; window++) {
      member.sent(10_000);
      t.mock.timers.tick(100);
    }
    assert.deepEqual(alone.calls, []);
  });

  test('two streaming terminals are each held to the share, window by window, and let go when one stops', (t) => {
    const { a, b, ma, mb } = twoStreaming(t, (a) => assert.deepEqual(a.calls, [], 'nothing is held before the first count'));
    ma.sent(60);
    assert.deepEqual(a.calls, [], 'within its window budget');
    ma.sent(60);
    assert.deepEqual(a.calls, ['pause'], 'over it: held');
    ma.sent(60);
    assert.deepEqual(a.calls, ['pause'], 'held once');
    mb.sent(200);
    assert.deepEqual(b.calls, ['pause']);
    t.mock.timers.tick(100);
    assert.deepEqual(a.calls, ['pause', 'resume'], 'a new window lets it go');
    assert.deepEqual(b.calls, ['pause', 'resume']);

    mb.sent(200); // b streams on, a went quiet (it was held in the last window, so it still counted)
    t.mock.timers.tick(100);
    assert.deepEqual(b.calls, ['pause', 'resume', 'pause', 'resume']);
    mb.sent(10_000);
    assert.deepEqual(b.calls, ['pause', 'resume', 'pause', 'resume'], 'alone now: free');
  });

  test('a terminal that leaves while held is let go', (t) => {
    const { a, ma, mb } = twoStreaming(t);
    ma.sent(1000);
    ma.leave();
    assert.deepEqual(a.calls, ['pause', 'resume']);
    mb.leave();
  });
});

describe('a source held back for several reasons', () => {
  test('pauses on the first hold and resumes only when no reason holds it', () => {
    const inner = source();
    const gate = new PauseGate(() => inner);
    const [flow, share] = [gate.reason('flow'), gate.reason('share')];
    flow.pause();
    share.pause();
    flow.pause();
    assert.deepEqual(inner.calls, ['pause']);
    flow.resume();
    assert.deepEqual(inner.calls, ['pause'], 'the share still holds it');
    assert.ok(gate.held);
    share.resume();
    share.resume();
    assert.deepEqual(inner.calls, ['pause', 'resume']);
    assert.ok(!gate.held);
  });

  test('a new source starts unheld: what held the old one does not count for it', () => {
    let inner: ReturnType<typeof source> | undefined = source();
    const first = inner;
    const gate = new PauseGate(() => inner);
    const [flow, share] = [gate.reason('flow'), gate.reason('share')];
    flow.pause();
    inner = undefined; // the channel closed while paused
    flow.resume();
    share.pause();
    assert.ok(!gate.held, 'nothing to hold while there is no source');
    inner = source();
    flow.pause();
    assert.deepEqual(inner.calls, ['pause'], 'the new source is paused by the next hold');
    flow.resume();
    assert.deepEqual(inner.calls, ['pause', 'resume']);
    assert.deepEqual(first.calls, ['pause']);
  });
});
