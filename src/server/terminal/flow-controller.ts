/** What flow control pauses: the SSH channel the shell's output comes from. */
export interface PausableSource {
  pause(): void;
  resume(): void;
}

export interface FlowControllerOptions {
  /** Output the client has not acknowledged (or the socket has not sent) above this pauses the shell. */
  highBytes: number;
  /** ... and below this resumes it. */
  lowBytes: number;
  /** A client paused this long without acknowledging anything is too slow. */
  slowClientMs: number;
  /** The client is too slow: drop it. */
  onSlowClient: () => void;
}

/**
 * Keeps the backend's memory bounded: counts the bytes sent to the client and those it
 * acknowledged, pauses the source above the high mark, resumes it below the low mark, and
 * reports a client that stays paused for slowClientMs.
 */
export class FlowController {
  private sent = 0;
  private acked = 0;
  private paused = false;
  private pausedSince = 0;
  private slowTimer?: NodeJS.Timeout;

  constructor(
    private readonly options: FlowControllerOptions,
    private readonly source: () => PausableSource | undefined,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  get unacknowledged(): number {
    return this.sent - this.acked;
  }

  /** A new client: nothing is in flight to it. */
  reset(): void {
    this.sent = 0;
    this.acked = 0;
    this.resume();
  }

  /** A frame went to the socket; `buffered` is what the socket still holds unsent. */
  sentFrame(bytes: number, buffered: number): void {
    this.sent += bytes;
    if (this.sent - this.acked > this.options.highBytes || buffered > this.options.highBytes) this.pause();
  }

  /** The client processed `total` bytes since it attached; an impossible count is ignored. */
  ack(total: number, buffered: number): void {
    if (total > this.acked && total <= this.sent) this.acked = total;
    this.maybeResume(buffered);
  }

  /** Called when the socket drained or the client acknowledged: resumes once both are below the low mark. */
  maybeResume(buffered: number): void {
    if (!this.paused) return;
    if (this.sent - this.acked < this.options.lowBytes && buffered < this.options.lowBytes) this.resume();
  }

  /** Resumes unconditionally (no client reads now, or the terminal ends). */
  resume(): void {
    clearTimeout(this.slowTimer);
    if (!this.paused) return;
    this.paused = false;
    this.source()?.resume();
  }

  stop(): void {
    clearTimeout(this.slowTimer);
  }

  private pause(): void {
    const source = this.source();
    if (this.paused || !source) return;
    this.paused = true;
    this.pausedSince = Date.now();
    source.pause();
    const slowMs = this.options.slowClientMs;
    clearTimeout(this.slowTimer);
    this.slowTimer = setTimeout(() => {
      if (this.paused && Date.now() - this.pausedSince >= slowMs) this.options.onSlowClient();
    }, slowMs);
  }
}
