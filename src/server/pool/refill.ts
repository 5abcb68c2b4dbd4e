/** What the refill loop asks before each build; the warm pool answers from its inventory and load. */
export interface RefillPolicy {
  /** The lab to build for next, or none (all targets met). */
  next(): string | undefined;
  /** Another environment fits under the session cap. */
  hasRoom(): boolean;
  /** A learner waits for a cold start: refills must not compete with it. */
  learnerWaiting(): boolean;
  /** Least time between two builds (the provider's pacing). */
  delayMs(): number;
  /** Builds one environment; false when it failed (the loop then backs off). */
  build(labId: string): Promise<boolean>;
}

/**
 * The refill loop: one build at a time, in the background. It sleeps when nothing is needed or
 * the cap is reached, yields to a learner's cold start, keeps the provider's pacing and backs off
 * after failures. signal() wakes it early (a hand-out, a loss, shutdown).
 */
export class RefillScheduler {
  private wake?: () => void;
  private loop?: Promise<void>;
  private stopped = false;
  private failures = 0;

  constructor(private readonly policy: RefillPolicy) {}

  get running(): boolean {
    return Boolean(this.loop) && !this.stopped;
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Stops the loop; resolves once a build in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    await this.loop;
  }

  /** Waits ms, or until signal(). Only the loop waits here. */
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

  private async run(): Promise<void> {
    let lastBuild = 0;
    while (!this.stopped) {
      const labId = this.policy.next();
      if (!labId) {
        await this.pause(30_000);
        continue;
      }
      // The cap counts pooled environments; a full machine leaves the pool empty rather than refuse a learner.
      if (!this.policy.hasRoom()) {
        await this.pause(1_000);
        continue;
      }
      if (this.policy.learnerWaiting()) {
        await this.pause(50);
        continue;
      }
      const wait = lastBuild + this.policy.delayMs() - Date.now();
      if (wait > 0) {
        await this.pause(wait);
        continue;
      }
      lastBuild = Date.now();
      const ok = await this.policy.build(labId);
      if (ok) this.failures = 0;
      else {
        this.failures++;
        await this.pause(Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)));
      }
    }
  }
}
