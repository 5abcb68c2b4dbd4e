/**
 * The tutorial is executable: every shell fence in docs/*.mdx is marked either `runnable` or
 * `norun="reason"`, and every runnable block exits 0 when run as learner on a fresh workstation
 * with a server next to it (the same image and network the labs use).
 *
 *   npx tsx --test tests/integration/docs-runnable.test.ts
 *   DOCS_PAGE=scp DOCS_LINE=42 npx tsx --test tests/integration/docs-runnable.test.ts   (a subset)
 *
 * Fence meta: `runnable` [setup="key" | setup="key,web"] | norun="why it cannot run here".
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { DockerEnvironmentProvider } from '../../src/server/environments/docker-provider.js';
import { labHostImage, projectRoot } from '../../src/server/environments/image.js';
import type { StartedEnvironment } from '../../src/server/environments/types.js';

const docsDir = join(projectRoot, 'docs');
const shellLanguages = new Set(['bash', 'sh', 'shell', 'console']);
const setups = new Set(['key', 'web']);
const minimumRunnable = 50;
/** What a block may take (the tutorial promises 20 s); the hard limit leaves room for a loaded machine. */
const promisedMs = 20_000;
const hardLimitMs = 30_000;

interface Fence {
  file: string;
  line: number;
  lang: string;
  meta: string;
  body: string;
}

interface Block extends Fence {
  setup: Set<string>;
}

/** Every fenced code block of a Markdown/MDX text (backtick or tilde fences, any length ≥ 3). */
export function fencesOf(file: string, text: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const marker = open[1] ?? '```';
    const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !close.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    fences.push({ file, line: start + 1, lang: (open[2] ?? '').toLowerCase(), meta: (open[3] ?? '').trim(), body: `${body.join('\n')}\n` });
  }
  return fences;
}

