import { cpus, loadavg } from 'node:os';
import type { Logger } from 'pino';
import type { EnvironmentProvider } from '../environments/types.js';
import type { RunnableLab } from '../labs/catalogue.js';
import { FreshEnvironments, type AcquiredEnvironment, type EnvironmentSource } from '../sessions/registry.js';
import { newPassword, newSessionId } from '../sessions/tokens.js';
import { PrewarmedShellEnvironment } from './prewarmed-shell.js';

export interface WarmPoolOptions {
  provider: EnvironmentProvider;
  labs: readonly RunnableLab[];
  /** Ready environments wanted for a lab (0: none). */
  target: (labId: string) => number;
  /** The global cap: live sessions + sessions starting + pooled environments stay at or below it. */
  maxSessions: number;
  sessionLifetimeSeconds: number;
  /** A pooled environment older than this is replaced (its hosts end themselves after the session lifetime plus this). */
  maxAgeSeconds: number;
  /** Open the learner's shell ahead of time: in the pool, and in the background for a cold start. */
  prewarmShell?: boolean;
  logger: Logger;
}

/** How busy the sessions are; set by whoever owns the registry. */
export interface PoolLoad {
  /** Live sessions plus sessions being started. */
  active(): number;
  /** Sessions being started right now: a learner is waiting, so refills wait. */
  provisioning(): number;
}

interface Entry {
  id: string;
  password: string;
  labId: string;
  environment: PrewarmedShellEnvironment;
  createdAt: number;
  state: 'ready' | 'taken' | 'gone';
}

export interface PoolStats {
  handedOut: number;
  misses: number;
  built: number;
  failed: number;
  retired: number;
  evicted: number;
  lost: number;
}

/**
 * The warm pool: a few environments per lab, started and set up ahead of time, each made for
 * exactly one session (its own id, password and host keys) and disposed with that session.
 * Refills run one at a time in the background after each hand-out, wait while a learner's
 * cold start is in progress, slow down when the machine is loaded, and never take a place
 * under the global session cap that a live session needs (an idle pooled environment is
 * evicted first). With every target at 0 this is just a fresh start (plus the early shell).
 */
export class WarmPool implements EnvironmentSource {
  private readonly ready = new Map<string, Entry[]>();
  /** Environments being made: id -> lab id. Their ids are live for the reaper. */
  private readonly building = new Map<string, string>();
  private readonly fresh: FreshEnvironments;
  private readonly labs: Map<string, RunnableLab>;
  private load: PoolLoad = { active: () => 0, provisioning: () => 0 };
  private wake?: () => void;
  private loop?: Promise<void>;
  private retireTimer?: NodeJS.Timeout;
  private closed = false;
  private failures = 0;
  readonly stats: PoolStats = { handedOut: 0, misses: 0, built: 0, failed: 0, retired: 0, evicted: 0, lost: 0 };

  constructor(private readonly options: WarmPoolOptions) {
    this.fresh = new FreshEnvironments(options.provider);
    this.labs = new Map(options.labs.map((lab) => [lab.definition.id, lab]));
  }

  /** Pooled environments count against the cap; the registry tells the pool how full it is. */
  setLoad(load: PoolLoad): void {
    this.load = load;
  }

  get enabled(): boolean {
    return [...this.labs.keys()].some((id) => this.options.target(id) > 0);
  }

  /** Ready plus being made. */
  get size(): number {
    let n = this.building.size;
    for (const list of this.ready.values()) n += list.length;
    return n;
  }

  readyCount(labId: string): number {
    return this.ready.get(labId)?.length ?? 0;
  }

  /** Ids of pooled and in-the-making environments: the reaper must leave their containers alone. */
  liveIds(): string[] {
    return [...this.building.keys(), ...[...this.ready.values()].flatMap((list) => list.map((e) => e.id))];
  }

  /** Starts filling (call once Docker answers). */
  start(): void {
    if (this.loop || this.closed || !this.enabled) return;
    this.loop = this.run();
    this.retireTimer = setInterval(() => this.retireOld(), Math.min(15_000, (this.options.maxAgeSeconds * 1000) / 4));
    this.retireTimer.unref();
  }

