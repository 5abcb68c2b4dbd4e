import type { RunnableLab } from '../labs/catalogue.js';
import type { AcquiredEnvironment, EnvironmentSource } from './source.js';

/**
 * Admits environment starts a few at a time, in arrival order, learners before the pool. A class
 * opening a lab together once started every environment at the same moment: on two CPUs 60
 * learners' 120 containers all slowed each other down (load average 368) until most of them
 * waited over a minute and some starts failed. Admitted a few at a time, the first learners get
 * their hosts in about the time one start takes and the rest queue behind them. Pool builds wait
 * behind every learner who is waiting.
 */
export class StartQueue {
  private running = 0;
  private readonly waiting: { urgent: boolean; admit: () => void }[] = [];

  /** At most `concurrent` starts at once; 0 admits every start at once. */
  constructor(readonly concurrent: number) {}

  /** Starts waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Starts under way. */
  get active(): number {
    return this.running;
  }

  /** Runs `start` once admitted; an urgent start (a learner waiting) goes before every queued non-urgent one. */
  async run<T>(urgent: boolean, start: () => Promise<T>): Promise<T> {
    await this.turn(urgent);
    try {
      return await start();
    } finally {
      this.running--;
      this.admitNext();
    }
  }

  private turn(urgent: boolean): Promise<void> {
    if (this.concurrent === 0 || (this.running < this.concurrent && this.waiting.length === 0)) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const entry = { urgent, admit: resolve };
      const firstNonUrgent = urgent ? this.waiting.findIndex((w) => !w.urgent) : -1;
      if (firstNonUrgent === -1) this.waiting.push(entry);
      else this.waiting.splice(firstNonUrgent, 0, entry);
    });
  }

  private admitNext(): void {
    while (this.running < this.concurrent && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!.admit();
    }
  }
}

/** An environment source whose starts wait for their turn in a StartQueue. */
export class QueuedStarts implements EnvironmentSource {
  constructor(
    private readonly inner: EnvironmentSource,
    private readonly queue: StartQueue,
    /** Whether a learner is waiting for these starts (cold starts), or not (pool builds). */
    private readonly urgent: boolean,
  ) {}

  acquire(lab: RunnableLab, sessionId: string, password: string, lifetimeSeconds: number): Promise<AcquiredEnvironment> {
    return this.queue.run(this.urgent, () => this.inner.acquire(lab, sessionId, password, lifetimeSeconds));
  }
}
