import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TicketBook } from '../../src/server/sessions/tickets.js';
import { hashSecret, newPassword, newSecret, newSessionId, secretMatches } from '../../src/server/sessions/tokens.js';

test('tokens carry 256 bits and are kept only as hashes', () => {
  const token = newSecret();
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  const hash = hashSecret(token);
  assert.ok(secretMatches(token, hash));
  assert.ok(!secretMatches(newSecret(), hash));
  assert.notEqual(newSecret(), newSecret());
});

test('session ids fit Docker names; passwords are random and typeable', () => {
  assert.match(newSessionId(), /^[a-z0-9x]{12}$/);
  assert.match(newPassword(), /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  assert.notEqual(newPassword(), newPassword());
});

test('a ticket works once, for its own session, before it expires', async () => {
  const book = new TicketBook(50);
  const { ticket } = book.issue('s1');
  assert.ok(!book.redeem(ticket, 's2'), 'another session');
  const second = book.issue('s1').ticket;
  assert.ok(book.redeem(second, 's1'));
  assert.ok(!book.redeem(second, 's1'), 'single use');
  const late = book.issue('s1').ticket;
  await new Promise((r) => setTimeout(r, 80));
  assert.ok(!book.redeem(late, 's1'), 'expired');
  const revoked = book.issue('s3').ticket;
  book.revokeSession('s3');
  assert.ok(!book.redeem(revoked, 's3'), 'revoked with its session');
});
