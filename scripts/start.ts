/**
 * npm start: build what is missing or stale (lab image, site), then serve site + API.
 * Without a Docker engine the site still serves and labs say why they are unavailable.
 */
import { ensureImages } from './images.js';
import { ensureSite } from './lib/site-build.js';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

try {
  await ensureImages();
} catch (error) {
  console.warn(`\n[images] ${(error as Error).message}\n[images] The site will serve without hands-on labs until a Docker engine runs; then run "npm run images" (no restart needed).\n`);
}
await ensureSite();
await import('../src/server/main.js').then((m) => m.main());
