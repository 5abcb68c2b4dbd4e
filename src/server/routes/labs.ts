import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from './context.js';

export const labRoutes: FastifyPluginAsync<AppContext> = async (app, { catalogue }) => {
  app.get('/labs', async () => catalogue.summaries());
};
