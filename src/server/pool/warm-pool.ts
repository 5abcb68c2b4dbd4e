import type { Logger } from 'pino';
import type { ProviderPacing } from '../environments/types.js';
import type { RunnableLab } from '../labs/catalogue.js';
import { LabDemand } from './demand.js';
import { PoolInventory, type PooledEntry, type PoolStats } from './inventory.js';
import { PrewarmedShellEnvironment } from './prewarmed-shell.js';
import { RefillScheduler } from './refill.js';
import type { AcquiredEnvironment, EnvironmentSource } from './source.js';

export type { PoolStats } from './inventory.js';

export interface WarmPoolOptions {
  /** Makes the pool's environments (start + lab setup). */
  build: EnvironmentSource;
  /** Serves a session the pool has nothing ready for. */
  coldStart: EnvironmentSource;
  /** A fresh session id and learner password for each pooled environment (the registry's own generator). */
  newIdentity: () => { sessionId: string; password: string };
  /** The provider's refill pacing; none: back to back. */
  pacing?: () => ProviderPacing;
  labs: readonly RunnableLab[];
  /** Ready environments wanted for a lab (0: none). */
  target: (labId: string) => number;
  /** When `target` next changes by itself (an operator's override ends), or none: retarget() runs then. */
  nextTargetChange?: () => number | undefined;
  /** The global cap: live sessions + sessions starting + pooled environments stay at or below it. */
  maxSessions: number;
  sessionLifetimeSeconds: number;
  /** A pooled environment older than this is replaced (its hosts end themselves after the session lifetime plus this). */
  maxAgeSeconds: number;
  /** Open the learner's shell of a pooled environment ahead of time (default on). */
  prewarmShell?: boolean;
  /** Grow a lab's pool while it is in demand and shrink it back (demand.ts); none: the targets alone. */
  adaptive?: AdaptivePoolOptions;
  logger: Logger;
}

export interface AdaptivePoolOptions {
  halfLifeSeconds: number;
  maxExtraPerLab: number;
  /** SSH_LAB_HOST_MEMORY_MB: extra environments are planned at their memory limit. */
  hostMemoryMb: number;
  /** The machine's available memory (MB); extra environments never take more than 80 % of it. */
  availableMemoryMb: () => number;
  /** The demand's clock (tests); Date.now by default. */
  now?: () => number;
}

/** How busy the sessions are; set by whoever owns the registry. */
export interface PoolLoad {
  /** Live sessions plus sessions being started. */
  active(): number;
  /** Sessions being started right now: a learner is waiting, so refills wait. */
  provisioning(): number;
}

type Entry = PooledEntry<PrewarmedShellEnvironment>;

/**
 * The warm pool: a few environments per lab, started and set up ahead of time, each made for
 * exactly one session (its own id, password and host keys) and disposed with that session.
 * The inventory (inventory.ts) holds the rules, the scheduler (refill.ts) the timing; this class
 * joins them to real environments. A session it has nothing ready for goes to the cold start,
 * after an idle pooled environment made way under the cap if needed.
 */
export class WarmPool implements EnvironmentSource {
  private readonly inventory: PoolInventory<PrewarmedShellEnvironment>;
  private readonly scheduler: RefillScheduler;
  private readonly labs: Map<string, RunnableLab>;
  private readonly demand?: LabDemand;
  private memoryReading = { at: 0, mb: 0 };
  private load: PoolLoad = { active: () => 0, provisioning: () => 0 };
  private retireTimer?: NodeJS.Timeout;
  private retargetTimer?: NodeJS.Timeout;
  /** start() was asked for: a target raised later starts the refill at once. */
  private startWanted = false;
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {
    this.labs = new Map(options.labs.map((lab) => [lab.definition.id, lab]));
    if (options.adaptive)
      this.demand = new LabDemand(
        { halfLifeMs: options.adaptive.halfLifeSeconds * 1000, maxExtraPerLab: options.adaptive.maxExtraPerLab, initialBuildMs: 2_000 },
        options.adaptive.now,
      );
    this.inventory = new PoolInventory({
      labIds: [...this.labs.keys()],
      target: (labId) => this.target(labId),
      maxSessions: options.maxSessions,
      maxAgeMs: options.maxAgeSeconds * 1000,
    });
    this.scheduler = new RefillScheduler({
      next: () => this.inventory.neediest(),
      hasRoom: () => this.inventory.hasRoom(this.load.active()),
      // A learner's cold start goes first, unless a lab is in demand: then what the pool builds now
      // is the environment the next learner takes, and waiting would only make them wait longer.
      learnerWaiting: () => this.load.provisioning() > 0 && !this.demand?.inDemand().length,
      delayMs: () => options.pacing?.().delayMs ?? 0,
      build: (labId) => this.build(labId),
    });
  }

  get stats(): PoolStats {
    return this.inventory.stats;
  }

  /** Pooled environments count against the cap; the registry tells the pool how full it is. */
  setLoad(load: PoolLoad): void {
    this.load = load;
  }

  get enabled(): boolean {
    return this.inventory.enabled;
  }

  /** Ready plus being made. */
  get size(): number {
    return this.inventory.size;
  }

  readyCount(labId: string): number {
    return this.inventory.readyCount(labId);
  }

  buildingCount(labId: string): number {
    return this.inventory.buildingCount(labId);
  }

