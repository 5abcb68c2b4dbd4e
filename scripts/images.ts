/**
 * npm run images: build the lab-host image if its tag (a hash of its inputs) is missing.
 * Where no registry is configured to answer (SSH_LAB_BASE=debootstrap, or automatically when
 * running as root with debootstrap installed), the Debian base is built from Debian's packages.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labHostContext, labHostImage, labHostPackages } from '../src/server/environments/image.js';

const debianMirror = process.env.SSH_LAB_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

function run(cmd: string, args: string[], opts: { quiet?: boolean; shell?: boolean } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: opts.quiet ? 'ignore' : 'inherit', shell: opts.shell ?? false });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function imageExists(name: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', name], { quiet: true })) === 0;
}

async function commandExists(name: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${name}`], { quiet: true })) === 0;
}

async function chooseBase(): Promise<string> {
  const explicit = process.env.SSH_LAB_BASE_IMAGE;
  if (explicit) return explicit;
  const mode = process.env.SSH_LAB_BASE ?? 'auto';
  if (mode === 'registry') return 'debian:bookworm-slim';
  if (mode !== 'auto' && mode !== 'debootstrap') {
    throw new Error(`SSH_LAB_BASE must be auto, registry or debootstrap (got "${mode}")`);
  }
  const canDebootstrap = process.getuid?.() === 0 && (await commandExists('debootstrap'));
  if (!canDebootstrap) {
    if (mode === 'debootstrap') throw new Error('SSH_LAB_BASE=debootstrap needs root and the debootstrap command');
    if (await imageExists('debian:bookworm-slim')) return 'debian:bookworm-slim';
    return 'debian:bookworm-slim';
  }
  const packages = labHostPackages();
  const tag = `ssh-lab/base:bookworm-${createHash('sha256').update(packages.join(',')).digest('hex').slice(0, 12)}`;
  if (await imageExists(tag)) return tag;
  console.log(`[images] building base image ${tag} from Debian packages (debootstrap, ~1 min)`);
  const dir = mkdtempSync(join(tmpdir(), 'ssh-lab-rootfs-'));
  try {
    const code = await run('debootstrap', ['--variant=minbase', `--include=${packages.join(',')}`, 'bookworm', dir, debianMirror]);
    if (code !== 0) throw new Error(`debootstrap failed with exit code ${code}`);
    const imported = await run('sh', ['-c', `tar -C '${dir}' -c . | docker import --change 'CMD ["/bin/bash"]' - '${tag}'`]);
    if (imported !== 0) throw new Error('docker import of the debootstrap root failed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}

export async function ensureImages(): Promise<string> {
  if ((await run('docker', ['info'], { quiet: true })) !== 0) {
    throw new Error(
      'No Docker engine answers. Install and start one (Debian/Ubuntu: apt-get install docker.io; then start dockerd or "systemctl start docker").',
    );
  }
  const image = labHostImage();
  if (await imageExists(image)) {
    console.log(`[images] ${image} is up to date`);
    return image;
  }
  const base = await chooseBase();
  console.log(`[images] building ${image} on ${base}`);
  const code = await run('docker', ['build', '--build-arg', `BASE_IMAGE=${base}`, '--label', 'ssh-lab.image=lab-host', '-t', image, labHostContext]);
  if (code !== 0) throw new Error(`docker build of ${image} failed (exit ${code})`);
  console.log(`[images] built ${image}`);
  return image;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureImages().catch((error: Error) => {
    console.error(`[images] ${error.message}`);
    process.exit(1);
  });
}
