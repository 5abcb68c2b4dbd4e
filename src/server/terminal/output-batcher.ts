/** Output is gathered and sent once per tick, in frames of at most this size. */
export const maxFrameBytes = 64 * 1024;

/**
 * Gathers the shell's output chunks into frames: one per event-loop turn, or sooner once a frame
 * is full, so a chatty shell costs a few large WebSocket frames rather than thousands of tiny ones.
 */
export class OutputBatcher {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scheduled = false;

  constructor(
    private readonly send: (frame: Buffer) => void,
    private readonly frameBytes = maxFrameBytes,
  ) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.frameBytes) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pendingBytes === 0) return;
    const frame = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.clear();
    this.send(frame);
  }

  clear(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
