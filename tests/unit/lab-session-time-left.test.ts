import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimeLeft } from '../../src/components/Lab/TimeLeft';

test('the countdown reads minutes and seconds, and stops at zero', () => {
  const expiresAt = '2026-12-01T20:30:00Z';
  const at = (iso: string) => new Date(iso).getTime();
  assert.equal(formatTimeLeft(expiresAt, at('2026-12-01T20:00:00Z')), '30:00');
  assert.equal(formatTimeLeft(expiresAt, at('2026-12-01T20:29:05Z')), '0:55');
  assert.equal(formatTimeLeft(expiresAt, at('2026-12-01T20:31:00Z')), '0:00');
});
