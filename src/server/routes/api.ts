import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import { Errors } from '../errors.js';
import { adminRoutes } from './admin.js';
import type { AppContext } from './context.js';
import { gatewayRoutes } from './gateway.js';
import { labRoutes } from './labs.js';
import { sessionRoutes } from './sessions.js';
import { terminalRoutes } from './terminal.js';

/**
 * Everything under /api (register with `prefix: '/api'`). Every route here, terminal upgrades
 * included, is limited per client address; each route counts on its own, and session creation
 * has a limit of its own (its route config). Health checks and the site are outside, unlimited.
 */
export const apiRoutes: FastifyPluginAsync<AppContext> = async (app, { config, logger, catalogue, registry, provider, metrics, pool, gateway, redis }) => {
  // Not the options themselves: they carry the prefix, which the route plugins would add again.
  const context: AppContext = { config, logger, catalogue, registry, provider, metrics, pool, gateway, redis };
  app.decorateRequest('labSession', null);
  await app.register(fastifyRateLimit, {
    global: true,
    max: config.apiPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => `${normalizeIP(request.ip)} ${request.method} ${request.routeOptions.url}`,
    errorResponseBuilder: () => new Errors.TooManyRequests(),
    // Several replicas count one client together in Redis. Redis down: requests pass unlimited
    // (skipOnError) rather than all failing; new sessions are refused by the directory meanwhile.
    ...(redis && { redis, nameSpace: 'ssh-lab:rate:', skipOnError: true }),
  });
  await app.register(labRoutes, context);
  await app.register(sessionRoutes, context);
  await app.register(terminalRoutes, context);
  await app.register(gatewayRoutes, context);
  // The operator's routes exist only with a token configured: unset, /api/admin/… is a plain 404.
  if (config.adminToken && pool) await app.register(adminRoutes, context);

  // A route, not a not-found handler: the site's GET /* would otherwise answer /api/… with its HTML 404 page.
  app.all('/*', async (request, reply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: `No API route ${request.method} ${request.url.split('?')[0]}.` }),
  );
};
