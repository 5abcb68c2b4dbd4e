import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .html file under a built site, as absolute paths (read once at start, never per request). */
export function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.name.endsWith('.html') ? [path] : [];
  });
}
