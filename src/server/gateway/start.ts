import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { type GatewayCredentialStore, InMemoryGatewayCredentialStore } from './credentials.js';
import { type GatewaySessionLookup, SshGateway } from './gateway.js';
import { loadOrCreateHostKey } from './host-key.js';

export interface RunningGateway {
  gateway: SshGateway;
  /** The port it listens on (SSH_LAB_GATEWAY_PORT). */
  port: number;
}

/** The gateway's one way to a session: the registry, which serves any replica's session from the directory. */
export function registryLookup(registry: Pick<SessionRegistry, 'find'>): GatewaySessionLookup {
  return (sessionId) => registry.find(sessionId);
}

export interface GatewayDependencies {
  registry: Pick<SessionRegistry, 'find' | 'onEnded'>;
  logger: Logger;
  metrics: Metrics;
  credentials?: GatewayCredentialStore;
  lookup?: GatewaySessionLookup;
}

/** Starts the SSH gateway on HOST:SSH_LAB_GATEWAY_PORT, or nothing when the port is 0. */
export async function startGateway(config: Config, dependencies: GatewayDependencies): Promise<RunningGateway | undefined> {
  if (config.gateway.port === 0) return undefined;
  const { registry, logger, metrics } = dependencies;
  const log = logger.child({ component: 'gateway' });
  const hostKey = await loadOrCreateHostKey(config.gateway.dataDir, (message) => log.warn(message));
  const gateway = new SshGateway({
    hostKey,
    credentials: dependencies.credentials ?? new InMemoryGatewayCredentialStore(),
    lookup: dependencies.lookup ?? registryLookup(registry),
    logger: log,
    metrics,
  });
  registry.onEnded((sessionId) => {
    gateway.sessionEnded(sessionId).catch((error: Error) => log.warn({ err: error, session: sessionId }, 'gateway credential removal failed'));
  });
  try {
    const port = await gateway.listen(config.gateway.port, config.host);
    log.info({ port, fingerprint: hostKey.fingerprint }, 'SSH gateway listening');
    return { gateway, port };
  } catch (error) {
    throw new Error(
      `The SSH gateway cannot listen on ${config.host}:${config.gateway.port} (${(error as Error).message}). Set SSH_LAB_GATEWAY_PORT to a free port, or 0 to run without it.`,
    );
  }
}
