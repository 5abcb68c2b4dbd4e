import type { PausableSource } from './flow-controller.js';

/**
 * One source held back for several reasons (flow control, the machine's output share): it is
 * paused by the first reason that holds it and resumed only once none holds it any more. A new
 * source (the shell's channel opened again) starts running and unheld: what held the old one
 * does not count for it.
 */
export class PauseGate {
  private readonly holding = new Set<string>();
  private holdingFor?: PausableSource;

  constructor(private readonly source: () => PausableSource | undefined) {}

  /** The source as one reason sees it: its pause and resume count only for that reason. */
  reason(name: string): PausableSource {
    return { pause: () => this.hold(name), resume: () => this.release(name) };
  }

  get held(): boolean {
    this.current();
    return this.holding.size > 0;
  }

  private hold(name: string): void {
    const source = this.current();
    if (!source || this.holding.has(name)) return;
    this.holding.add(name);
    if (this.holding.size === 1) source.pause();
  }

  private release(name: string): void {
    const source = this.current();
    if (!this.holding.delete(name)) return;
    if (this.holding.size === 0) source?.resume();
  }

  private current(): PausableSource | undefined {
    const source = this.source();
    if (source !== this.holdingFor) {
      this.holdingFor = source;
      this.holding.clear();
    }
    return source;
  }
}
