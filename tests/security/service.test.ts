/**
 * The service's front door, attacked: origins, tokens, tickets, oversize and malformed frames,
 * random bytes, a session-creation flood, the caps, headers, and secrets in logs.
 * Over 300 lines: one attack surface per file, many short attempts.
 * Provider-parameterised: nothing here looks at containers, so SSH_LAB_PROVIDER=kubernetes runs it on a
 * live cluster (KUBECONFIG, SSH_LAB_K8S_POD_IP); without one it is skipped with one line.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { TerminalClient } from '../../src/labs/terminal-client.js';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import type { RunningServer } from '../../src/server/main.js';
import { startTestServer } from '../helpers/server.js';
import { closedWith, createSession, echoRoundTrip, health, openShell, pools, rawSocket, sh, sleep, startChildServer, terminalUrl, ticket } from './helpers.js';
import { needsLiveCluster, providerUnderTest } from '../helpers/provider-resources.js';

/** Another session's echo while one misbehaves: slower is starvation. A safety bound only; the benchmark measures echo (scripts/bench.ts). */
const starvedEchoMs = 10_000;
let server: RunningServer;
const shells: TerminalClient[] = [];
/** Sessions made by the flood test, used by the socket tests after it. */
const sessions: CreateSessionResponse[] = [];

