import type { EnvironmentProvider, StartedEnvironment } from '../environments/types.js';
import type { RunnableLab } from '../labs/catalogue.js';
import { applySetup, environmentSpec, templateValues } from '../labs/provision.js';
import { PrewarmedShellEnvironment } from './prewarmed-shell.js';

/** An environment and the learner password baked into it. */
export interface AcquiredEnvironment {
  /** Its sessionId is the session's id: a pooled environment brings its own id (and password). */
  environment: StartedEnvironment;
  password: string;
}

/** Hands out ready environments: what the session registry asks (the warm pool, or cold starts alone). */
export interface EnvironmentSource {
  /** sessionId and password are used when the environment is made now; a pooled one has its own. */
  acquire(lab: RunnableLab, sessionId: string, password: string, lifetimeSeconds: number): Promise<AcquiredEnvironment>;
  /** Ids of environments the source holds (pooled, being made): live for the reaper. */
  liveIds?(): Iterable<string>;
  /** Disposes whatever the source holds (server shutdown). */
  drain?(): Promise<void>;
}

/** Starts an environment and applies the lab's setup: a cold start, and how the pool builds. */
export class FreshEnvironments implements EnvironmentSource {
  constructor(private readonly provider: EnvironmentProvider) {}

  async acquire(lab: RunnableLab, sessionId: string, password: string, lifetimeSeconds: number): Promise<AcquiredEnvironment> {
    const environment = await this.provider.start(environmentSpec(lab.definition, sessionId, password, lifetimeSeconds));
    try {
      await applySetup(environment, lab.definition, templateValues(environment, password));
      return { environment, password };
    } catch (error) {
      await environment.dispose();
      throw error;
    }
  }
}

/** A cold start whose learner shell opens in the background while the response travels. */
export class EarlyShellEnvironments implements EnvironmentSource {
  constructor(private readonly fresh: EnvironmentSource) {}

  async acquire(lab: RunnableLab, sessionId: string, password: string, lifetimeSeconds: number): Promise<AcquiredEnvironment> {
    const acquired = await this.fresh.acquire(lab, sessionId, password, lifetimeSeconds);
    const environment = new PrewarmedShellEnvironment(acquired.environment);
    // Not awaited: the shell starts while the response travels and the client opens its socket.
    void environment.prewarm();
    return { environment, password: acquired.password };
  }
}
