/**
 * npm run app:image: builds the backend's container image (docker/app/Dockerfile) without a
 * registry: the compiled server and the built site from this checkout, the production packages
 * the compiled server imports (found in dist/, copied from node_modules with their dependencies
 * as package-lock.json records them), this Node 24 binary, on the lab image's Debian base.
 *   npm run app:image                      tags ssh-lab/app:<hash of the staged context>
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contextHash, projectRoot } from '../src/server/environments/image.js';
import { buildServer, distDir } from './build-server.js';
import { ensureSite } from './lib/site-build.js';

export const appImageName = 'ssh-lab/app';

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsFiles(path) : name.endsWith('.js') ? [path] : [];
  });
}

/** The packages the compiled server imports by name (node: built-ins aside). */
export function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const specifier = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']([^"'./][^"']*)["']/g;
  for (const file of jsFiles(dir)) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(specifier)) {
      // A package name, not a built-in or a sentence that happens to follow "from".
      if (spec!.startsWith('node:') || !/^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(\/[^\s]*)?$/.test(spec!)) continue;
      const parts = spec!.split('/');
      names.add(spec!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return names;
}

interface LockPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
}

/** Every node_modules path those packages need at run time, resolved as Node resolves them. */
export function packageClosure(roots: Iterable<string>, lock: { packages: Record<string, LockPackage> }): Set<string> {
  const found = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dirname(dirname(dir))) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (!dir?.includes('node_modules')) return lock.packages[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
    }
  };
  const visit = (path: string) => {
    if (found.has(path)) return;
    found.add(path);
    const entry = lock.packages[path]!;
    const deps = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const name of Object.keys(deps)) {
      const dep = resolve(path, name);
      if (dep) visit(dep);
    }
  };
  for (const name of roots) {
    const path = resolve('', name);
    if (!path) throw new Error(`The server imports ${name}, which package-lock.json does not list`);
    visit(path);
  }
  return found;
}

export async function buildAppImage(): Promise<string> {
  await buildServer();
  await ensureSite();
  const stage = mkdtempSync(join(tmpdir(), 'ssh-lab-app-'));
  try {
    const app = join(stage, 'app');
    mkdirSync(app);
    for (const item of ['package.json', 'package-lock.json', 'dist', 'build', 'labs', 'docker/lab-host']) {
      cpSync(join(projectRoot, item), join(app, item), { recursive: true, dereference: true });
    }
    const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
    for (const path of packageClosure(importedPackages(distDir), lock)) {
      const source = join(projectRoot, path);
      // An optional dependency for another platform is in the lock but not on disk.
      if (existsSync(source)) cpSync(source, join(app, path), { recursive: true, dereference: true });
    }
    cpSync(process.execPath, join(stage, 'node'));
    const tag = `${appImageName}:${contextHash(stage)}`;
    const base = process.env.SSH_LAB_BASE_IMAGE ?? (await labBase());
    console.log(`[app-image] building ${tag} on ${base}`);
    await run('docker', [
      'build',
      '--build-arg',
      `BASE_IMAGE=${base}`,
      '--label',
      'ssh-lab.image=app',
      '-t',
      tag,
      '-f',
      join(projectRoot, 'docker/app/Dockerfile'),
      stage,
    ]);
    console.log(`[app-image] built ${tag}`);
    return tag;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The debootstrap base scripts/images.ts made for the lab image, or Debian's registry image. */
async function labBase(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  const bases = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'ssh-lab/base'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return bases[0] ?? 'debian:bookworm-slim';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildAppImage().catch((error: Error) => {
    console.error(`[app-image] ${error.message}`);
    process.exit(1);
  });
}
