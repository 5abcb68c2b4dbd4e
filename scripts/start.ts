/**
 * The preparation half of `npm start`: build what is missing or stale (lab image, site) and
 * compile the server. package.json then runs the compiled server under plain node.
 * Without a Docker engine the site still serves and labs say why they are unavailable.
 */
import { ensureImages } from './images.js';
import { buildServer } from './build-server.js';
import { ensureSite } from './lib/site-build.js';

try {
  await ensureImages();
} catch (error) {
  console.warn(
    `\n[images] ${(error as Error).message}\n[images] The site will serve without hands-on labs until a Docker engine runs; then run "npm run images" (no restart needed).\n`,
  );
}
await ensureSite();
await buildServer();
