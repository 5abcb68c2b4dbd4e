import type { PausableSource } from './flow-controller.js';

/**
 * The machine's share of terminal output between terminals that stream. Three sessions printing
 * `base64 /dev/urandom` as fast as their terminals carry it keep both CPUs of a small machine busy
 * (their hosts produce, the backend relays), and a fourth learner's keystroke echo waited 52 ms
 * at p99 for its own host to get a CPU. Held to about 1.4 MB/s each, the same printers left it
 * at 10–22 ms, and at about 2.5 MB/s at 11–48 ms: a paused shell sleeps instead of competing.
 * Later, in alternate full runs, about 1.4 MB/s each (a 1 MiB/s share) left 11–31 ms and about
 * 0.7 MB/s each (512 KiB/s) 2.4–7.9 ms. A shorter window does not help: with a 20 ms window the
 * frame that crosses the budget is most of what is sent, and the printers got 2–5 MB/s. So
 * while two or more terminals stream (more than streamingBytesPerSecond each over the last
 * window), each may send about shareBytesPerSecond (a frame that crosses the window's budget
 * still goes); the rest waits in the SSH channel, paused as flow control pauses it. One
 * terminal alone is never held: a learner on a quiet machine gets everything it can carry.
 */
export interface OutputShareOptions {
  /** What each streaming terminal may send per second while two or more stream. */
  shareBytesPerSecond: number;
  /** A terminal sending more than this per second streams. */
  streamingBytesPerSecond: number;
  /** How often the shares are counted anew. */
  windowMs: number;
}

export const defaultOutputShare: Omit<OutputShareOptions, 'shareBytesPerSecond'> = { streamingBytesPerSecond: 1024 * 1024, windowMs: 100 };

export class OutputShare {
  private readonly members = new Set<OutputShareMember>();
  private timer?: NodeJS.Timeout;
  /** Two or more terminals streamed in the last window. */
  private contended = false;

  constructor(readonly options: OutputShareOptions) {}

  /** A terminal joins; `gate` holds its output back while it is over its share. */
  join(gate: PausableSource): OutputShareMember {
    const member = new OutputShareMember(this, gate);
    this.members.add(member);
    this.timer ??= setInterval(() => this.count(), this.options.windowMs).unref();
    return member;
  }

  /** @internal */
  leave(member: OutputShareMember): void {
    this.members.delete(member);
    if (this.members.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.contended = false;
    }
  }

  /** @internal Bytes a member may send in one window while the share holds. */
  get windowBudget(): number | undefined {
    return this.contended ? (this.options.shareBytesPerSecond * this.options.windowMs) / 1000 : undefined;
  }

  private count(): void {
    const streamingWindowBytes = (this.options.streamingBytesPerSecond * this.options.windowMs) / 1000;
    let streaming = 0;
    for (const member of this.members) if (member.held || member.windowBytes > streamingWindowBytes) streaming++;
    this.contended = streaming >= 2;
    for (const member of this.members) member.newWindow();
  }
}

export class OutputShareMember {
  /** @internal */
  windowBytes = 0;
  /** @internal */
  held = false;

  constructor(
    private readonly share: OutputShare,
    private readonly gate: PausableSource,
  ) {}

  /** A frame of `bytes` went to the client. */
  sent(bytes: number): void {
    this.windowBytes += bytes;
    const budget = this.share.windowBudget;
    if (budget !== undefined && this.windowBytes >= budget && !this.held) {
      this.held = true;
      this.gate.pause();
    }
  }

  /** @internal */
  newWindow(): void {
    this.windowBytes = 0;
    if (!this.held) return;
    this.held = false;
    this.gate.resume();
  }

  leave(): void {
    if (this.held) {
      this.held = false;
      this.gate.resume();
    }
    this.share.leave(this);
  }
}
