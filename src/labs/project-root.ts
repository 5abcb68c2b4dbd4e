import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root, found from a module's own URL by walking up to the package.json named
 * "ssh-lab". The same answer from source (src/…) and from the compiled server (dist/src/…), so
 * lab folders and the image context are found wherever the code runs from.
 */
export function projectRootOf(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ssh-lab') return `${dir}/`;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No ssh-lab package.json above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
}

export const projectRoot = projectRootOf(import.meta.url);
