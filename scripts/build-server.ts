/**
 * Compiles the backend (src/server, the lab kit, the protocol and every lab's checks) to dist/ with
 * esbuild, file by file, so production runs under plain `node` and never under a TypeScript
 * runner (tsx relays signals and SIGKILLs a child that does not answer within ~30 ms: a SIGTERM
 * could leave every lab container behind). Types are checked by `npm run typecheck`, not here.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../src/labs/project-root.js';

export const distDir = join(projectRoot, 'dist');
export const serverEntry = join(distDir, 'src', 'server', 'main.js');

/** What the server loads at run time: browser code (components, pages, theme) stays out. */
const serverSources = ['src/server', 'src/labs', 'src/protocol', 'labs'];

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typescriptFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

export async function buildServer(): Promise<void> {
  const started = performance.now();
  const entryPoints = serverSources.flatMap((dir) => typescriptFiles(join(projectRoot, dir)));
  rmSync(distDir, { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: distDir,
    outbase: projectRoot,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  mkdirSync(distDir, { recursive: true });
  // dist/ is ES modules, like the folders it comes from.
  writeFileSync(join(distDir, 'package.json'), '{ "type": "module" }\n');
  console.log(`[server] compiled ${entryPoints.length} files to ${relative(projectRoot, distDir)}/ in ${Math.round(performance.now() - started)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
