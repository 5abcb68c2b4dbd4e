import { ConfigError, loadConfig } from './config.js';
import { openDirectory } from './directory/open.js';
import { ownerLabel } from './environments/ownership.js';
import { createProvider } from './environments/providers.js';
import { buildApp } from './app.js';
import { LabCatalogue } from './labs/catalogue.js';
import { startGateway, type RunningGateway } from './gateway/start.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { setOwnCpuPriority } from './process/cpu-priority.js';
import { machineAvailableMemoryMb } from './pool/machine-memory.js';
import { EarlyShellEnvironments, FreshEnvironments } from './pool/source.js';
import { QueuedStarts, StartQueue } from './pool/start-queue.js';
import { PoolTargets } from './pool/targets.js';
import { WarmPool } from './pool/warm-pool.js';
import { SessionRegistry } from './sessions/registry.js';
import { newPassword, newSessionId } from './sessions/tokens.js';

export interface RunningServer {
  url: string;
  /** The environment source: warm pool (targets may all be 0) and cold starts. */
  pool?: WarmPool;
  /** The SSH gateway's port and host-key fingerprint; absent when SSH_LAB_GATEWAY_PORT=0. */
  gateway?: { port: number; fingerprint: string };
  /** Sessions are shared with other replicas (Redis): a stop hands them over instead of ending them. */
  shared: boolean;
  close(): Promise<void>;
}

/** Starts everything; throws with an operator-readable message when a setting or the firewall is wrong. */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const priority = setOwnCpuPriority(config.backendNice);
  if (!priority.applied)
    logger.warn(
      `SSH_LAB_BACKEND_NICE=${config.backendNice}: the backend's CPU priority could not be raised (${priority.reason}); it runs at nice ${priority.nice}, and terminals slow down when learners keep every core busy. Set SSH_LAB_BACKEND_NICE=${priority.nice} to accept that.`,
    );
  const metrics = createMetrics();
  const catalogue = await LabCatalogue.load();
  const provider = createProvider(config, logger);
  await provider.verify();
  const fresh = new FreshEnvironments(provider);
  // One queue for every start: a class arriving at once is served in order instead of all at once.
  const starts = new StartQueue(config.maxConcurrentStarts);
  const coldStart = new QueuedStarts(fresh, starts, true);
  // The configured sizes, unless an operator warms a lab for a while (PUT /api/admin/pool/:labId).
  const targets = new PoolTargets((labId) => config.poolSizes[labId] ?? config.poolSize);
  const pool = new WarmPool({
    build: new QueuedStarts(fresh, starts, false),
    coldStart: config.earlyShell ? new EarlyShellEnvironments(coldStart) : coldStart,
    newIdentity: () => ({ sessionId: newSessionId(), password: newPassword() }),
    pacing: () => provider.pacing?.() ?? { delayMs: 0 },
    labs: catalogue.all(),
    target: (labId) => targets.target(labId),
    nextTargetChange: () => targets.nextChange(),
    maxSessions: config.maxSessions,
    sessionLifetimeSeconds: config.sessionLifetimeSeconds,
    maxAgeSeconds: config.poolMaxAgeSeconds,
    prewarmShell: config.earlyShell,
    // Adaptive pool: grows for a lab in demand, within the cap and the machine's memory.
    adaptive: config.poolAdaptive && { ...config.poolAdaptive, hostMemoryMb: config.hostLimits.memoryMb, availableMemoryMb: machineAvailableMemoryMb },
    logger,
  });
  for (const labId of Object.keys(config.poolSizes)) {
    if (!catalogue.get(labId)) logger.warn(`SSH_LAB_POOL_SIZES names "${labId}", which is not a lab here; ignored.`);
  }
  // --- shared session directory: in memory, or Redis shared with other replicas ---
  const { directory, redis } = await openDirectory(config, provider.owner ?? ownerLabel(), logger);
  if (directory.shared) {
    if (provider.agreeLoginKey) await provider.agreeLoginKey((own) => directory.loginKey(own));
    else logger.warn("this provider keeps its own login key: replicas cannot reach each other's environments");
    // A store that lost its data gets the key the replicas agreed on back (the first to offer it wins, as before).
    directory.onWiped(() => void provider.agreeLoginKey?.((own) => directory.loginKey(own)).catch(() => undefined));
  }
  const registry = new SessionRegistry(config, pool, logger, metrics, {
    directory,
    attach: (record) => provider.attach(record),
    labs: (labId) => catalogue.get(labId),
  });
  // Warm environments of every replica count against the one global cap.
  pool.setLoad({ active: () => registry.size + registry.pooledElsewhere, provisioning: () => registry.provisioning });
  await registry.heartbeat(pool.size);
  const heartbeat = setInterval(() => void registry.heartbeat(pool.size), Math.max(1_000, (config.replicaTtlSeconds * 1000) / 4));
  heartbeat.unref();
  registry.startSweeping();
  /** Reaps only with a complete picture: the directory down means no reaping this round. */
  const reap = async () => {
    const { live, liveOwners } = await registry.reapScope();
    return provider.reap(live, liveOwners);
  };

  const environments = await provider.status();
  if (environments.available) {
    // Leftovers of a previous run (e.g. killed with SIGKILL) go first.
    const removed = await reap().catch((error: Error) => {
      logger.warn({ err: error }, 'reaping failed');
      return 0;
    });
    if (removed) logger.info({ removed }, 'removed leftovers of an earlier run');
    pool.start();
  } else {
    logger.warn(`Lab environments are unavailable: ${environments.message} The site still serves; labs start working once the provider answers.`);
  }
  const reaper = setInterval(() => {
    reap().catch((error: Error) => logger.warn({ err: error }, 'reaping failed'));
    // The provider came up after the server: the pool starts filling now.
    if (pool.enabled) void provider.status().then((s) => s.available && pool.start());
  }, config.reapIntervalSeconds * 1000);
  reaper.unref();

  const gateway: RunningGateway | undefined = await startGateway(config, {
    registry,
    logger,
    metrics,
    // Replicas share the credentials (Redis); alone, the in-memory directory holds them.
    credentials: registry.directory.gatewayCredentials,
  });
  const app = await buildApp({
    config,
    logger,
    catalogue,
    registry,
    provider,
    metrics,
    pool: { targets, pool, availableMemoryMb: machineAvailableMemoryMb },
    gateway,
    redis,
  });
  const address = await app.listen({ port: config.port, host: config.host }).catch(async (error: Error) => {
    await gateway?.gateway.close();
    throw error;
  });
  const url = address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  return {
    url,
    pool,
    gateway: gateway && { port: gateway.port, fingerprint: gateway.gateway.fingerprint },
    shared: directory.shared,
    async close() {
      clearInterval(reaper);
      clearInterval(heartbeat);
      // No new gateway logins while sessions end; ending them closes their gateway connections.
      // Shared: terminals are told to reconnect elsewhere and the environments stay (closeAll).
      const gatewayClosed = gateway?.gateway.close();
      await registry.closeAll();
      await gatewayClosed;
      await app.close();
      provider.close?.();
      await directory.close();
    },
  };
}

export async function main(): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`SSH Lab could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`SSH Lab is running at ${server.url}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (server.shared) {
      console.log(`${signal}: handing every lab session over to the other replicas (the last replica ends them)…`);
      // Sessions live on in the directory; nothing here is worth a slow exit.
      setTimeout(() => {
        console.error(`${signal}: still stopping after 9.5 s; exiting now (the sessions stay with the other replicas).`);
        process.exit(0);
      }, 9_500).unref();
    } else console.log(`${signal}: ending every lab session…`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
