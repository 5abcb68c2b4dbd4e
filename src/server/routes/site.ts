import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from './context.js';

/** Serves the built Docusaurus site; API paths that match nothing get a JSON 404. */
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
  }
  const notFoundPage = built && existsSync(join(root, '404.html')) ? readFileSync(join(root, '404.html')) : undefined;

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) {
      return reply.code(404).send({ error: 'NOT_FOUND', message: `No API route ${request.method} ${request.url.split('?')[0]}.` });
    }
    if (!built) {
      return reply.code(404).type('text/plain').send(`The site is not built yet: run "npm run build" (or "npm start", which builds it). Looked in ${root}.`);
    }
    return reply.code(404).type('text/html').send(notFoundPage ?? 'Not found');
  });
};
