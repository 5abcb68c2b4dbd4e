import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { terminalLimits } from '../protocol/terminal.js';
import type { AppContext } from './routes/context.js';
import { healthRoutes } from './routes/health.js';
import { labRoutes } from './routes/labs.js';
import { sessionRoutes } from './routes/sessions.js';
import { siteRoutes } from './routes/site.js';
import { terminalRoutes } from './routes/terminal.js';
import { securityHeaders } from './security-headers.js';

/**
 * A request as logged: never its query string (a terminal URL carries its ticket there) and no
 * headers (Authorization carries the session token).
 */
function requestForLog(request: FastifyRequest) {
  const [path, query] = request.url.split('?', 2);
  return {
    method: request.method,
    url: query === undefined ? path : `${path}?[redacted]`,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The HTTP server: site, API and terminal sockets on one port. */
export async function buildApp(context: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger.child({}, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    trustProxy: context.config.trustProxy,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500 && !error.code?.match(/^[A-Z_]+$/)) {
      request.log.error({ err: error }, 'unhandled error');
      return reply.code(500).send({ error: 'INTERNAL', message: 'Something went wrong on the server; it has been logged.' });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return reply.code(400).send({ error: 'BAD_JSON', message: 'The request body is not valid JSON.' });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request body as application/json.' });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: 'BODY_TOO_LARGE', message: 'The request body is too large.' });
    }
    if (status === 429 && !error.code?.startsWith('CLIENT')) {
      const creating = request.method === 'POST' && request.routeOptions.url === '/api/sessions';
      return reply.code(429).send({
        error: 'RATE_LIMITED',
        message: creating ? 'Too many new sessions from your address. Wait a minute and try again.' : 'Too many requests from your address. Wait a minute and try again.',
      });
    }
    const code = error.code?.replace(/^FST_ERR_/, '') ?? 'ERROR';
    return reply.code(status).send({ error: code, message: error.message });
  });

  // JSON only: a text/plain body is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');
  await app.register(securityHeaders, { siteDir: context.config.siteDir });
  // Every API route (terminal upgrades included) is limited per client address; routes with a
  // limit of their own (session creation) keep it. Added before the plugin so it sees the result.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const config = (route.config ?? {}) as { rateLimit?: unknown };
    if (config.rateLimit !== undefined) return;
    route.config = { ...config, rateLimit: { max: context.config.apiPerMinute, timeWindow: 60_000 } } as typeof route.config;
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyWebsocket, {
    options: { maxPayload: terminalLimits.maxPayloadBytes, perMessageDeflate: false },
    // A client breaking the protocol (oversize frame, invalid UTF-8) is its own problem: ws has
    // already closed that socket with the right code (1009, 1007); it is not a server error.
    errorHandler(error, socket, request) {
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('WS_ERR_')) {
        request.log.info({ code }, `terminal socket closed: ${error.message}`);
        return;
      }
      request.log.error({ err: error }, 'terminal socket error');
      socket.terminate();
    },
  });
  await app.register(healthRoutes, context);
  await app.register(labRoutes, context);
  await app.register(sessionRoutes, context);
  await app.register(terminalRoutes, context);
  await app.register(siteRoutes, context);
  return app;
}
