/**
 * npm test: unit tests, then integration, security and end-to-end tests against real containers,
 * real sshd and a real browser. Builds the lab image and the site first when missing or stale,
 * and fails if any labelled container or network is left behind.
 *   npm test              everything
 *   npm test -- unit      one suite (unit | integration | security | e2e), or test files
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureImages } from './images.js';
import { ensureSite } from './lib/site-build.js';
import { ownerAlive } from '../src/server/environments/docker-provider.js';

const suites = ['unit', 'integration', 'security', 'e2e'] as const;
const args = process.argv.slice(2);
const chosen = args.length ? args : [...suites];

function filesOf(arg: string): string[] {
  if (existsSync(arg)) return [arg];
  const dir = join('tests', arg);
  if (!existsSync(dir)) throw new Error(`No test suite or file "${arg}" (suites: ${suites.join(', ')})`);
  return readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
}

const files = chosen.flatMap(filesOf);
const needsDocker = files.some((f) => !f.includes('tests/unit/'));
const needsSite = files.some((f) => f.includes('tests/e2e/'));

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
if (needsDocker) await ensureImages();
if (needsSite) await ensureSite();

const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
  child.on('exit', (c) => resolve(c ?? 1));
});

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
  leftovers = ids.length + networks.length;
  if (leftovers) {
    console.error(`\nFAIL: the tests left ${ids.length} lab container(s) and ${networks.length} network(s) behind; removing them.`);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids]);
    for (const n of networks) execFileSync('docker', ['network', 'rm', n]);
  }
}
process.exit(code || (leftovers ? 1 : 0));
