import { ConfigError, loadConfig } from './config.js';
import { createProvider } from './environments/providers.js';
import { buildApp } from './app.js';
import { LabCatalogue } from './labs/catalogue.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { machineAvailableMemoryMb } from './pool/machine-memory.js';
import { EarlyShellEnvironments, FreshEnvironments } from './pool/source.js';
import { PoolTargets } from './pool/targets.js';
import { WarmPool } from './pool/warm-pool.js';
import { SessionRegistry } from './sessions/registry.js';
import { newPassword, newSessionId } from './sessions/tokens.js';

export interface RunningServer {
  url: string;
  /** The environment source: warm pool (targets may all be 0) and cold starts. */
  pool?: WarmPool;
  close(): Promise<void>;
}

/** Starts everything; throws with an operator-readable message when a setting or the firewall is wrong. */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const catalogue = await LabCatalogue.load();
  const provider = createProvider(config, logger);
  await provider.verify();
  const fresh = new FreshEnvironments(provider);
  // The configured sizes, unless an operator warms a lab for a while (PUT /api/admin/pool/:labId).
  const targets = new PoolTargets((labId) => config.poolSizes[labId] ?? config.poolSize);
  const pool = new WarmPool({
    build: fresh,
    coldStart: config.earlyShell ? new EarlyShellEnvironments(fresh) : fresh,
    newIdentity: () => ({ sessionId: newSessionId(), password: newPassword() }),
    pacing: () => provider.pacing?.() ?? { delayMs: 0 },
    labs: catalogue.all(),
    target: (labId) => targets.target(labId),
    nextTargetChange: () => targets.nextChange(),
    maxSessions: config.maxSessions,
    sessionLifetimeSeconds: config.sessionLifetimeSeconds,
    maxAgeSeconds: config.poolMaxAgeSeconds,
    prewarmShell: config.earlyShell,
    // Adaptive pool (branch perf): grows for a lab in demand, within the cap and the machine's memory.
    adaptive: config.poolAdaptive && { ...config.poolAdaptive, hostMemoryMb: config.hostLimits.memoryMb, availableMemoryMb: machineAvailableMemoryMb },
    logger,
  });
  for (const labId of Object.keys(config.poolSizes)) {
    if (!catalogue.get(labId)) logger.warn(`SSH_LAB_POOL_SIZES names "${labId}", which is not a lab here; ignored.`);
  }
  const registry = new SessionRegistry(config, pool, logger, metrics);
  pool.setLoad({ active: () => registry.size, provisioning: () => registry.provisioning });
  registry.startSweeping();

  const environments = await provider.status();
  if (environments.available) {
    // Leftovers of a previous run (e.g. killed with SIGKILL) go first.
    const removed = await provider.reap(registry.liveIds());
    if (removed) logger.info({ removed }, 'removed leftovers of an earlier run');
    pool.start();
  } else {
    logger.warn(`Lab environments are unavailable: ${environments.message} The site still serves; labs start working once the provider answers.`);
  }
  const reaper = setInterval(() => {
    provider.reap(registry.liveIds()).catch((error: Error) => logger.warn({ err: error }, 'reaping failed'));
    // The provider came up after the server: the pool starts filling now.
    if (pool.enabled) void provider.status().then((s) => s.available && pool.start());
  }, config.reapIntervalSeconds * 1000);
  reaper.unref();

  const app = await buildApp({
    config,
    logger,
    catalogue,
    registry,
    provider,
    metrics,
    pool: { targets, pool, availableMemoryMb: machineAvailableMemoryMb },
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const url = address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  return {
    url,
    pool,
    async close() {
      clearInterval(reaper);
      await registry.closeAll();
      await app.close();
      provider.close?.();
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
    console.log(`${signal}: ending every lab session…`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
