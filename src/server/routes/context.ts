import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { SessionParams } from '../../protocol/api.js';
import type { Config } from '../config.js';
import type { EnvironmentProvider } from '../environments/types.js';
import type { LabCatalogue } from '../labs/catalogue.js';
import type { Metrics } from '../metrics.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { Session } from '../sessions/session.js';

/** What the routes ask of the lab catalogue. */
export type LabLookup = Pick<LabCatalogue, 'get' | 'summaries'>;

/** What every route plugin gets: passed in, never imported as module state. */
export interface AppContext {
  config: Config;
  logger: Logger;
  catalogue: LabLookup;
  registry: SessionRegistry;
  provider: EnvironmentProvider;
  metrics: Metrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The session whose bearer token the request carried; set by the sessionToken preHandler. */
    labSession: Session | null;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * A preHandler for /sessions/:id… routes: the request must carry that session's token
 * (401 TOKEN_MISSING, 404 SESSION_UNKNOWN, 403 TOKEN_WRONG otherwise).
 */
export function sessionToken(registry: SessionRegistry) {
  return async (request: FastifyRequest<{ Params: SessionParams }>): Promise<void> => {
    request.labSession = registry.authorise(request.params.id, bearerToken(request.headers.authorization));
  };
}

/** The session the sessionToken preHandler authorised. */
export function authorisedSession(request: FastifyRequest): Session {
  if (!request.labSession) throw new Error(`${request.routeOptions.url} reads the session without the sessionToken preHandler`);
  return request.labSession;
}