  /**
   * A target changed: what is now beyond it is retired (never handed out later), the refill wakes
   * to build toward a raised one, and the next change by itself (an override's end) is scheduled.
   */
  retarget(): void {
    if (this.closed) return;
    for (const entry of this.inventory.retireSurplus()) void this.discard(entry);
    if (this.startWanted) this.start();
    this.scheduler.signal();
    clearTimeout(this.retargetTimer);
    const next = this.options.nextTargetChange?.();
    if (next === undefined) return;
    // At most a day per timer (setTimeout's limit is ~24.8 days); it re-arms itself.
    this.retargetTimer = setTimeout(() => this.retarget(), Math.min(Math.max(0, next - Date.now()), 86_400_000));
    this.retargetTimer.unref();
  }

  /**
   * What the pool holds for a lab: its target (configured or an operator's override) plus, for a
   * lab that pools at all, the extra its recent demand calls for, within the machine's memory.
   */
  target(labId: string): number {
    const base = this.options.target(labId);
    const extra = base > 0 ? (this.demand?.extra(labId) ?? 0) : 0;
    if (extra === 0) return base;
    const hosts = Math.max(1, this.labs.get(labId)?.definition.hosts.length ?? 1);
    const perEnvironmentMb = hosts * this.options.adaptive!.hostMemoryMb;
    const pooled = this.inventory.readyCount(labId) + this.inventory.buildingCount(labId);
    const roomInMemory = pooled + Math.floor((0.8 * this.availableMemoryMb()) / perEnvironmentMb);
    return Math.max(base, Math.min(base + extra, roomInMemory));
  }

  /** The extra environments demand calls for right now (0 without the adaptive pool). */
  demandExtra(labId: string): number {
    return this.options.target(labId) > 0 ? (this.demand?.extra(labId) ?? 0) : 0;
  }

  /** /proc/meminfo at most once a second: targets are read on every refill step. */
  private availableMemoryMb(): number {
    const now = Date.now();
    if (now - this.memoryReading.at > 1_000) this.memoryReading = { at: now, mb: this.options.adaptive!.availableMemoryMb() };
    return this.memoryReading.mb;
  }

  /** Ids of pooled and in-the-making environments: the reaper must leave their containers alone. */
  liveIds(): string[] {
    return this.inventory.liveIds();
  }

  /** Starts filling (call once the provider answers). */
  start(): void {
    this.startWanted = true;
    if (this.scheduler.running || this.closed || !this.enabled) return;
    this.scheduler.start();
    this.retireTimer = setInterval(() => this.retireOld(), Math.min(15_000, (this.options.maxAgeSeconds * 1000) / 4));
    this.retireTimer.unref();
  }

  /** Resolves once every lab's pool holds its target (or the timeout passes; returns whether it is full). */
  async whenFull(timeoutMs = 120_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.inventory.full) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async acquire(lab: RunnableLab, sessionId: string, password: string, lifetimeSeconds: number): Promise<AcquiredEnvironment> {
    this.demand?.recordStart(lab.definition.id);
    const { entry, expired } = this.inventory.take(lab.definition.id);
    for (const old of expired) void this.discard(old);
    if (entry) {
      this.scheduler.signal();
      this.options.logger.debug({ lab: entry.labId, ageMs: Date.now() - entry.createdAt }, 'pooled environment handed out');
      return { environment: entry.environment, password: entry.password };
    }
    for (const evicted of this.inventory.makeRoom(this.load.active())) void this.discard(evicted);
    this.scheduler.signal(); // the demand just grew: the target may have too
    return this.options.coldStart.acquire(lab, sessionId, password, lifetimeSeconds);
  }

  /** Stops refilling and disposes every pooled environment (server shutdown). */
  async drain(): Promise<void> {
    this.closed = true;
    clearInterval(this.retireTimer);
    clearTimeout(this.retargetTimer);
    await this.scheduler.stop();
    await Promise.all(this.inventory.removeAll().map((e) => this.discard(e)));
  }

  private async discard(entry: Entry): Promise<void> {
    try {
      await entry.environment.dispose();
    } catch (error) {
      this.options.logger.warn({ err: error, lab: entry.labId }, 'a pooled environment could not be removed; the reaper will retry');
    }
  }

  private retireOld(): void {
    for (const entry of [...this.inventory.retireOld(), ...this.inventory.retireSurplus()]) void this.discard(entry);
    this.scheduler.signal();
  }

  private async build(labId: string): Promise<boolean> {
    const lab = this.labs.get(labId)!;
    const { sessionId: id, password } = this.options.newIdentity();
    // Pooled hosts may wait up to maxAge before their session starts: their self-destruct timer allows for it.
    const lifetime = this.options.sessionLifetimeSeconds + 60 + this.options.maxAgeSeconds + 60;
    const started = performance.now();
    this.inventory.startBuilding(id, labId);
    let environment: PrewarmedShellEnvironment;
    try {
      const acquired = await this.options.build.acquire(lab, id, password, lifetime);
      environment = new PrewarmedShellEnvironment(acquired.environment);
      if (this.options.prewarmShell !== false) await environment.prewarm();
    } catch (error) {
      this.inventory.finishBuilding(id, 'failed');
      this.options.logger.warn({ err: error, lab: labId }, 'a pooled environment failed to start; retrying later');
      return false;
    }
    if (this.closed) {
      this.inventory.finishBuilding(id, 'abandoned');
      await environment.dispose().catch(() => undefined);
      return true;
    }
    this.demand?.recordBuild(performance.now() - started);
    const entry = this.inventory.finishBuilding(id, { password, environment })!;
    environment.onLost((reason) => {
      if (!this.inventory.lose(entry)) return;
      this.options.logger.warn({ lab: labId, reason }, 'a pooled environment was lost; replacing it');
      void this.discard(entry);
      this.scheduler.signal();
    });
    this.options.logger.debug(
      { lab: labId, buildMs: Math.round(performance.now() - started), pooled: this.inventory.readyCount(labId) },
      'pooled environment ready',
    );
    return true;
  }
}
