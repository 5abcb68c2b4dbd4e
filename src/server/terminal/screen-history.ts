import { RingBuffer } from './ring-buffer.js';

const screenBytes = 256 * 1024;
/** RIS: the client's terminal resets before the repaint, so nothing of its old state mixes in. */
const resetTerminal = Buffer.from('\x1bc');

/** The shell's recent output, to repaint a reattaching client's screen. Fixed memory. */
export class ScreenHistory {
  private readonly buffer: RingBuffer;

  constructor(capacity = screenBytes) {
    this.buffer = new RingBuffer(capacity);
  }

  push(chunk: Buffer): void {
    this.buffer.push(chunk);
  }

  clear(): void {
    this.buffer.clear();
  }

  /** What a reattaching client is sent: a reset, then what the shell last showed. */
  repaint(): Buffer {
    return Buffer.concat([resetTerminal, this.buffer.contents()]);
  }
}