/** `name` or `name="value"` pairs of a fence's meta string. */
function metaOf(meta: string): Map<string, string | true> {
  const pairs = new Map<string, string | true>();
  for (const m of meta.matchAll(/([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?/g)) {
    const name = m[1] ?? '';
    const value = m[2] ?? m[3] ?? m[4];
    pairs.set(name, value === undefined ? true : value);
  }
  return pairs;
}

/** Problems with a shell fence's marks (empty when it is marked correctly). */
function markProblems(fence: Fence): string[] {
  const meta = metaOf(fence.meta);
  const runnable = meta.get('runnable') === true;
  const norun = meta.get('norun');
  const where = `${fence.file}:${fence.line}`;
  const problems: string[] = [];
  if (runnable && norun !== undefined) problems.push(`${where}: both runnable and norun`);
  if (!runnable && norun === undefined) problems.push(`${where}: a \`${fence.lang}\` fence needs \`runnable\` or \`norun="reason"\``);
  if (norun !== undefined && (norun === true || !norun.trim())) problems.push(`${where}: norun needs a reason, e.g. norun="macOS"`);
  const setup = meta.get('setup');
  if (setup !== undefined) {
    if (!runnable) problems.push(`${where}: setup only applies to runnable blocks`);
    const wanted = setup === true ? [] : setup.split(',').map((s) => s.trim());
    for (const s of wanted) if (!setups.has(s)) problems.push(`${where}: unknown setup "${s}" (key, web)`);
    if (wanted.includes('web') && !wanted.includes('key')) problems.push(`${where}: setup="web" needs "key" too (setup="key,web")`);
  }
  return problems;
}

const pages = readdirSync(docsDir)
  .filter((f) => f.endsWith('.mdx'))
  .sort();
const fences = pages.flatMap((page) => fencesOf(`docs/${page}`, readFileSync(join(docsDir, page), 'utf8')));
const shellFences = fences.filter((f) => shellLanguages.has(f.lang));
const blocks: Block[] = shellFences
  .filter((f) => metaOf(f.meta).get('runnable') === true)
  .map((f) => {
    const setup = metaOf(f.meta).get('setup');
    return { ...f, setup: new Set(typeof setup === 'string' ? setup.split(',').map((s) => s.trim()) : []) };
  });
const norunCount = shellFences.filter((f) => metaOf(f.meta).has('norun')).length;
console.log(`docs: ${pages.length} pages, ${shellFences.length} shell blocks: ${blocks.length} runnable, ${norunCount} norun`);

const selected = blocks.filter(
  (b) => (!process.env.DOCS_PAGE || b.file.includes(process.env.DOCS_PAGE)) && (!process.env.DOCS_LINE || String(b.line) === process.env.DOCS_LINE),
);

describe('the tutorial code blocks', () => {
  test('every shell fence is marked runnable or norun="reason"', () => {
    const problems = shellFences.flatMap(markProblems);
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  test(`at least ${minimumRunnable} blocks are runnable`, () => {
    assert.ok(blocks.length >= minimumRunnable, `only ${blocks.length} runnable blocks`);
  });
});

const provider = new DockerEnvironmentProvider({
  image: labHostImage(),
  limits: { memoryMb: 256, cpus: 0.5, cpuShares: 256, pids: 128, homeMb: 32, tmpMb: 16 },
  subnetPool: '172.30.0.0/16',
  subnetPrefix: 28,
  hostFirewall: true,
  startupTimeoutMs: 20_000,
  logger: pino({ level: 'warn' }),
});
const run = randomBytes(3).toString('hex');

/**
 * Runs the script that arrives on stdin from a file, with stdin then at /dev/null: the block's own
 * commands (ssh, above all) must not read the rest of the block as their input, and the script's
 * text stays out of every command line (so `pgrep -f` in a block finds only what it means to).
 */
const runner = 'block=$(mktemp) && cat > "$block" && cd && { bash -e -o pipefail "$block" < /dev/null; status=$?; rm -f "$block"; exit "$status"; }';

async function must(env: StartedEnvironment, host: string, command: string, stdin: string | undefined, what: string): Promise<string> {
  const result = await env.exec(host, command, { user: 'learner', timeoutMs: 20_000, ...(stdin === undefined ? {} : { stdin }) });
  assert.equal(result.code, 0, `setup failed (${what}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** setup="key": learner's ed25519 key authorised on server, server's host key known. */
async function setUpKey(env: StartedEnvironment): Promise<void> {
  const publicKey = await must(
    env,
    'workstation',
    'ssh-keygen -q -t ed25519 -N "" -C learner@workstation -f ~/.ssh/id_ed25519 && cat ~/.ssh/id_ed25519.pub',
    undefined,
    'key on workstation',
  );
  await must(env, 'server', 'umask 077 && mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys', publicKey, 'authorise the key on server');
  const server = env.hosts.find((h) => h.name === 'server');
  assert.ok(server, 'the environment has a server');
  await must(env, 'workstation', 'umask 077 && mkdir -p ~/.ssh && cat >> ~/.ssh/known_hosts', `server ${server.publicKey}\n`, 'known_hosts');
}

/** setup="web": a page on server's 127.0.0.1:8080 only. */
async function setUpWeb(env: StartedEnvironment): Promise<void> {
  await must(
    env,
    'server',
    'mkdir -p /tmp/web && cat > /tmp/web/index.html && busybox httpd -p 127.0.0.1:8080 -h /tmp/web && ' +
      'for i in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1',
    '<h1>Hello from the web server on server</h1>\n',
    'web server on server',
  );
}

/**
 * A fresh workstation + server. Starting is retried once: a failed start is the environment's
 * fault, not the block's (for instance ssh2's ed25519 key generation fails about once in 256 keys,
 * when the public key starts with a zero byte), and a block must only fail for what it does.
 */
async function startEnvironment(sessionId: string): Promise<StartedEnvironment> {
  const spec = {
    labId: 'docs',
    password: randomBytes(18).toString('base64url'),
    lifetimeSeconds: 300,
    hosts: [
      { name: 'workstation', role: 'workstation' as const, ports: [22], forwarding: 'no' as const, agentForwarding: false },
      { name: 'server', role: 'server' as const, ports: [22], forwarding: 'yes' as const, agentForwarding: true },
    ],
  };
  try {
    return await provider.start({ ...spec, sessionId });
  } catch (error) {
    console.warn(`environment ${sessionId} did not start (${(error as Error).message}); trying once more`);
    return provider.start({ ...spec, sessionId: `${sessionId}-r` });
  }
}

describe('runnable tutorial blocks', { concurrency: 2 }, () => {
  if (selected.length === 0) {
    test('DOCS_PAGE / DOCS_LINE select a block', () =>
      assert.fail(`no runnable block matches DOCS_PAGE=${process.env.DOCS_PAGE} DOCS_LINE=${process.env.DOCS_LINE}`));
  }
  selected.forEach((block, index) => {
    const setup = [...block.setup].join(',');
    test(`${block.file}:${block.line}${setup ? ` [${setup}]` : ''}`, async () => {
      const env = await startEnvironment(`docs-${run}-${index}`);
      try {
        if (block.setup.has('key')) await setUpKey(env);
        if (block.setup.has('web')) await setUpWeb(env);
        const started = Date.now();
        const result = await env.exec('workstation', runner, { user: 'learner', stdin: block.body, timeoutMs: hardLimitMs });
        const took = Date.now() - started;
        const output = `--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
        assert.ok(!result.timedOut, `${block.file}:${block.line} did not finish within ${hardLimitMs / 1000} s\n${output}`);
        assert.equal(result.code, 0, `${block.file}:${block.line} exited ${result.code}\n${block.body}${output}`);
        if (took > promisedMs) console.warn(`${block.file}:${block.line} took ${(took / 1000).toFixed(1)} s (the tutorial promises ${promisedMs / 1000} s)`);
      } finally {
        await env.dispose();
      }
    });
  });
});
