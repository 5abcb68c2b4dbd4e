/** The last `capacity` bytes of terminal output, to repaint a screen after a reconnect. Fixed memory. */
export class RingBuffer {
  private readonly data: Buffer;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    this.data = Buffer.alloc(capacity);
  }

  push(chunk: Uint8Array): void {
    if (chunk.length >= this.capacity) {
      this.data.set(chunk.subarray(chunk.length - this.capacity));
      this.start = 0;
      this.length = this.capacity;
      return;
    }
    const end = (this.start + this.length) % this.capacity;
    const first = Math.min(chunk.length, this.capacity - end);
    this.data.set(chunk.subarray(0, first), end);
    this.data.set(chunk.subarray(first), 0);
    const overflow = Math.max(0, this.length + chunk.length - this.capacity);
    this.start = (this.start + overflow) % this.capacity;
    this.length = Math.min(this.capacity, this.length + chunk.length);
  }

  contents(): Buffer {
    const end = this.start + this.length;
    if (end <= this.capacity) return Buffer.from(this.data.subarray(this.start, end));
    return Buffer.concat([this.data.subarray(this.start), this.data.subarray(0, end - this.capacity)]);
  }

  clear(): void {
    this.start = 0;
    this.length = 0;
  }
}