describe(`the service's front door on ${providerUnderTest}`, { skip: needsLiveCluster('security service') }, () => {
  before(async () => {
    server = await startTestServer({
      SSH_LAB_SUBNET_POOL: pools.service,
      SSH_LAB_TRUST_PROXY: 'on',
      SSH_LAB_MAX_SESSIONS: '4',
      SSH_LAB_MAX_SESSIONS_PER_CLIENT: '2',
      SSH_LAB_SESSION_CREATE_PER_MINUTE: '3',
    });
  });
  after(async () => {
    for (const terminal of shells) await terminal.close().catch(() => undefined);
    await server?.close();
  });

  async function shell(s: CreateSessionResponse): Promise<TerminalClient> {
    const terminal = await openShell(server.url, s);
    shells.push(terminal);
    return terminal;
  }

  describe('limits on session creation', { timeout: 600_000 }, () => {
    test('a flood from one address gets 429; other addresses are still served; past the global cap 503', async (t) => {
      const flooder = '203.0.113.10';
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await createSession(server.url, 'keygen', flooder));
      const statuses = results.map((r) => `${r.status} ${r.body.error ?? ''}`.trim());
      t.diagnostic(`flood from ${flooder}: ${statuses.join(', ')}`);
      assert.deepEqual(
        results.map((r) => r.status),
        [201, 201, 429, 429, 429, 429, 429, 429],
      );
      assert.equal(results[2]!.body.error, 'CLIENT_LIMIT');
      assert.match(String(results[2]!.body.message), /already have 2 lab sessions open/);
      for (const r of results.slice(3)) {
        assert.equal(r.body.error, 'RATE_LIMITED');
        assert.match(String(r.body.message), /Too many new sessions from your address/);
        assert.ok(Number(r.headers.get('retry-after')) > 0, 'retry-after says when');
      }
      sessions.push(...results.slice(0, 2).map((r) => r.body as unknown as CreateSessionResponse));

      // Others are served meanwhile, up to the global cap of 4; the fifth gets a 503 that says why.
      for (const address of ['203.0.113.20', '203.0.113.30']) {
        const r = await createSession(server.url, 'keygen', address);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        sessions.push(r.body as unknown as CreateSessionResponse);
      }
      const full = await createSession(server.url, 'keygen', '203.0.113.40');
      assert.equal(full.status, 503);
      assert.equal(full.body.error, 'CAPACITY_FULL');
      assert.match(String(full.body.message), /All 4 lab environments are in use/);
      assert.equal((await health(server.url)).status, 'ok');
    });
  });

  describe('the terminal socket', { timeout: 600_000 }, () => {
    test('tokens are 256-bit, opaque, and checked', async () => {
      const [s] = sessions;
      assert.ok(Buffer.from(s!.token, 'base64url').length >= 16, 'at least 128 bits');
      // The first character carries six whole bits (the last of 43 only two), and it must really change.
      const altered = `${s!.token.startsWith('A') ? 'B' : 'A'}${s!.token.slice(1)}`;
      const wrong = await fetch(`${server.url}/api/sessions/${s!.id}/ticket`, {
        method: 'POST',
        headers: { authorization: `Bearer ${altered}` },
      });
      assert.equal(wrong.status, 403);
      assert.equal(((await wrong.json()) as { error: string }).error, 'TOKEN_WRONG');
      const otherToken = await fetch(`${server.url}/api/sessions/${s!.id}`, { headers: { authorization: `Bearer ${sessions[1]!.token}` } });
      assert.equal(otherToken.status, 403, "another session's token opens nothing");
      const none = await fetch(`${server.url}/api/sessions/${s!.id}/ticket`, { method: 'POST' });
      assert.equal(none.status, 401);
    });

    test('upgrades are refused from a foreign or missing Origin, with a wrong, foreign or spent ticket', async () => {
      const [a, b] = sessions;
      const good = await ticket(server.url, a!);
      const url = terminalUrl(server.url, a!.id, good);
      const refusals: [string, Promise<{ status: number; body?: Record<string, unknown> }>, number, string][] = [
        ['foreign origin', rawSocket(url, { origin: 'https://evil.example' }), 403, 'ORIGIN_REFUSED'],
        ['origin null', rawSocket(url, { origin: 'null' }), 403, 'ORIGIN_REFUSED'],
        ['same host, other port', rawSocket(url, { origin: 'http://localhost:1' }), 403, 'ORIGIN_REFUSED'],
        ['no origin', rawSocket(url), 403, 'ORIGIN_REFUSED'],
        ['wrong ticket', rawSocket(terminalUrl(server.url, a!.id, randomBytes(32).toString('base64url')), { origin: server.url }), 403, 'TICKET_INVALID'],
        ['no ticket', rawSocket(`${server.url.replace('http', 'ws')}/api/sessions/${a!.id}/terminal`, { origin: server.url }), 400, 'BAD_REQUEST'],
      ];
      for (const [what, attempt, status, error] of refusals) {
        const result = await attempt;
        assert.equal(result.status, status, what);
        assert.equal(result.body?.error, error, what);
      }
      // A refused Origin did not spend the ticket: it still opens, once.
      const opened = await rawSocket(url, { origin: server.url });
      assert.equal(opened.status, 101);
      opened.socket!.close();
      const spent = await rawSocket(url, { origin: server.url });
      assert.equal(spent.status, 403);
      assert.equal(spent.body?.error, 'TICKET_INVALID');
      // A ticket of session b does not open session a.
      const foreign = await rawSocket(terminalUrl(server.url, a!.id, await ticket(server.url, b!)), { origin: server.url });
      assert.equal(foreign.status, 403);
    });

    test('no compression is negotiated, even when the client offers it', async () => {
      const s = sessions[0]!;
      const result = await rawSocket(terminalUrl(server.url, s.id, await ticket(server.url, s)), { origin: server.url, perMessageDeflate: true });
      assert.equal(result.status, 101);
      assert.equal(result.socket!.extensions, '');
      assert.equal(result.headers?.['sec-websocket-extensions'], undefined);
      result.socket!.close();
    });

    test('an oversize frame closes only that socket', async () => {
      const [a, , c] = sessions;
      const witness = await shell(c!);
      const result = await rawSocket(terminalUrl(server.url, a!.id, await ticket(server.url, a!)), { origin: server.url });
      const closed = closedWith(result.socket!);
      result.socket!.send(Buffer.alloc(70 * 1024, 0x61), { binary: true });
      assert.equal((await closed).code, 1009, 'message too big');
      assert.ok((await echoRoundTrip(witness, starvedEchoMs)) < starvedEchoMs, 'another session still echoes');
      // The offender's own shell is intact: a new socket reattaches.
      const again = await shell(a!);
      assert.equal((await sh(again, 'echo intact')).out.trim(), 'intact');
    });

    test('1,000 malformed control messages and random bytes leave the server healthy', async (t) => {
      const [, b, c, d] = sessions;
      const witness = shells.find(Boolean)!;
      const result = await rawSocket(terminalUrl(server.url, b!.id, await ticket(server.url, b!)), { origin: server.url });
      const socket = result.socket!;
      const errors: string[] = [];
      socket.on('message', (data, isBinary) => {
        if (!isBinary) errors.push(String(data));
      });
      const closed = closedWith(socket, 20_000);
      const malformed = [
        'not json',
        '{',
        '[]',
        'null',
        '42',
        '{"type":"resize","cols":0,"rows":24}',
        '{"type":"resize","cols":501,"rows":24}',
        '{"type":"resize","cols":80,"rows":-1}',
        '{"type":"resize","cols":1.5,"rows":24}',
        '{"type":"resize","cols":1e308,"rows":24}',
        '{"type":"resize","cols":"80","rows":24}',
        '{"type":"resize","cols":80,"rows":24,"extra":1}',
        '{"type":"ack","bytes":-1}',
        '{"type":"ack","bytes":"lots"}',
        '{"type":"shell","command":"id"}',
        '{"__proto__":{"type":"ping"}}',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        JSON.stringify({ type: 'resize', cols: 80, rows: 24, pad: 'x'.repeat(60_000) }),
      ];
      const started = performance.now();
      for (let i = 0; i < 1000; i++) if (socket.readyState === WebSocket.OPEN) socket.send(malformed[i % malformed.length]!);
      const { code } = await closed;
      t.diagnostic(`${errors.length} error replies, then closed with ${code} after ${Math.round(performance.now() - started)} ms`);
      assert.equal(code, 4400, 'the offending socket is closed after 100 malformed messages');
      assert.ok(errors.length >= 100 && errors.every((e) => JSON.parse(e).error === 'BAD_MESSAGE' || JSON.parse(e).type === 'status'));

      // Random binary frames are keystrokes to the offender's own shell (in its sandbox); random
      // text frames are invalid UTF-8 and close that socket with 1007.
      const noisy = await rawSocket(terminalUrl(server.url, d!.id, await ticket(server.url, d!)), { origin: server.url });
      const noisyClosed = closedWith(noisy.socket!, 20_000);
      for (let i = 0; i < 200; i++) noisy.socket!.send(randomBytes(1024), { binary: true });
      await sleep(500);
      noisy.socket!.send(Buffer.from([0xff, 0xfe, 0xc3, 0x28]), { binary: false });
      const noisyCode = (await noisyClosed).code;
      t.diagnostic(`random bytes: socket closed with ${noisyCode}`);
      assert.ok([1007, 4000].includes(noisyCode), `closed with ${noisyCode}`);

      // A socket that sends nothing malformed keeps working; bounds are enforced on valid values.
      assert.equal((await health(server.url)).status, 'ok');
      assert.ok((await echoRoundTrip(witness, starvedEchoMs)) < starvedEchoMs, 'another session still echoes');
      const fresh = await shell(c!);
      fresh.resize(500, 500);
      await sleep(200);
      assert.equal((await sh(fresh, 'stty size')).out.trim(), '500 500');
    });

    test('garbage on the HTTP port closes that connection only', async () => {
      const replies = await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<string>((resolve) => {
              const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
              let reply = '';
              socket.on('data', (d) => (reply += d.toString('latin1')));
              socket.on('close', () => resolve(reply));
              socket.on('error', () => undefined);
              socket.write(randomBytes(8192));
              socket.setTimeout(5000, () => socket.destroy());
            }),
        ),
      );
      for (const reply of replies) assert.ok(reply === '' || reply.startsWith('HTTP/1.1 400'), reply.slice(0, 80));
      assert.equal((await health(server.url)).status, 'ok');
    });
  });

  describe('limits on every other API route', { timeout: 600_000 }, () => {
    test('tickets, session reads, checks and terminal upgrades are limited per address (429 past SSH_LAB_API_PER_MINUTE)', async () => {
      const limited = await startTestServer({ SSH_LAB_SUBNET_POOL: pools.serviceChild, SSH_LAB_API_PER_MINUTE: '10', SSH_LAB_TRUST_PROXY: 'on' });
      try {
        const hit = (address: string) =>
          fetch(`${limited.url}/api/sessions/nope/ticket`, { method: 'POST', headers: { authorization: 'Bearer x', 'x-forwarded-for': address } });
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push((await hit('198.51.100.7')).status);
        assert.deepEqual(statuses, [...Array(10).fill(404), 429, 429]);
        const limitedBody = (await (await hit('198.51.100.7')).json()) as { error: string; message: string };
        assert.equal(limitedBody.error, 'RATE_LIMITED');
        assert.match(limitedBody.message, /Too many requests from your address/);
        const upgrades: number[] = [];
        for (let i = 0; i < 11; i++) {
          const upgrade = await rawSocket(`${limited.url.replace('http', 'ws')}/api/sessions/nope/terminal?ticket=x`, {
            origin: limited.url,
            headers: { 'x-forwarded-for': '198.51.100.7' },
          });
          upgrades.push(upgrade.status);
        }
        assert.deepEqual(upgrades, [...Array(10).fill(404), 429], 'terminal upgrades are limited too (each route counts on its own)');
        assert.equal((await hit('198.51.100.8')).status, 404, 'another address is unaffected');
        assert.equal((await fetch(`${limited.url}/healthz`)).status, 200, 'health checks are not limited');
      } finally {
        await limited.close();
      }
    });
  });

  describe('HTTP headers', { timeout: 600_000 }, () => {
    test('every response carries the CSP, frame-ancestors, nosniff; the site has no inline-script allowance', async () => {
      for (const path of ['/', '/api/labs', '/healthz', '/api/nothing']) {
        const response = await fetch(`${server.url}${path}`);
        const csp = response.headers.get('content-security-policy') ?? '';
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.match(csp, /default-src 'self'/, path);
        assert.match(csp, /object-src 'none'/, path);
        const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
        assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval|\*/, `${path}: ${scriptSrc}`);
        const connectSrc = /connect-src ([^;]*)/.exec(csp)![1]!;
        assert.doesNotMatch(connectSrc, /(^|\s)wss?:(\s|$)/, `${path}: WebSockets to this host only (${connectSrc})`);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('x-frame-options'), 'DENY');
        assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
      }
    });
  });

  describe('secrets', { timeout: 600_000 }, () => {
    test('tokens, tickets and passwords never reach the log, even at trace level', async (t) => {
      const child = await startChildServer({ SSH_LAB_SUBNET_POOL: pools.serviceChild, LOG_LEVEL: 'trace' });
      try {
        const { status, body } = await createSession(child.url, 'keygen');
        assert.equal(status, 201);
        const s = body as unknown as CreateSessionResponse;
        const used = await ticket(child.url, s);
        const terminal = await openShell(child.url, { ...s, token: s.token });
        await sh(terminal, `echo typed-by-learner`);
        await terminal.close();
        const opened = await rawSocket(terminalUrl(child.url, s.id, used), { origin: child.url });
        assert.equal(opened.status, 101);
        opened.socket!.close();
        const spent = await rawSocket(terminalUrl(child.url, s.id, used), { origin: child.url });
        assert.equal(spent.status, 403);
        await fetch(`${child.url}/api/sessions/${s.id}`, { headers: { authorization: `Bearer wrong-${s.token}` } });
        await fetch(`${child.url}/api/sessions/${s.id}/check`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await fetch(`${child.url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
        await sleep(500);
        const log = child.output();
        t.diagnostic(`${log.split('\n').length} log lines at trace level`);
        assert.ok(log.includes('incoming request'), 'requests were logged');
        for (const [what, secret] of [
          ['token', s.token],
          ['ticket', used],
          ['password', s.password],
        ] as const) {
          assert.ok(!log.includes(secret), `the ${what} appears in the log`);
        }
        assert.doesNotMatch(log, /Bearer /);
      } finally {
        assert.equal(await child.stop('SIGTERM'), 0);
      }
    });
  });
});
