import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { closeCodes, type ServerMessage } from '../../protocol/terminal.js';
import { Errors } from '../errors.js';
import type { AppContext } from './context.js';

const querySchema = z.object({ ticket: z.string().min(1).max(128) });
const paramsSchema = z.object({ id: z.string().min(1).max(64) });

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

export const terminalRoutes: FastifyPluginAsync<AppContext> = async (app, { registry, config }) => {
  app.get(
    '/api/sessions/:id/terminal',
    {
      websocket: true,
      // Runs before the upgrade: a refused request gets a plain HTTP error, no socket.
      preValidation: async (request, reply) => {
        if (!originAllowed(request, config.allowedOrigins)) {
          return reply.code(403).send({ error: 'ORIGIN_REFUSED', message: 'Terminals open only from the SSH Lab site itself.' });
        }
        const params = paramsSchema.safeParse(request.params);
        const query = querySchema.safeParse(request.query);
        if (!params.success || !query.success) {
          return reply.code(400).send({ error: 'BAD_REQUEST', message: 'A terminal needs ?ticket=… from POST /api/sessions/:id/ticket.' });
        }
        const session = registry.get(params.data.id);
        if (!session) return reply.code(404).send({ error: 'SESSION_UNKNOWN', message: new Errors.SessionUnknown().message });
        if (!registry.tickets.redeem(query.data.ticket, session.id)) {
          return reply.code(403).send({ error: 'TICKET_INVALID', message: 'The terminal ticket is invalid, used or expired: ask for a new one.' });
        }
        // A lost environment still gets its socket: the widget reads the exit message below and
        // offers a fresh lab (a refused upgrade would only look like a network error to a browser).
        if (session.state !== 'ready' && session.state !== 'lost') {
          return reply.code(409).send({ error: 'SESSION_NOT_READY', message: new Errors.NotReady().message });
        }
      },
    },
    (socket, request) => {
      const session = registry.get((request.params as { id: string }).id);
      if (!session || session.state !== 'ready') {
        const message: ServerMessage = session
          ? { type: 'exit', code: null, reason: 'environment-lost', message: 'The lab environment stopped. Start a fresh lab to get a new one.' }
          : { type: 'exit', code: null, reason: 'session-ended', message: 'This session has ended.' };
        socket.send(JSON.stringify(message));
        socket.close(closeCodes.sessionGone, 'session gone');
        return;
      }
      session.touch();
      void session.terminal.attach(socket);
    },
  );
};
