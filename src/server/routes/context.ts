import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SessionParams } from '../../protocol/api.js';
import type { Config } from '../config.js';
import type { EnvironmentProvider } from '../environments/types.js';
import type { LabCatalogue } from '../labs/catalogue.js';
import type { SshGateway } from '../gateway/gateway.js';
import type { Metrics } from '../metrics.js';
import type { PoolTargets } from '../pool/targets.js';
import type { WarmPool } from '../pool/warm-pool.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { Session } from '../sessions/session.js';

/** What the routes ask of the lab catalogue. */
export type LabLookup = Pick<LabCatalogue, 'get' | 'summaries'>;

/** What the operator's admin routes change and read: the targets, the pool that follows them, the machine's free memory. */
export interface PoolControl {
  targets: PoolTargets;
  pool: Pick<WarmPool, 'readyCount' | 'buildingCount' | 'retarget'>;
  /** MemAvailable in MB (injectable: tests fake the machine). */
  availableMemoryMb: () => number;
}

/** What every route plugin gets: passed in, never imported as module state. */
export interface AppContext {
  config: Config;
  logger: Logger;
  catalogue: LabLookup;
  registry: SessionRegistry;
  provider: EnvironmentProvider;
  metrics: Metrics;
  /** The warm pool's controls; without it (or without SSH_LAB_ADMIN_TOKEN) there are no admin routes. */
  pool?: PoolControl;
  /** The SSH gateway and the port learners reach it on; absent when SSH_LAB_GATEWAY_PORT=0. */
  gateway?: { gateway: Pick<SshGateway, 'issue' | 'fingerprint'>; port: number };
  /** The shared directory's Redis (SSH_LAB_REDIS_URL): rate limits count there, across replicas. */
  redis?: Redis;
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
    request.labSession = await registry.authorise(request.params.id, bearerToken(request.headers.authorization));
  };
}

/** The session the sessionToken preHandler authorised. */
export function authorisedSession(request: FastifyRequest): Session {
  if (!request.labSession) throw new Error(`${request.routeOptions.url} reads the session without the sessionToken preHandler`);
  return request.labSession;
}