  /** Resolves once every lab's pool holds its target (or the timeout passes; returns whether it is full). */
  async whenFull(timeoutMs = 120_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ([...this.labs.keys()].every((id) => this.readyCount(id) >= this.options.target(id))) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async acquire(lab: RunnableLab, sessionId: string, password: string, lifetimeSeconds: number): Promise<AcquiredEnvironment> {
    const entry = this.take(lab.definition.id);
    if (entry) {
      this.stats.handedOut++;
      this.signal();
      this.options.logger.debug({ lab: entry.labId, ageMs: Date.now() - entry.createdAt }, 'pooled environment handed out');
      return { environment: entry.environment, password: entry.password };
    }
    if (this.options.target(lab.definition.id) > 0) this.stats.misses++;
    this.makeRoom();
    const acquired = await this.fresh.acquire(lab, sessionId, password, lifetimeSeconds);
    if (!this.options.prewarmShell) return acquired;
    const environment = new PrewarmedShellEnvironment(acquired.environment);
    // Not awaited: the shell starts while the response travels and the client opens its socket.
    void environment.prewarm();
    return { environment, password: acquired.password };
  }

  /** Stops refilling and disposes every pooled environment (server shutdown). */
  async drain(): Promise<void> {
    this.closed = true;
    clearInterval(this.retireTimer);
    this.signal();
    await this.loop;
    const entries = [...this.ready.values()].flat();
    this.ready.clear();
    await Promise.all(entries.map((e) => this.discard(e)));
  }

  private take(labId: string): Entry | undefined {
    const list = this.ready.get(labId);
    const maxAgeMs = this.options.maxAgeSeconds * 1000;
    while (list?.length) {
      const entry = list.shift()!;
      if (entry.state !== 'ready') continue;
      if (Date.now() - entry.createdAt > maxAgeMs) {
        this.stats.retired++;
        void this.discard(entry);
        continue;
      }
      entry.state = 'taken';
      return entry;
    }
    return undefined;
  }

  /** A session is starting without a pooled environment: if the cap is reached, an idle pooled one makes way. */
  private makeRoom(): void {
    while (this.load.active() + this.size > this.options.maxSessions) {
      let oldest: Entry | undefined;
      for (const list of this.ready.values()) {
        for (const entry of list) if (!oldest || entry.createdAt < oldest.createdAt) oldest = entry;
      }
      if (!oldest) return;
      this.remove(oldest);
      this.stats.evicted++;
      void this.discard(oldest);
    }
  }

  private remove(entry: Entry): void {
    const list = this.ready.get(entry.labId);
    const index = list?.indexOf(entry) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }

  private async discard(entry: Entry): Promise<void> {
    entry.state = 'gone';
    try {
      await entry.environment.dispose();
    } catch (error) {
      this.options.logger.warn({ err: error, lab: entry.labId }, 'a pooled environment could not be removed; the reaper will retry');
    }
  }

  private retireOld(): void {
    const maxAgeMs = this.options.maxAgeSeconds * 1000;
    for (const list of this.ready.values()) {
      for (const entry of [...list]) {
        if (Date.now() - entry.createdAt > maxAgeMs) {
          this.remove(entry);
          this.stats.retired++;
          void this.discard(entry);
        }
      }
    }
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits ms, or until signal() (a hand-out, a loss, shutdown). Only the fill loop waits here. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** The lab furthest below its target, or none. */
  private neediest(): RunnableLab | undefined {
    let best: RunnableLab | undefined;
    let bestFill = 1;
    const buildingPerLab = new Map<string, number>();
    for (const labId of this.building.values()) buildingPerLab.set(labId, (buildingPerLab.get(labId) ?? 0) + 1);
    for (const [id, lab] of this.labs) {
      const target = this.options.target(id);
      if (target <= 0) continue;
      const fill = (this.readyCount(id) + (buildingPerLab.get(id) ?? 0)) / target;
      if (fill < bestFill) {
        best = lab;
        bestFill = fill;
      }
    }
    return best;
  }

  private async run(): Promise<void> {
    const cores = cpus().length || 1;
    let lastBuild = 0;
    while (!this.closed) {
      const lab = this.neediest();
      if (!lab) {
        await this.pause(30_000);
        continue;
      }
      // The cap counts pooled environments; a full machine leaves the pool empty rather than refuse a learner.
      if (this.load.active() + this.size >= this.options.maxSessions) {
        await this.pause(1_000);
        continue;
      }
      // A learner is waiting for a cold start: do not compete with it for the CPU and the Docker daemon.
      if (this.load.provisioning() > 0) {
        await this.pause(50);
        continue;
      }
      // A loaded machine: pace refills (one per second at most) instead of building back to back.
      const paceMs = loadavg()[0]! > cores * 1.5 ? 1_000 : 0;
      const wait = lastBuild + paceMs - Date.now();
      if (wait > 0) {
        await this.pause(wait);
        continue;
      }
      lastBuild = Date.now();
      const ok = await this.build(lab);
      if (!ok) await this.pause(Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)));
    }
  }

  private async build(lab: RunnableLab): Promise<boolean> {
    const labId = lab.definition.id;
    const id = newSessionId();
    const password = newPassword();
    // Pooled hosts may wait up to maxAge before their session starts: their self-destruct timer allows for it.
    const lifetime = this.options.sessionLifetimeSeconds + 60 + this.options.maxAgeSeconds + 60;
    const started = performance.now();
    this.building.set(id, labId);
    try {
      const acquired = await this.fresh.acquire(lab, id, password, lifetime);
      const environment = new PrewarmedShellEnvironment(acquired.environment);
      if (this.options.prewarmShell !== false) await environment.prewarm();
      const entry: Entry = { id, password, labId, environment, createdAt: Date.now(), state: 'ready' };
      if (this.closed) {
        await this.discard(entry);
        return true;
      }
      environment.onLost((reason) => {
        if (entry.state !== 'ready') return;
        this.options.logger.warn({ lab: labId, reason }, 'a pooled environment was lost; replacing it');
        this.remove(entry);
        this.stats.lost++;
        void this.discard(entry);
        this.signal();
      });
      const list = this.ready.get(labId) ?? [];
      list.push(entry);
      this.ready.set(labId, list);
      this.stats.built++;
      this.failures = 0;
      this.options.logger.debug({ lab: labId, buildMs: Math.round(performance.now() - started), pooled: list.length }, 'pooled environment ready');
      return true;
    } catch (error) {
      this.failures++;
      this.stats.failed++;
      this.options.logger.warn({ err: error, lab: labId }, 'a pooled environment failed to start; retrying later');
      return false;
    } finally {
      this.building.delete(id);
    }
  }
}
