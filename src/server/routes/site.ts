import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { htmlFiles } from '../site-files.js';
import type { AppContext } from './context.js';

/** The built site's pages as the URLs Docusaurus links to (trailingSlash: false): /docs/why-ssh -> docs/why-ssh.html. */
function extensionlessPages(root: string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const file of htmlFiles(root)) {
    const path = relative(root, file).split(sep).join('/');
    // Index pages are reached as directories; a name the router would read as a pattern is left to the wildcard.
    if (path === 'index.html' || path.endsWith('/index.html') || !/^[\w./-]+$/.test(path)) continue;
    pages.set(`/${path.slice(0, -'.html'.length)}`, path);
  }
  return pages;
}

/** Serves the built Docusaurus site. */
export const siteRoutes: FastifyPluginAsync<AppContext> = async (app, { config }) => {
  const root = resolve(config.siteDir);
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      extensions: ['html'],
      redirect: true,
      // The build writes .br and .gz beside each text file (scripts/lib/site-build.ts).
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, path) => {
        // Docusaurus names assets by content hash: they never change; pages must be revalidated.
        const immutable = path.startsWith(join(root, 'assets') + sep);
        reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // @fastify/static's `extensions` lookup finds page.html for /page but never page.html.br: each
    // page gets a route of its own that names the file, so its compressed copies are found.
    for (const [url, file] of extensionlessPages(root)) app.get(url, (_request, reply) => reply.sendFile(file));
    // Browsers and tools ask for /favicon.ico whatever the page declares; the site has an SVG icon.
    if (existsSync(join(root, 'img', 'favicon.svg'))) app.get('/favicon.ico', (_request, reply) => reply.sendFile('img/favicon.svg'));
  }
  const notFoundPage = built && existsSync(join(root, '404.html')) ? readFileSync(join(root, '404.html')) : undefined;

  app.setNotFoundHandler((_request, reply) => {
    if (!built) {
      return reply.code(404).type('text/plain').send(`The site is not built yet: run "npm run build" (or "npm start", which builds it). Looked in ${root}.`);
    }
    return reply
      .code(404)
      .type('text/html')
      .send(notFoundPage ?? 'Not found');
  });
};
