import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { gatewayCredentialSchema, sessionParamsSchema } from '../../protocol/api.js';
import { Errors } from '../errors.js';
import { type AppContext, authorisedSession, sessionToken } from './context.js';

/** The host part of a Host header, without a port or IPv6 brackets (what ssh takes after the @). */
function hostName(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * POST /api/sessions/:id/gateway: a login for the learner's own SSH client. The password is made
 * now and never shown again (only its hash is kept); asking again rotates it. 404 GATEWAY_OFF when
 * the server runs without a gateway.
 */
export const gatewayRoutes: FastifyPluginAsyncZod<AppContext> = async (app, { registry, config, gateway }) => {
  app.post(
    '/sessions/:id/gateway',
    { schema: { params: sessionParamsSchema, response: { 200: gatewayCredentialSchema } }, preHandler: sessionToken(registry) },
    async (request, reply) => {
      const session = authorisedSession(request);
      if (!gateway) throw new Errors.GatewayOff();
      if (session.state !== 'ready') throw new Errors.NotReady();
      const issued = await gateway.gateway.issue(session);
      return reply.header('cache-control', 'no-store').send({
        host: config.gateway.publicHost ?? hostName(request.hostname),
        port: gateway.port,
        username: issued.username,
        password: issued.password,
        hostKeyFingerprint: gateway.gateway.fingerprint,
        expiresAt: issued.expiresAt.toISOString(),
      });
    },
  );
};
