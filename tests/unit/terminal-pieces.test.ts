import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripAnsi, promptAtEnd } from '../../src/labs/terminal-client.js';
import { clientMessageSchema } from '../../src/protocol/terminal.js';
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
