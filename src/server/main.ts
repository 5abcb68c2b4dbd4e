import { ConfigError, loadConfig } from './config.js';
import { DockerEnvironmentProvider } from './environments/docker-provider.js';
import { labHostImage } from './environments/image.js';
import { buildApp } from './app.js';
import { LabCatalogue } from './labs/catalogue.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { FreshEnvironments, SessionRegistry } from './sessions/registry.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts everything; throws with an operator-readable message when a setting or the firewall is wrong. */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const catalogue = await LabCatalogue.load();
  const provider = new DockerEnvironmentProvider({
    image: labHostImage(),
    limits: config.hostLimits,
    subnetPool: config.subnetPool,
    subnetPrefix: config.subnetPrefix,
    hostFirewall: config.hostFirewall,
    startupTimeoutMs: config.startupTimeoutMs,
    logger,
  });
  await provider.verifyHostFirewall();
  const registry = new SessionRegistry(config, new FreshEnvironments(provider), logger, metrics);
  registry.startSweeping();

  const docker = await provider.status();
  if (docker.available) {
    // Leftovers of a previous run (e.g. killed with SIGKILL) go first.
    const removed = await provider.reap(registry.liveIds());
    if (removed) logger.info({ removed }, 'removed leftovers of an earlier run');
  } else {
    logger.warn(`Lab environments are unavailable: ${docker.message} The site still serves; labs start working once a Docker engine answers.`);
  }
  const reaper = setInterval(() => {
    provider.reap(registry.liveIds()).catch((error: Error) => logger.warn({ err: error }, 'reaping failed'));
  }, config.reapIntervalSeconds * 1000);
  reaper.unref();

  const app = await buildApp({ config, logger, catalogue, registry, provider, metrics });
  const address = await app.listen({ port: config.port, host: config.host });
  const url = address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  return {
    url,
    async close() {
      clearInterval(reaper);
      await registry.closeAll();
      await app.close();
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
