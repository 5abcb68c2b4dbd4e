/**
 * npm test: unit tests, then integration and security tests against real containers and real sshd
 * (node:test), then the browser tests in Chromium (Playwright: tests/e2e/*.spec.ts and
 * tests/security/browser.spec.ts, see playwright.config.ts). Builds the lab image and the site
 * first when missing or stale, and fails if any labelled container or network is left behind.
 *   npm test                         everything
 *   npm test -- unit                 one suite (unit | integration | security | e2e), or test files
 *   npm test -- tests/e2e/x.spec.ts  one browser test file
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureImages } from './images.js';
import { ensureSite } from './lib/site-build.js';
import { listBridges, removeBridge } from '../src/server/environments/bridge-networks.js';
import { ownerAlive } from '../src/server/environments/docker-provider.js';

const suites = ['unit', 'integration', 'security', 'e2e'] as const;
const args = process.argv.slice(2);
const chosen = args.length ? args : [...suites];

/** A suite's files, or the file named: node:test files end in .test.ts, Playwright's in .spec.ts. */
function filesOf(arg: string): string[] {
  if (existsSync(arg) && statSync(arg).isFile()) return [arg];
  const dir = existsSync(arg) ? arg : join('tests', arg);
  if (!existsSync(dir)) throw new Error(`No test suite or file "${arg}" (suites: ${suites.join(', ')})`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') || f.endsWith('.spec.ts'))
    .sort()
    .map((f) => join(dir, f));
}

const files = chosen.flatMap(filesOf);
const nodeFiles = files.filter((f) => f.endsWith('.test.ts'));
const browserFiles = files.filter((f) => f.endsWith('.spec.ts'));
const needsDocker = files.some((f) => !f.includes('tests/unit/'));

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
if (needsDocker) await ensureImages();
if (browserFiles.length) await ensureSite();

function run(command: string, commandArgs: string[]): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(command, commandArgs, { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (c) => resolve(c ?? 1));
  });
}

// Each runner prints its own summary: node's "ℹ pass N / ℹ fail N", Playwright's "N passed".
const outcomes: string[] = [];
let code = 0;
if (nodeFiles.length) {
  const nodeCode = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...nodeFiles]);
  outcomes.push(`node:test ${nodeCode === 0 ? 'passed' : `failed (exit ${nodeCode})`}`);
  code ||= nodeCode;
}
if (browserFiles.length) {
  const playwright = createRequire(import.meta.url).resolve('@playwright/test/cli');
  // Playwright takes file arguments as patterns: a whole run passes none, so no spec is missed.
  const filters = args.length ? browserFiles : [];
  const browserCode = await run(process.execPath, [playwright, 'test', ...filters]);
  outcomes.push(`Playwright ${browserCode === 0 ? 'passed' : `failed (exit ${browserCode})`}`);
  code ||= browserCode;
}
if (outcomes.length > 1) console.log(`\n[test] ${outcomes.join('; ')}`);

let leftovers = 0;
if (needsDocker) {
  // Only what a finished backend left: a server or another test run on this engine keeps its own.
  const orphans = (list: string[]) =>
    execFileSync('docker', [...list, '--filter', 'label=ssh-lab.session', '--format', '{{.ID}} {{.Label "ssh-lab.owner"}}'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter(([id, owner]) => id && !ownerAlive(owner ?? ''))
      .map(([id]) => id!);
  const ids = orphans(['ps', '-a']);
  const networks = orphans(['network', 'ls']);
  // Session bridges the backends made themselves (SSH_LAB_SESSION_NETWORK=bridge), judged the same way.
  const bridges = (await listBridges()).filter((b) => !ownerAlive(b.labels['ssh-lab.owner'] ?? '')).map((b) => b.bridge);
  leftovers = ids.length + networks.length + bridges.length;
  if (leftovers) {
    console.error(
      `\nFAIL: the tests left ${ids.length} lab container(s), ${networks.length} network(s) and ${bridges.length} bridge(s) behind; removing them.`,
    );
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids]);
    for (const n of networks) execFileSync('docker', ['network', 'rm', n]);
    for (const b of bridges) await removeBridge(b);
  }
}
process.exit(code || (leftovers ? 1 : 0));
