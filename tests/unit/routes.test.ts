/** The /api routes through app.inject(): bodies, tokens, limits and their messages, over a fake provider. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const json = (body: unknown) => ({ 'content-type': 'application/json', payload: JSON.stringify(body) });

describe('sessions', () => {
  let t: TestApp;
  let session: CreateSessionResponse;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.close());

  test('POST /api/sessions starts a session: 201 with its token, not cached', async () => {
    const { 'content-type': contentType, payload } = json({ labId: 'keygen' });
    const response = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { 'content-type': contentType }, payload });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    session = response.json();
    assert.equal(session.labId, 'keygen');
    assert.ok(session.token.length >= 32);
    assert.equal(t.provider.started.length, 1);
    assert.ok(session.hosts.some((h) => h.role === 'workstation'));
  });

  test('a bad body is a 400 that names the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ labId: 'Not A Lab' }, /Invalid request body: "labId" use lower-case letters, digits and dashes\./],
      [{ labId: 'keygen', extra: 1 }, /Invalid request body: unknown field\(s\) extra\./],
      [{}, /Invalid request body: "labId" /],
      [[], /Invalid request body: /],
    ];
    for (const [body, message] of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().error, 'BAD_REQUEST');
      assert.match(response.json().message, message);
    }
  });

  test('malformed JSON, a non-JSON body and an oversize body get their own codes', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { 'content-type': 'application/json' }, payload: '{"labId":' });
    assert.deepEqual([bad.statusCode, bad.json().error], [400, 'BAD_JSON']);
    const text = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { 'content-type': 'text/plain' }, payload: 'keygen' });
    assert.deepEqual([text.statusCode, text.json().error], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ labId: 'x'.repeat(20_000) }),
    });
    assert.deepEqual([big.statusCode, big.json().error], [413, 'BODY_TOO_LARGE']);
  });

  test('an unknown lab is a 404 that points at the list', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'content-type': 'application/json' },
      payload: '{"labId":"no-such-lab"}',
    });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: 'LAB_UNKNOWN', message: 'No lab named "no-such-lab". GET /api/labs lists the labs.' });
  });

  test('session routes need the session token: 401 without, 403 with another, 404 for an unknown session', async () => {
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/ticket'],
      ['GET', '/solution'],
      ['POST', '/check'],
      ['DELETE', ''],
    ] as const) {
      const url = `/api/sessions/${session.id}${path}`;
      const none = await t.app.inject({ method, url });
      assert.deepEqual([none.statusCode, none.json().error], [401, 'TOKEN_MISSING'], `${method} ${url}`);
      const wrong = await t.app.inject({ method, url, headers: { authorization: `Bearer ${session.token.slice(0, -2)}xx` } });
      assert.deepEqual([wrong.statusCode, wrong.json().error], [403, 'TOKEN_WRONG'], `${method} ${url}`);
      const unknown = await t.app.inject({ method, url: `/api/sessions/nope${path}`, headers: { authorization: `Bearer ${session.token}` } });
      assert.deepEqual([unknown.statusCode, unknown.json().error], [404, 'SESSION_UNKNOWN'], `${method} ${url}`);
    }
    const tooLong = await t.app.inject({ method: 'GET', url: `/api/sessions/${'a'.repeat(65)}`, headers: { authorization: `Bearer ${session.token}` } });
    assert.equal(tooLong.statusCode, 400);
    assert.match(tooLong.json().message, /Invalid path: "id" /);
  });

  test('with its token a session reads, issues a ticket, checks a named step only, and ends', async () => {
    const authorization = `Bearer ${session.token}`;
    const read = await t.app.inject({ method: 'GET', url: `/api/sessions/${session.id}`, headers: { authorization } });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().id, session.id);
    assert.equal(read.json().token, undefined, 'the token is given once, at creation');
    const ticket = await t.app.inject({ method: 'POST', url: `/api/sessions/${session.id}/ticket`, headers: { authorization } });
    assert.equal(ticket.statusCode, 200);
    assert.ok(ticket.json().ticket.length > 16);
    const step = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/check`,
      headers: { authorization, 'content-type': 'application/json' },
      payload: '{"stepId":"no-step"}',
    });
    assert.deepEqual([step.statusCode, step.json().error], [404, 'STEP_UNKNOWN']);
    const solution = await t.app.inject({ method: 'GET', url: `/api/sessions/${session.id}/solution`, headers: { authorization } });
    assert.equal(solution.statusCode, 200);
    assert.ok(solution.json().steps.length > 0);
    const ended = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${session.id}`, headers: { authorization } });
    assert.equal(ended.statusCode, 204);
    assert.equal(t.provider.started[0]?.disposed, true);
    const gone = await t.app.inject({ method: 'GET', url: `/api/sessions/${session.id}`, headers: { authorization } });
    assert.equal(gone.statusCode, 404);
  });

  test('an unknown /api path is a JSON 404; /api/labs lists the labs', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/nothing?x=1' });
    assert.deepEqual(missing.json(), { error: 'NOT_FOUND', message: 'No API route GET /api/nothing.' });
    const labs = await t.app.inject({ method: 'GET', url: '/api/labs' });
    assert.equal(labs.statusCode, 200);
    assert.ok(labs.json().some((lab: { id: string }) => lab.id === 'keygen'));
  });
});

describe('rate limits', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ SSH_LAB_SESSION_CREATE_PER_MINUTE: '3', SSH_LAB_API_PER_MINUTE: '10' });
  });
  after(() => t.close());

  const create = (remoteAddress: string) =>
    t.app.inject({ method: 'POST', url: '/api/sessions', remoteAddress, headers: { 'content-type': 'application/json' }, payload: '{"labId":"no-such-lab"}' });

  test('session creation has its own limit per address, with its own message and Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await create('203.0.113.10'));
    assert.deepEqual(
      statuses.map((r) => r.statusCode),
      [404, 404, 404, 429, 429],
    );
    const limited = statuses[3];
    assert.ok(limited);
    assert.equal(limited.json().error, 'RATE_LIMITED');
    assert.match(limited.json().message, /^Too many new sessions from your address/);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await create('203.0.113.11')).statusCode, 404, 'another address is unaffected');
  });

  test('every other /api route, terminal upgrades included, is limited per address and route; /healthz is not', async () => {
    const ticket = () =>
      t.app.inject({ method: 'POST', url: '/api/sessions/nope/ticket', remoteAddress: '198.51.100.7', headers: { authorization: 'Bearer x' } });
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await ticket()).statusCode);
    assert.deepEqual(statuses, [...Array(10).fill(404), 429, 429]);
    const limited = await ticket();
    assert.equal(limited.json().error, 'RATE_LIMITED');
    assert.match(limited.json().message, /^Too many requests from your address/);
    assert.ok(limited.headers['content-security-policy'], 'a refusal carries the security headers too');

    const upgrade = () =>
      t.app.inject({
        method: 'GET',
        url: '/api/sessions/nope/terminal?ticket=x',
        remoteAddress: '198.51.100.7',
        headers: { origin: 'http://lab.test', host: 'lab.test' },
      });
    const upgrades = [];
    for (let i = 0; i < 11; i++) upgrades.push((await upgrade()).statusCode);
    assert.deepEqual(upgrades, [...Array(10).fill(404), 429], 'the terminal route counts on its own');
    for (let i = 0; i < 12; i++) assert.equal((await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' })).statusCode, 200);
  });
});
