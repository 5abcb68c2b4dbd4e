import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Health } from '../../protocol/api.js';
import { Errors } from '../errors.js';
import { type AppContext, bearerToken } from './context.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export const healthRoutes: FastifyPluginAsync<AppContext> = async (app, { provider, registry, metrics, config }) => {
  app.get('/healthz', async (_request, reply) => {
    const environments = await provider.status();
    // A replica stopping (SIGTERM) says so with 503, so a load balancer's readiness check sends it nothing new.
    if (registry.draining) {
      const body: Health = { status: 'draining', environments, sessions: registry.size };
      return reply.code(503).header('cache-control', 'no-store').send(body);
    }
    const body: Health = { status: environments.available ? 'ok' : 'degraded', environments, sessions: registry.size };
    return reply.header('cache-control', 'no-store').send(body);
  });

  // Prometheus metrics show operators' numbers (sessions, failures, process memory): only to a
  // scraper that holds SSH_LAB_METRICS_TOKEN. Without one configured the route does not exist.
  const { metricsToken } = config;
  if (!metricsToken) return;
  const expected = digest(metricsToken);
  app.get('/metrics', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    // Digests compare in constant time whatever the length of what was sent.
    if (!token || !timingSafeEqual(digest(token), expected)) throw new Errors.MetricsTokenWrong();
    return reply
      .header('cache-control', 'no-store')
      .type(metrics.registry.contentType)
      .send(await metrics.registry.metrics());
  });
};
