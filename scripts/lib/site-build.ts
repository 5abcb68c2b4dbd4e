import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/server/environments/image.js';

/** What the site is built from; a change in any of it makes the build stale. */
const inputs = ['docs', 'src', 'labs', 'static', 'bench/baseline.json', 'bench/levers.json', 'docusaurus.config.ts', 'sidebars.ts', 'package-lock.json'];
const stampFile = join(projectRoot, 'build', '.ssh-lab-build-hash');

function walk(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name === 'server' && path.endsWith('src') ? [] : walk(join(path, name))));
}

export function siteInputsHash(): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((i) => walk(join(projectRoot, i)))) {
    hash.update(relative(projectRoot, file)).update('\0').update(readFileSync(file));
  }
  return hash.digest('hex');
}

export function siteIsFresh(): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === siteInputsHash();
}

/** Builds the production site unless the last build was made from the same inputs. */
export async function ensureSite(): Promise<void> {
  if (siteIsFresh()) {
    console.log('[site] build/ is up to date');
    return;
  }
  const hash = siteInputsHash();
  console.log('[site] building the site (docusaurus build, ~1 min)');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', ['docusaurus', 'build'], { cwd: projectRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`docusaurus build failed (exit ${code})`);
  writeFileSync(stampFile, hash);
}
