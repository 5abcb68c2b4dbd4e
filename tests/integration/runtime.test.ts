/**
 * The runtime end to end: the API, a keygen session driven through its terminal, and every way a
 * session ends. Provider-parameterised: SSH_LAB_PROVIDER (default docker) picks the provider the
 * server runs and the resources the assertions count (tests/helpers/provider-resources.ts). On a
 * live cluster:
 *   SSH_LAB_PROVIDER=kubernetes SSH_LAB_K8S_POD_IP=… KUBECONFIG=… npx tsx scripts/test.ts tests/integration/runtime.test.ts
 * Without KUBECONFIG and SSH_LAB_K8S_POD_IP, kubernetes skips the suite with one line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import type { RunningServer } from '../../src/server/main.js';
import { waitFor } from '../helpers/docker.js';
import { needsLiveCluster, providerName, providerUnderTest, sessionHosts, sessionResources } from '../helpers/provider-resources.js';
import { startTestServer } from '../helpers/server.js';

let server: RunningServer;
let api: ApiClient;

async function call(method: string, path: string, options: { body?: string; token?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(options.body !== undefined ? { body: options.body } : {}) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe(`the runtime on ${providerUnderTest}`, { skip: needsLiveCluster('runtime') }, () => {
  before(async () => {
    server = await startTestServer({ SSH_LAB_RECONNECT_GRACE_SECONDS: '30' });
    api = new ApiClient(server.url);
  });
  after(async () => server?.close());

  describe('the API', () => {
    test('lists the catalogue with steps', async () => {
      const { status, body } = await call('GET', '/api/labs');
      assert.equal(status, 200);
      const labs = body as unknown as { id: string; steps: { id: string; title: string }[] }[];
      const keygen = labs.find((l) => l.id === 'keygen');
      assert.ok(keygen?.steps.some((s) => s.id === 'make-key'));
    });

    test('bad requests get a 4xx that says what is wrong', async () => {
      const cases: [Promise<{ status: number; body: Record<string, unknown> }>, number, string, RegExp][] = [
        [call('POST', '/api/sessions', { body: '{"labId":' }), 400, 'BAD_JSON', /not valid JSON/],
        [call('POST', '/api/sessions', { body: '{}' }), 400, 'BAD_REQUEST', /labId/],
        [call('POST', '/api/sessions', { body: '{"labId":"keygen","x":1}' }), 400, 'BAD_REQUEST', /unknown field/],
        [call('POST', '/api/sessions', { body: '{"labId":"no-such-lab"}' }), 404, 'LAB_UNKNOWN', /No lab named "no-such-lab"/],
        [call('POST', '/api/sessions', { body: '{"labId":"../../etc"}' }), 400, 'BAD_REQUEST', /lower-case/],
        [call('POST', '/api/sessions', { body: 'labId=keygen', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE', /application\/json/],
        [call('GET', '/api/sessions/abc'), 401, 'TOKEN_MISSING', /Bearer/],
        [call('GET', '/api/sessions/abc', { token: 'nope' }), 404, 'SESSION_UNKNOWN', /No such session/],
        [call('POST', '/api/sessions/abc/check', { token: 'nope', body: '{}' }), 404, 'SESSION_UNKNOWN', /No such session/],
        [call('GET', '/api/nothing-here'), 404, 'NOT_FOUND', /No API route/],
      ];
      for (const [response, status, error, message] of cases) {
        const { status: got, body } = await response;
        assert.equal(got, status, JSON.stringify(body));
        assert.equal(body.error, error);
        assert.match(String(body.message), message);
        assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+/, 'no stack trace');
      }
    });
  });

  describe('a keygen session end to end', () => {
    test('create, drive the shell, check, reattach, replace, delete', async () => {
      const session = await api.createSession('keygen');
      assert.match(session.password, /^[a-z2-9-]{14}$/);
      assert.ok(new Date(session.expiresAt).getTime() > Date.now());
      assert.equal((await sessionHosts(session.id)).length, 1);

      // Wrong token on a real session.
      const wrong = await call('GET', `/api/sessions/${session.id}`, { token: 'not-the-token' });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.error, 'TOKEN_WRONG');
      const unknownStep = await call('POST', `/api/sessions/${session.id}/check`, { token: session.token, body: '{"stepId":"nope"}' });
      assert.equal(unknownStep.status, 404);

      const first = await TerminalClient.open(server.url, session);
      await first.waitForPrompt();
      assert.ok(first.controls.some((c) => c.type === 'status' && c.state === 'attached'));

      let steps = await api.check(session, 'make-key');
      assert.equal(steps[0]?.passed, false);
      assert.match(steps[0]!.message, /no private key/i);
      assert.ok(steps[0]?.hint);

      // No way out: inspect routes, never send.
      let from = first.text().length;
      // Markers are computed by the shell, so the echo of the typed line cannot match them.
      first.type('ip route get 192.0.2.1; ip route get 10.255.255.1; ip route show dev eth0; echo route-$((1+1))-done\r');
      await first.waitUntil((t) => t.slice(from).includes('route-2-done'), 10_000);
      assert.equal(
        (
          first
            .text()
            .slice(from)
            .match(/Network is unreachable/g) ?? []
        ).length,
        2,
        first.text().slice(from),
      );
      // The session bridge's route does not delay ACKs (a non-interactive ssh would wait 40 ms for one).
      if (providerName === 'docker' && (process.env.SSH_LAB_SESSION_NETWORK ?? 'bridge') === 'bridge')
        assert.match(first.text().slice(from), /scope link src [\d.]+ quickack 1/, first.text().slice(from));

      from = first.text().length;
      first.type(
        'ssh-keygen -q -t ed25519 -C "me@ssh-lab" -N "" -f ~/.ssh/id_ed25519 && export LAB_MARK=kept-$((40+2)) && cd /tmp && echo keygen-$((6*7))-done\r',
      );
      await first.waitUntil((t) => t.slice(from).includes('keygen-42-done'), 15_000);
      await first.waitForPrompt(first.text().indexOf('keygen-42-done', from));
      steps = await api.check(session, 'make-key');
      assert.equal(steps[0]?.passed, true, steps[0]?.message);

      // A dropped socket keeps the shell: reattach sees the same variables and directory, and the screen again.
      await first.close();
      const second = await TerminalClient.open(server.url, session);
      await second.waitUntil((t) => t.includes('me@ssh-lab') || t.includes('ssh-keygen'), 10_000, 'the repainted screen');
      assert.ok(second.controls.some((c) => c.type === 'status' && c.state === 'reattached'));
      from = second.text().length;
      second.type('echo "$LAB_MARK in $PWD"\r');
      await second.waitUntil((t) => t.slice(from).includes('kept-42 in /tmp\n'), 10_000, 'the variable set before the drop');

      // A second attach replaces the first.
      const third = await TerminalClient.open(server.url, session);
      await second.waitUntil(() => Boolean(second.closed), 5_000, 'the replaced socket to close');
      assert.equal(second.closed?.code, 4001);
      assert.ok(second.controls.some((c) => c.type === 'status' && c.state === 'replaced'));
      from = third.text().length;
      third.type('echo still-$LAB_MARK\r');
      await third.waitUntil((t) => t.slice(from).includes('still-kept-42\n'), 10_000);

      // A ticket is single use.
      const ticket = await call('POST', `/api/sessions/${session.id}/ticket`, { token: session.token });
      const url = `${server.url.replace('http', 'ws')}/api/sessions/${session.id}/terminal?ticket=${ticket.body.ticket}`;
      const { default: WebSocket } = await import('ws');
      const use = (u: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(u, { origin: server.url });
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
          ws.on('error', () => undefined);
        });
      assert.equal(await use(url), 101);
      assert.equal(await use(url), 403, 'a spent ticket is refused');

      const deleted = await call('DELETE', `/api/sessions/${session.id}`, { token: session.token });
      assert.equal(deleted.status, 204);
      await third.waitUntil(() => Boolean(third.closed), 5_000, 'the terminal to close with the session');
      assert.deepEqual(await sessionResources(session.id), [], 'nothing of the session is left on the provider');
      const gone = await call('GET', `/api/sessions/${session.id}`, { token: session.token });
      assert.equal(gone.status, 404);
    });
  });

  describe('ends', () => {
    test('an expired session is removed with its hosts', async () => {
      const shortLived = await startTestServer({ SSH_LAB_SESSION_LIFETIME_SECONDS: '10', SSH_LAB_SUBNET_POOL: '172.28.128.0/20' });
      try {
        const session = await new ApiClient(shortLived.url).createSession('keygen');
        assert.equal((await sessionHosts(session.id)).length, 1);
        await waitFor(async () => (await sessionResources(session.id)).length === 0, 30_000, 'expiry');
      } finally {
        await shortLived.close();
      }
    });

    test('stopping the server removes every environment', async () => {
      const other = await startTestServer({ SSH_LAB_SUBNET_POOL: '172.28.144.0/20' });
      const client = new ApiClient(other.url);
      const sessions = await Promise.all([client.createSession('keygen'), client.createSession('keygen')]);
      assert.equal((await Promise.all(sessions.map((s) => sessionHosts(s.id)))).flat().length, 2);
      await other.close();
      assert.deepEqual((await Promise.all(sessions.map((s) => sessionResources(s.id)))).flat(), []);
    });
  });
});
