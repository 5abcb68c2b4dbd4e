/** npm run build: the production site in build/, with its pre-compressed copies. */
import { buildSite } from './lib/site-build.js';

await buildSite();
