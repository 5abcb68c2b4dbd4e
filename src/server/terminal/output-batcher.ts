/** Output is gathered and sent once per tick, in frames of at most this size. */
export const maxFrameBytes = 64 * 1024;

/**
 * Output that follows a large frame sent this recently is a flood (a `cat` of a big file): it
 * waits this long for more before it is sent. A backend that runs before the learner's host (see
 * process/cpu-priority.ts) otherwise wakes for every few kilobytes the host writes: frames
 * averaged 3.1 KB under a fast reader, twice the frames and wake-ups of the same output at equal
 * priority. Small frames are never gathered: keystrokes typed fast get their echoes at once.
 */
export const floodGatherMs = 4;
/** A frame at least this large, sent less than floodGatherMs ago, makes the next output a flood's. */
export const floodFrameBytes = 1024;

/**
 * Gathers the shell's output chunks into frames: one per event-loop turn (or per gathering
 * interval during a flood), or sooner once a frame is full, so a chatty shell costs a few large
 * WebSocket frames rather than thousands of tiny ones.
 */
export class OutputBatcher {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scheduled?: { cancel(): void };
  /** When the last large frame was sent. */
  private lastLargeFrameAt = -Infinity;

  constructor(
    private readonly send: (frame: Buffer) => void,
    private readonly frameBytes = maxFrameBytes,
  ) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.frameBytes) this.flush();
    else if (!this.scheduled) this.scheduled = this.schedule();
  }

  flush(): void {
    this.cancel();
    if (this.pendingBytes === 0) return;
    const frame = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.clear();
    if (frame.length >= floodFrameBytes) this.lastLargeFrameAt = Date.now();
    this.send(frame);
  }

  clear(): void {
    this.cancel();
    this.pending = [];
    this.pendingBytes = 0;
  }

  private schedule(): { cancel(): void } {
    if (Date.now() - this.lastLargeFrameAt < floodGatherMs) {
      const timer = setTimeout(() => this.flush(), floodGatherMs);
      return { cancel: () => clearTimeout(timer) };
    }
    const immediate = setImmediate(() => this.flush());
    return { cancel: () => clearImmediate(immediate) };
  }

  private cancel(): void {
    this.scheduled?.cancel();
    this.scheduled = undefined;
  }
}
