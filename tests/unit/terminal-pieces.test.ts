import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripAnsi, promptAtEnd } from '../../src/labs/terminal-client.js';
import { clientMessageSchema } from '../../src/protocol/terminal.js';
import { floodFrameBytes, floodGatherMs, OutputBatcher } from '../../src/server/terminal/output-batcher.js';
import { RingBuffer } from '../../src/server/terminal/ring-buffer.js';

test('the ring buffer keeps exactly the last bytes, across wrap-around', () => {
  const ring = new RingBuffer(8);
  ring.push(Buffer.from('abc'));
  ring.push(Buffer.from('defgh'));
  assert.equal(ring.contents().toString(), 'abcdefgh');
  ring.push(Buffer.from('ij'));
  assert.equal(ring.contents().toString(), 'cdefghij');
  ring.push(Buffer.from('0123456789'));
  assert.equal(ring.contents().toString(), '23456789');
  ring.clear();
  assert.equal(ring.contents().length, 0);
});

test('small output goes out on the next turn; output right after a large frame is gathered into larger frames', (t) => {
  t.mock.timers.enable({ apis: ['setImmediate', 'setTimeout', 'Date'], now: 10_000 });
  const frames: string[] = [];
  const batcher = new OutputBatcher((frame) => frames.push(frame.toString()), 4 * floodFrameBytes);
  const big = (c: string) => c.repeat(floodFrameBytes);
  for (const key of 'abc') {
    batcher.push(Buffer.from(key));
    t.mock.timers.tick(0);
  }
  assert.deepEqual(frames, ['a', 'b', 'c'], 'echoes of fast typing wait for nothing but the end of the turn');

  batcher.push(Buffer.from(big('x')));
  t.mock.timers.tick(0);
  assert.equal(frames.at(-1), big('x'), 'a large frame after small ones: at once');
  batcher.push(Buffer.from('d'));
  t.mock.timers.tick(0);
  batcher.push(Buffer.from('e'));
  t.mock.timers.tick(floodGatherMs - 1);
  assert.equal(frames.length, 4, 'right after a large frame: gathered');
  t.mock.timers.tick(1);
  assert.deepEqual(frames.at(-1), 'de', 'sent once the gathering time is up');

  batcher.push(Buffer.from(big('y')));
  t.mock.timers.tick(0);
  assert.equal(frames.at(-1), big('y'), 'the gathering time after the last large frame is over: at once');
  batcher.push(Buffer.from(big('z').repeat(3)));
  t.mock.timers.tick(0);
  assert.equal(frames.at(-1), big('y'), 'gathered');
  batcher.push(Buffer.from(big('!')));
  assert.equal(frames.at(-1), `${big('z').repeat(3)}${big('!')}`, 'a full frame goes at once, flood or not');
  t.mock.timers.tick(floodGatherMs);
  assert.equal(frames.length, 7, 'and nothing is left scheduled');

  t.mock.timers.tick(1_000);
  batcher.push(Buffer.from('f'));
  t.mock.timers.tick(0);
  assert.deepEqual(frames.at(-1), 'f', 'quiet again: at once');

  batcher.push(Buffer.from(big('w')));
  t.mock.timers.tick(0);
  batcher.push(Buffer.from('lost'));
  batcher.clear();
  t.mock.timers.tick(floodGatherMs);
  assert.equal(frames.length, 9, 'cleared output is never sent');
});

test('control messages are validated and bounded', () => {
  assert.ok(clientMessageSchema.safeParse({ type: 'resize', cols: 120, rows: 40 }).success);
  assert.ok(!clientMessageSchema.safeParse({ type: 'resize', cols: 0, rows: 40 }).success);
  assert.ok(!clientMessageSchema.safeParse({ type: 'resize', cols: 501, rows: 40 }).success);
  assert.ok(!clientMessageSchema.safeParse({ type: 'resize', cols: 80, rows: 24, extra: 1 }).success);
  assert.ok(!clientMessageSchema.safeParse({ type: 'exec', command: 'rm -rf /' }).success);
  assert.ok(clientMessageSchema.safeParse({ type: 'ack', bytes: 1024 }).success);
  assert.ok(!clientMessageSchema.safeParse({ type: 'ack', bytes: -1 }).success);
});

test('escape sequences are removed and the prompt is recognised', () => {
  const raw = '\x1b[?2004h\x1b[1;32mlearner@workstation\x1b[0m:\x1b[1;34m~/x y\x1b[0m$ ';
  assert.equal(stripAnsi(raw), 'learner@workstation:~/x y$ ');
  assert.match(stripAnsi(raw), promptAtEnd);
  assert.doesNotMatch('learner@workstation:~$ ls\nfile', promptAtEnd);
});
