import type { PausableSource } from './flow-controller.js';

/**
 * One source held back for several reasons (flow control, the machine's output share): it is
 * paused by the first reason that holds it and resumed only once none holds it any more.
 */
export class PauseGate {
  private readonly holding = new Set<string>();

  constructor(private readonly source: () => PausableSource | undefined) {}

  /** The source as one reason sees it: its pause and resume count only for that reason. */
  reason(name: string): PausableSource {
    return { pause: () => this.hold(name), resume: () => this.release(name) };
  }

  get held(): boolean {
    return this.holding.size > 0;
  }

  private hold(name: string): void {
    if (this.holding.has(name)) return;
    this.holding.add(name);
    if (this.holding.size === 1) this.source()?.pause();
  }

  private release(name: string): void {
    if (!this.holding.delete(name)) return;
    if (this.holding.size === 0) this.source()?.resume();
  }
}
