import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { ProviderCapacityError, ProviderUnavailableError } from '../../src/server/environments/types.js';
import { createMetrics } from '../../src/server/metrics.js';
import { SessionRegistry } from '../../src/server/sessions/registry.js';
import { TicketBook } from '../../src/server/sessions/tickets.js';
import { FakeSocket, FakeSource, fakeLab } from '../helpers/fakes.js';

const logger = pino({ level: 'silent' });

function registry(env: Record<string, string> = {}) {
  const config = loadConfig({ SSH_LAB_MAX_SESSIONS: '3', SSH_LAB_MAX_SESSIONS_PER_CLIENT: '2', ...env });
  const source = new FakeSource();
  return { registry: new SessionRegistry(config, source, logger, createMetrics()), source };
}

/** The public error a call failed with. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; statusCode: number; message: string };
  }
  assert.fail('expected the call to fail');
}

describe('caps', () => {
  test('per client: the third session of one client is refused (429), another client still gets one', async () => {
    const { registry: r } = registry();
    await r.create(fakeLab(), 'alice');
    await r.create(fakeLab(), 'alice');
    const refused = await failure(r.create(fakeLab(), 'alice'));
    assert.equal(refused.code, 'CLIENT_LIMIT');
    assert.equal(refused.statusCode, 429);
    await r.create(fakeLab(), 'bob');
    assert.equal(r.size, 3);
  });

  test('global: sessions being started count, so a burst cannot overshoot the cap', async () => {
    const { registry: r, source } = registry({ SSH_LAB_MAX_SESSIONS_PER_CLIENT: '3' });
    let release!: () => void;
    source.gate = new Promise((resolve) => (release = resolve));
    const starting = [r.create(fakeLab(), 'a'), r.create(fakeLab(), 'b'), r.create(fakeLab(), 'c')];
    assert.equal(r.provisioning, 3);
    const refused = await failure(r.create(fakeLab(), 'd'));
    assert.equal(refused.code, 'CAPACITY_FULL');
    assert.equal(refused.statusCode, 503);
    assert.match(refused.message, /All 3 lab environments are in use/);
    release();
    await Promise.all(starting);
    assert.equal(r.size, 3);
    assert.equal(r.provisioning, 0);
  });

  test('an ended session frees its place and disposes its environment', async () => {
    const { registry: r, source } = registry({ SSH_LAB_MAX_SESSIONS: '1', SSH_LAB_MAX_SESSIONS_PER_CLIENT: '1' });
    const { session } = await r.create(fakeLab(), 'a');
    await r.end(session.id, 'test');
    assert.equal(source.acquired[0]?.disposals, 1);
    await r.create(fakeLab(), 'a');
  });
});

describe('provider failures become public errors', () => {
  test('a provider that ran out of room says what ran out (503 ENVIRONMENT_CAPACITY), not that all sessions are in use', async () => {
    const { registry: r, source } = registry();
    source.failWith = new ProviderCapacityError('the subnet pool 172.29.0.0/16 is exhausted');
    const refused = await failure(r.create(fakeLab(), 'a'));
    assert.equal(refused.code, 'ENVIRONMENT_CAPACITY');
    assert.equal(refused.statusCode, 503);
    assert.match(refused.message, /no room for another environment right now: the subnet pool 172\.29\.0\.0\/16 is exhausted\./);
    assert.doesNotMatch(refused.message, /All \d+ lab environments/);
    assert.equal(r.size, 0, 'the place is given back');
  });

  test('an unavailable provider is ENVIRONMENTS_UNAVAILABLE; anything else is ENVIRONMENT_FAILED', async () => {
    const { registry: r, source } = registry();
    source.failWith = new ProviderUnavailableError('No Docker engine answers');
    const unavailable = await failure(r.create(fakeLab(), 'a'));
    assert.equal(unavailable.code, 'ENVIRONMENTS_UNAVAILABLE');
    assert.match(unavailable.message, /unavailable: No Docker engine answers\. /);
    source.failWith = new Error('ECONNRESET somewhere inside');
    const failed = await failure(r.create(fakeLab(), 'a'));
    assert.equal(failed.code, 'ENVIRONMENT_FAILED');
    assert.doesNotMatch(failed.message, /ECONNRESET/, 'internal detail stays in the log');
  });
});

test("a lost environment ends the learner's terminal with the reason and marks the session lost", async () => {
  const { registry: r, source } = registry();
  const { session } = await r.create(fakeLab(), 'a');
  const socket = new FakeSocket();
  await session.terminal.attach(socket);
  source.acquired[0]!.lose('host workstation stopped (die)');
  assert.equal(session.state, 'lost');
  const exit = socket.controls.at(-1);
  assert.ok(exit?.type === 'exit' && exit.reason === 'environment-lost');
  assert.match(exit.message, /environment stopped \(host workstation stopped \(die\)\)/);
});

describe('tickets', () => {
  test('a ticket is single-use and only for its own session', () => {
    const book = new TicketBook(30_000);
    const { ticket, expiresInSeconds } = book.issue('s1');
    assert.equal(expiresInSeconds, 30);
    assert.ok(!book.redeem(ticket, 's2'), 'another session');
    const again = book.issue('s1').ticket;
    assert.ok(book.redeem(again, 's1'));
    assert.ok(!book.redeem(again, 's1'), 'spent');
  });

  test('a ticket expires after its time to live', (t) => {
    t.mock.timers.enable({ apis: ['Date'] });
    const book = new TicketBook(30_000);
    const late = book.issue('s1').ticket;
    const inTime = book.issue('s1').ticket;
    t.mock.timers.tick(29_999);
    assert.ok(book.redeem(inTime, 's1'));
    t.mock.timers.tick(1);
    assert.ok(!book.redeem(late, 's1'));
  });
});
