import type { FastifyPluginAsync } from 'fastify';
import type { Health } from '../../protocol/api.js';
import type { AppContext } from './context.js';

export const healthRoutes: FastifyPluginAsync<AppContext> = async (app, { provider, registry, metrics }) => {
  app.get('/healthz', async (_request, reply) => {
    const environments = await provider.status();
    const body: Health = { status: environments.available ? 'ok' : 'degraded', environments, sessions: registry.size };
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
};
