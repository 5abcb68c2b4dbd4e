import { STATUS_CODES } from 'node:http';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchemaValidationError,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { terminalLimits } from '../protocol/terminal.js';
import { Errors, isCatalogueError } from './errors.js';
import { apiRoutes } from './routes/api.js';
import type { AppContext } from './routes/context.js';
import { healthRoutes } from './routes/health.js';
import { siteRoutes } from './routes/site.js';
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

const validationTarget: Record<string, string> = { body: 'request body', params: 'path', querystring: 'query string', headers: 'headers' };

/** A schema failure as the client reads it: what was wrong, naming the field. */
export function validationError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  const keys = first?.params.keys;
  const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const detail =
    first?.keyword === 'unrecognized_keys' && Array.isArray(keys)
      ? `unknown field(s) ${keys.join(', ')}`
      : `${field ? `"${field}" ` : ''}${first?.message ?? 'is invalid'}`;
  return new Errors.BadRequest(`Invalid ${validationTarget[dataVar] ?? dataVar}: ${detail}.`);
}

/** Fastify's own client errors we answer, with our codes and words. */
const fastifyClientErrors: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'BAD_JSON', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'BAD_JSON', message: 'The request says it has a JSON body but sent none.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'BAD_REQUEST', message: 'The request body does not match its Content-Length.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request body as application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'BODY_TOO_LARGE', message: 'The request body is too large.' },
};

/**
 * Only errors written for the client reach it: ours (errors.ts) and Fastify's known client errors.
 * Anything else is the server's problem: a 5xx is logged and answered with a generic message; a
 * 4xx from a library (an aborted upload, a bad range) keeps its status but not its words.
 */
export function replyToError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isCatalogueError(error)) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
  const known = fastifyClientErrors[error.code];
  if (known) return reply.code(known.status).send({ error: known.error, message: known.message });
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    request.log.info({ err: error }, 'request refused');
    const reason = STATUS_CODES[status] ?? 'Bad Request';
    return reply.code(status).send({ error: reason.toUpperCase().replace(/\W+/g, '_'), message: `${reason}.` });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ error: 'INTERNAL', message: 'Something went wrong on the server; it has been logged.' });
}

/** The HTTP server: site, API and terminal sockets on one port. */
export async function buildApp(context: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger.child({}, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    trustProxy: context.config.trustProxy,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    schemaErrorFormatter: validationError,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(replyToError);

  // JSON only: a text/plain body is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');
  await app.register(securityHeaders, { siteDir: context.config.siteDir });
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
  await app.register(apiRoutes, { ...context, prefix: '/api' });
  await app.register(siteRoutes, context);
  return app;
}
