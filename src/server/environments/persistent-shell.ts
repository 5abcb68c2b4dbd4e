import type { Client, ClientChannel } from 'ssh2';
import type { ShellChannel } from './types.js';

/**
 * The learner's persistent shell on the workstation: the lab-host image's attach
 * (docker/lab-host/shell/attach), a dtach client that speaks dtach's socket protocol itself. The
 * first attach creates the shell; every later one, over this connection or any other, joins it;
 * closing the channel only detaches.
 *
 * The channel has no pty: the shell's pty inside dtach is the only one, so its output reaches the
 * backend through one process instead of a second pty and a pipeline (about 5 MB/s before). What a
 * pty request and window-change requests did, the channel's input does in dtach's own packets:
 * keystrokes in MSG_PUSH packets of up to 8 bytes, a new size in a MSG_WINCH packet. attach checks
 * and forwards them whole.
 */
const attachCommand = '/usr/local/lib/ssh-lab/attach';

/** dtach.h: type, length, then 8 bytes (keystrokes, or a struct winsize of four 16-bit fields). */
const packetBytes = 10;
const payloadBytes = 8;
const msgPush = 0;
const msgWinch = 3;

/** Keystrokes as MSG_PUSH packets (the last one holds what is left, its length says how much). */
export function pushPackets(bytes: Buffer): Buffer {
  const count = Math.ceil(bytes.length / payloadBytes);
  const packets = Buffer.alloc(count * packetBytes);
  for (let i = 0; i < count; i++) {
    const chunk = bytes.subarray(i * payloadBytes, (i + 1) * payloadBytes);
    packets[i * packetBytes] = msgPush;
    packets[i * packetBytes + 1] = chunk.length;
    chunk.copy(packets, i * packetBytes + 2);
  }
  return packets;
}

/** A new terminal size as a MSG_WINCH packet; the winsize is little-endian on the wire (attach makes it native). */
export function windowPacket(rows: number, cols: number): Buffer {
  const packet = Buffer.alloc(packetBytes);
  packet[0] = msgWinch;
  packet.writeUInt16LE(clampSize(rows), 2);
  packet.writeUInt16LE(clampSize(cols), 4);
  return packet;
}

/** attach accepts 1–9999 rows and columns (four digits); the protocol's own check keeps sizes far smaller. */
function clampSize(n: number): number {
  return Math.min(9999, Math.max(1, Math.floor(n)));
}

/** The persistent shell on an exec channel: ssh2's channel for output and the end, keystrokes and size framed for attach. */
class PersistentShellChannel implements ShellChannel {
  constructor(private readonly channel: ClientChannel) {}

  get stderr(): ShellChannel['stderr'] {
    return this.channel.stderr;
  }

  get writableLength(): number {
    return this.channel.writableLength;
  }

  // Nothing is written to a channel that is closing, as ssh2's own setWindow does: a stream written
  // after its end emits an error, and a resize can race the shell's exit.
  write(bytes: Buffer | string): boolean {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    if (!this.channel.writable) return false;
    return data.length === 0 ? true : this.channel.write(pushPackets(data));
  }

  setWindow(rows: number, cols: number): void {
    if (this.channel.writable) this.channel.write(windowPacket(rows, cols));
  }

  pause(): void {
    this.channel.pause();
  }

  resume(): void {
    this.channel.resume();
  }

  close(): void {
    this.channel.close();
  }

  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'exit', listener: (code: number | null) => void): this;
  on(event: 'close' | 'drain', listener: () => void): this;
  on(event: string, listener: (...args: never[]) => void): this {
    this.channel.on(event, listener);
    return this;
  }

  off(event: 'data', listener: (chunk: Buffer) => void): this;
  off(event: 'close' | 'drain', listener: () => void): this;
  off(event: string, listener: (...args: never[]) => void): this {
    this.channel.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once(event: 'close', listener: () => void): this {
    this.channel.once(event, listener);
    return this;
  }
}

/** Attaches to the workstation's persistent shell at this size (an exec channel, not a new login shell). */
export function attachPersistentShell(client: Client, size: { cols: number; rows: number }): Promise<ShellChannel> {
  const command = `${attachCommand} ${clampSize(size.cols)} ${clampSize(size.rows)}`;
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => (error ? reject(error) : resolve(new PersistentShellChannel(channel))));
  });
}
