/**
 * The backend's side of attach's input: keystrokes and sizes in dtach's 10-byte client packets
 * (dtach.h), which attach forwards whole to the master. The shell side is proved against real
 * dtach in tests/integration/persistent-shell.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushPackets, windowPacket } from '../../src/server/environments/persistent-shell.js';

test('keystrokes become MSG_PUSH packets of at most 8 bytes, each saying how many it holds', () => {
  const packets = pushPackets(Buffer.from('ls -la /etc\r'));
  assert.equal(packets.length, 20);
  assert.deepEqual([...packets.subarray(0, 2)], [0, 8]);
  assert.equal(packets.subarray(2, 10).toString(), 'ls -la /');
  assert.deepEqual([...packets.subarray(10, 12)], [0, 4]);
  assert.equal(packets.subarray(12, 16).toString(), 'etc\r');
  assert.deepEqual([...packets.subarray(16, 20)], [0, 0, 0, 0], 'the rest of the last packet is zero');
});

test('one keystroke is one packet, and a paste of any length is whole packets', () => {
  assert.deepEqual([...pushPackets(Buffer.from([0x03]))], [0, 1, 3, 0, 0, 0, 0, 0, 0, 0]);
  for (const length of [7, 8, 9, 16, 65_537]) {
    const packets = pushPackets(Buffer.alloc(length, 0x61));
    assert.equal(packets.length, Math.ceil(length / 8) * 10);
    let carried = 0;
    for (let at = 0; at < packets.length; at += 10) carried += packets[at + 1]!;
    assert.equal(carried, length);
  }
});

test('a size is a MSG_WINCH packet with rows then columns, little-endian, clamped to what attach accepts', () => {
  assert.deepEqual([...windowPacket(40, 300)], [3, 0, 40, 0, 44, 1, 0, 0, 0, 0]);
  assert.deepEqual([...windowPacket(0, 100_000).subarray(2, 6)], [1, 0, 0x0f, 0x27]);
});
