/** The HTTP app's own behaviour through app.inject(): error replies, headers, /metrics, the site's files. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { Errors } from '../../src/server/errors.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const inlineScript = 'document.documentElement.dataset.theme = "dark";';
const pageHtml = `<!doctype html><html><body>${'<p>Why SSH? Because every server speaks it.</p>'.repeat(100)}</body></html>`;
const metricsToken = 'metrics-token-for-tests-0123456789';

/** A small built site: an index with an inline script, a page with its compressed copies, an icon, a 404 page. */
function makeSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-lab-site-'));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html><head><script>${inlineScript}</script></head><body>home</body></html>`);
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'why-ssh.html'), pageHtml);
  writeFileSync(join(dir, 'docs', 'why-ssh.html.br'), brotliCompressSync(pageHtml));
  writeFileSync(join(dir, 'docs', 'why-ssh.html.gz'), gzipSync(pageHtml));
  mkdirSync(join(dir, 'img'));
  writeFileSync(join(dir, 'img', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/></svg>');
  writeFileSync(join(dir, '404.html'), '<!doctype html><p>No such page</p>');
  return dir;
}

describe('the error handler', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
    const failing = (error: Error) => async () => {
      throw error;
    };
    t.app.get('/test/reset', failing(Object.assign(new Error('read ECONNRESET from /var/run/docker.sock'), { code: 'ECONNRESET' })));
    t.app.get(
      '/test/fastify-internal',
      failing(Object.assign(new Error('FST internals: reply was already sent'), { code: 'FST_ERR_REP_ALREADY_SENT', statusCode: 500 })),
    );
    t.app.get('/test/plain', failing(new Error('undefined is not a function at secret.ts:12')));
    t.app.get('/test/library-4xx', failing(Object.assign(new Error('Range 99-100 of /srv/build/x is not satisfiable'), { statusCode: 416 })));
    t.app.get('/test/catalogue', failing(new Errors.CapacityFull(4)));
  });
  after(() => t.close());

  test('an unknown server error reaches the client as INTERNAL, whatever its code, and is logged', async () => {
    for (const path of ['/test/reset', '/test/fastify-internal', '/test/plain']) {
      const response = await t.app.inject({ method: 'GET', url: path });
      assert.equal(response.statusCode, 500, path);
      assert.deepEqual(response.json(), { error: 'INTERNAL', message: 'Something went wrong on the server; it has been logged.' }, path);
    }
    const logged = t.logs().filter((line) => line.level >= 50 && line.msg === 'unhandled error');
    assert.deepEqual(
      logged.map((line) => line.err?.message),
      ['read ECONNRESET from /var/run/docker.sock', 'FST internals: reply was already sent', 'undefined is not a function at secret.ts:12'],
    );
  });

  test('our catalogue errors pass through with their code and message', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/catalogue' });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { error: 'CAPACITY_FULL', message: 'All 4 lab environments are in use. Try again in a few minutes.' });
  });

  test("a library's client error keeps its status, not its words", async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/library-4xx' });
    assert.equal(response.statusCode, 416);
    assert.deepEqual(response.json(), { error: 'RANGE_NOT_SATISFIABLE', message: 'Range Not Satisfiable.' });
  });
});

describe('headers, /metrics and the site', () => {
  let site: string;
  let t: TestApp;
  before(async () => {
    site = makeSite();
    t = await buildTestApp({ SSH_LAB_SITE_DIR: site, SSH_LAB_METRICS_TOKEN: metricsToken });
  });
  after(async () => {
    await t.close();
    rmSync(site, { recursive: true, force: true });
  });

  test('every response carries the CSP (the build inline script by hash, WebSockets to this host only) and the other headers', async () => {
    const hash = `'sha256-${createHash('sha256').update(inlineScript).digest('base64')}'`;
    for (const url of ['/', '/docs/why-ssh', '/api/labs', '/api/nothing', '/healthz', '/no-such-page']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { host: 'lab.example:8080' } });
      const csp = String(response.headers['content-security-policy']);
      const directives = csp.split(/;\s*/);
      for (const directive of [
        "default-src 'self'",
        `script-src 'self' ${hash}`,
        "connect-src 'self' ws://lab.example:8080 wss://lab.example:8080",
        "style-src 'self' 'unsafe-inline'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ]) {
        assert.ok(directives.includes(directive), `${url}: ${directive} in ${csp}`);
      }
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.equal(response.headers['referrer-policy'], 'same-origin', url);
      assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.equal(response.headers['cross-origin-resource-policy'], 'same-origin', url);
      assert.match(String(response.headers['permissions-policy']), /camera=\(\)/, url);
      assert.equal(response.headers['strict-transport-security'], undefined, `${url}: no HSTS over plain HTTP`);
    }
    const forged = await t.app.inject({ method: 'GET', url: '/', headers: { host: 'evil.example; script-src *' } });
    assert.ok(String(forged.headers['content-security-policy']).split(/;\s*/).includes("connect-src 'self'"), 'a host that is not host[:port] adds no source');
  });

  test('/metrics answers only to its bearer token', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.deepEqual([none.statusCode, none.json().error], [401, 'METRICS_TOKEN_WRONG']);
    const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}x` } });
    assert.equal(wrong.statusCode, 401);
    const right = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(right.statusCode, 200);
    assert.match(right.headers['content-type'] as string, /^text\/plain/);
    assert.match(right.body, /^ssh_lab_sessions /m);
  });

  test('/metrics does not exist without a token configured', async () => {
    const plain = await buildTestApp();
    try {
      const response = await plain.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 404);
      assert.doesNotMatch(response.body, /ssh_lab_/);
    } finally {
      await plain.close();
    }
  });

  test('/favicon.ico is the site icon', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/favicon.ico' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/svg+xml');
    assert.match(response.body, /^<svg /);
  });

  test('a page reached without .html is sent pre-compressed, as the encodings the client accepts allow', async () => {
    const br = await t.app.inject({ method: 'GET', url: '/docs/why-ssh', headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers['content-type']), /^text\/html/);
    assert.equal(br.headers['cache-control'], 'no-cache');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), pageHtml);
    const gzip = await t.app.inject({ method: 'GET', url: '/docs/why-ssh', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    const plain = await t.app.inject({ method: 'GET', url: '/docs/why-ssh' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, pageHtml);
    const withExtension = await t.app.inject({ method: 'GET', url: '/docs/why-ssh.html', headers: { 'accept-encoding': 'br' } });
    assert.equal(withExtension.headers['content-encoding'], 'br');
  });

  test('an unknown page is the site 404 page; an unknown API path is JSON', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/nothing-here' });
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /No such page/);
    const api = await t.app.inject({ method: 'GET', url: '/api/nothing' });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error, 'NOT_FOUND');
  });
});
