/**
 * The real HTTP app (routes, hooks, plugins, a real SessionRegistry and lab catalogue) over a fake
 * environment provider, for app.inject() tests: no port, no Docker, no root.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Client } from 'ssh2';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import type {
  EnvironmentProvider,
  EnvironmentRecord,
  EnvironmentSpec,
  ExecResult,
  ProviderStatus,
  ShellChannel,
  StartedEnvironment,
  StartedHost,
} from '../../src/server/environments/types.js';
import type { LabChecks } from '../../src/labs/check-kit.js';
import { loadLab, summarise } from '../../src/labs/load.js';
import type { RunnableLab } from '../../src/server/labs/catalogue.js';
import type { LabLookup } from '../../src/server/routes/context.js';
import { createMetrics } from '../../src/server/metrics.js';
import { FreshEnvironments } from '../../src/server/pool/source.js';
import { PoolTargets } from '../../src/server/pool/targets.js';
import { WarmPool } from '../../src/server/pool/warm-pool.js';
import { SessionRegistry } from '../../src/server/sessions/registry.js';

/** An environment whose hosts answer every command with success and have no shell. */
class FakeEnvironment implements StartedEnvironment {
  readonly hosts: readonly StartedHost[];
  disposed = false;

  constructor(
    readonly sessionId: string,
    spec: EnvironmentSpec,
  ) {
    this.hosts = spec.hosts.map((h, i) => ({
      name: h.name,
      role: h.role,
      ports: h.ports,
      address: `10.99.0.${i + 2}`,
      fingerprint: `SHA256:fake-${h.name}`,
      publicKey: `ssh-ed25519 AAAAfake${h.name}`,
    }));
  }

  async exec(): Promise<ExecResult> {
    return { stdout: '', stderr: '', code: 0, timedOut: false };
  }

  async openShell(): Promise<ShellChannel> {
    throw new Error('the fake environment has no shell');
  }

  async connection(): Promise<Client> {
    throw new Error('the fake environment has no SSH connection');
  }

  onLost(): void {}

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  describe(): EnvironmentRecord {
    return { sessionId: this.sessionId, hosts: [...this.hosts], provider: { kind: 'fake' } };
  }
}

export class FakeProvider implements EnvironmentProvider {
  readonly started: FakeEnvironment[] = [];
  available: ProviderStatus = { available: true };
  /** While set, every start waits for it (environments stay "being made"). */
  hold?: Promise<void>;

  async verify(): Promise<void> {}

  async start(spec: EnvironmentSpec): Promise<StartedEnvironment> {
    await this.hold;
    const environment = new FakeEnvironment(spec.sessionId, spec);
    this.started.push(environment);
    return environment;
  }

  async status(): Promise<ProviderStatus> {
    return this.available;
  }

  async reap(): Promise<number> {
    return 0;
  }

  async attach(): Promise<StartedEnvironment> {
    throw new Error("one process alone never attaches to another replica's environment");
  }
}

export interface TestApp {
  app: FastifyInstance;
  provider: FakeProvider;
  registry: SessionRegistry;
  /** With `pool` asked for: the warm pool (started) and its targets, as main.ts wires them. */
  pool?: WarmPool;
  targets?: PoolTargets;
  /** Every log line so far, parsed. */
  logs(): { level: number; msg: string; err?: { message: string } }[];
  close(): Promise<void>;
}

/** One real lab (keygen): route tests need a lab, not every lab of the tree to be valid. */
async function oneLabCatalogue(): Promise<LabLookup> {
  const definition = loadLab('keygen');
  const checks = ((await import('../../labs/keygen/checks.js')) as { default: LabChecks }).default;
  const lab: RunnableLab = { definition, checks, summary: summarise(definition) };
  return { get: (id) => (id === definition.id ? lab : undefined), summaries: () => [lab.summary] };
}

let catalogue: Promise<LabLookup> | undefined;

export interface TestAppOptions {
  /** A warm pool between registry and provider, with targets and the admin routes' controls. */
  pool?: { availableMemoryMb?: () => number; now?: () => number };
}

/** Builds the app with these settings (on top of quiet test defaults); add routes before the first inject. */
export async function buildTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ SSH_LAB_SITE_DIR: '/nonexistent-site', SSH_LAB_MAX_SESSIONS_PER_CLIENT: '10', SSH_LAB_MAX_SESSIONS: '20', ...env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const metrics = createMetrics();
  const provider = new FakeProvider();
  catalogue ??= oneLabCatalogue();
  const labs = await catalogue;
  const fresh = new FreshEnvironments(provider);
  let pool: WarmPool | undefined;
  let targets: PoolTargets | undefined;
  if (options.pool) {
    const poolTargets = new PoolTargets((labId) => config.poolSizes[labId] ?? config.poolSize, options.pool.now);
    let n = 0;
    pool = new WarmPool({
      build: fresh,
      coldStart: fresh,
      newIdentity: () => ({ sessionId: `pooled${n++}`, password: `pooled-password-${n}` }),
      labs: labs.summaries().map((summary) => labs.get(summary.id)!),
      target: (labId) => poolTargets.target(labId),
      nextTargetChange: () => poolTargets.nextChange(),
      maxSessions: config.maxSessions,
      sessionLifetimeSeconds: config.sessionLifetimeSeconds,
      maxAgeSeconds: config.poolMaxAgeSeconds,
      prewarmShell: false,
      logger,
    });
    targets = poolTargets;
  }
  const registry = new SessionRegistry(config, pool ?? fresh, logger, metrics);
  const control = pool && targets ? { targets, pool, availableMemoryMb: options.pool?.availableMemoryMb ?? (() => 64 * 1024) } : undefined;
  if (pool) {
    pool.setLoad({ active: () => registry.size, provisioning: () => registry.provisioning });
    pool.start();
  }
  const app = await buildApp({ config, logger, catalogue: labs, registry, provider, metrics, pool: control });
  return {
    app,
    provider,
    registry,
    pool,
    targets,
    logs: () => lines.map((line) => JSON.parse(line)),
    async close() {
      await registry.closeAll();
      await app.close();
    },
  };
}
