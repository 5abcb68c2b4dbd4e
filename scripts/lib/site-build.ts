import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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

/** Builds the production site (docusaurus build), then its compressed copies and the stamp. */
export async function buildSite(): Promise<void> {
  const hash = siteInputsHash();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', ['docusaurus', 'build'], { cwd: projectRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`docusaurus build failed (exit ${code})`);
  const { files, before, after } = compressSite(join(projectRoot, 'build'));
  console.log(`[site] ${files} files pre-compressed: ${(before / 1e6).toFixed(1)} MB, ${(after / 1e6).toFixed(1)} MB as brotli`);
  writeFileSync(stampFile, hash);
}

/** Builds the production site unless the last build was made from the same inputs. */
export async function ensureSite(): Promise<void> {
  if (siteIsFresh()) {
    console.log('[site] build/ is up to date');
    return;
  }
  console.log('[site] building the site (docusaurus build, ~1–2 min)');
  await buildSite();
}

const compressible = new Set(['.html', '.js', '.css', '.json', '.svg', '.xml', '.txt', '.map']);

/**
 * Writes NAME.br and NAME.gz beside every text file of a built site that is worth it: the server
 * sends them as they are (@fastify/static preCompressed), so no request pays for compression.
 */
export function compressSite(dir: string): { files: number; before: number; after: number } {
  let files = 0;
  let before = 0;
  let after = 0;
  for (const file of walk(dir)) {
    if (!compressible.has(extname(file))) continue;
    const content = readFileSync(file);
    if (content.length < 1024) continue;
    const brotli = brotliCompressSync(content, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
    });
    writeFileSync(`${file}.br`, brotli);
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
    files += 1;
    before += content.length;
    after += brotli.length;
  }
  return { files, before, after };
}
