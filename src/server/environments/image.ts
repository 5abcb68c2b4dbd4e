import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../labs/project-root.js';

export { projectRoot };
export const labHostContext = join(projectRoot, 'docker', 'lab-host');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** A hash of everything that goes into an image: an unchanged context keeps its tag and is never rebuilt. */
export function contextHash(dir: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(dir)) {
    hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

export const labHostImageName = 'ssh-lab/lab-host';

/** The tag the backend runs: derived from the image's inputs, so code and image always agree. */
export function labHostImage(): string {
  return `${labHostImageName}:${contextHash(labHostContext)}`;
}

export function labHostPackages(): string[] {
  return readFileSync(join(labHostContext, 'packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}
