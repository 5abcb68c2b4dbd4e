import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sessionParamsSchema } from '../../protocol/api.js';
import { closeCodes, terminalQuerySchema, type ServerMessage } from '../../protocol/terminal.js';
import { Errors } from '../errors.js';
import type { AppContext } from './context.js';

/** Same-origin by default; a missing Origin (not a browser, or a forged request) is refused. */
export function originAllowed(request: FastifyRequest, allowed: string[]): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export const terminalRoutes: FastifyPluginAsyncZod<AppContext> = async (app, { registry, config }) => {
  app.get(
    '/sessions/:id/terminal',
    {
      websocket: true,
      schema: { params: sessionParamsSchema, querystring: terminalQuerySchema },
      // Every hook runs before the upgrade: a refused request gets a plain HTTP error, no socket.
      // The Origin goes first, before validation, so a foreign page learns nothing else.
      preValidation: async (request, reply) => {
        if (!originAllowed(request, config.allowedOrigins)) {
          return reply.code(403).send({ error: 'ORIGIN_REFUSED', message: 'Terminals open only from the SSH Lab site itself.' });
        }
      },
      preHandler: async (request, reply) => {
        // Spent in the shared directory: presented to two replicas at once, it opens one socket.
        const session = await registry.redeemTicket(request.params.id, request.query.ticket);
        if (!session) {
          return reply.code(403).send({ error: 'TICKET_INVALID', message: 'The terminal ticket is invalid, used or expired: ask for a new one.' });
        }
        // A lost environment still gets its socket: the widget reads the exit message below and
        // offers a fresh lab (a refused upgrade would only look like a network error to a browser).
        if (session.state !== 'ready' && session.state !== 'lost') throw new Errors.NotReady();
      },
    },
    (socket, request) => {
      const session = registry.get(request.params.id);
      if (session?.state !== 'ready') {
        const message: ServerMessage = session
          ? { type: 'exit', code: null, reason: 'environment-lost', message: 'The lab environment stopped. Start a fresh lab to get a new one.' }
          : { type: 'exit', code: null, reason: 'session-ended', message: 'This session has ended.' };
        socket.send(JSON.stringify(message));
        socket.close(closeCodes.sessionGone, 'session gone');
        return;
      }
      session.touch();
      void session.terminal.attach(socket, { tab: request.query.tab });
    },
  );
};
