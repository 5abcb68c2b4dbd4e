import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from './context.js';

/** Serves the built Docusaurus site; API paths that match nothing get a JSON 404. */
export const siteRoutes: FastifyPluginAsync<AppContext> = async (app, { config }) => {
  const root = resolve(config.siteDir);
  const built = existsSync(join(root, 'index.html'));
  if (built) await app.register(fastifyStatic, { root, extensions: ['html'], redirect: true, cacheControl: false });
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
