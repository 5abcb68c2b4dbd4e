import type { Logger } from 'pino';
import type { ClientChannel } from 'ssh2';
import type { RawData, WebSocket } from 'ws';
import { clientMessageSchema, closeCodes, type ServerMessage } from '../../protocol/terminal.js';
import { RingBuffer } from './ring-buffer.js';

export interface ShellTerminalOptions {
  openShell: (size: { cols: number; rows: number }) => Promise<ClientChannel>;
  flow: { highBytes: number; lowBytes: number };
  /** How long a shell outlives its dropped socket, waiting for a reconnect. */
  graceMs: number;
  /** A paused client that acknowledges nothing for this long is dropped. */
  slowClientMs?: number;
  logger: Logger;
  onActivity: () => void;
  onFirstOutput?: () => void;
}

/** Output is gathered and sent once per tick, in frames of at most this size. */
const maxFrameBytes = 64 * 1024;
const screenBytes = 256 * 1024;
/**
 * Keystrokes waiting for the SSH channel beyond this stop the socket from being read (TCP then
 * pushes back on the client), so a client pasting into a shell that reads nothing cannot grow
 * the backend's memory.
 */
const inputHighBytes = 256 * 1024;
/** Malformed control messages answered on one socket before it is closed (4400). */
const maxBadMessages = 100;
/** A slow client asked to close is cut off after this if its close never completes. */
const closeGraceMs = 5_000;

/**
 * One learner's interactive shell and the WebSocket currently attached to it. The shell outlives
 * the socket (reload, network blip): a new attach replays the recent screen. Flow control keeps
 * memory bounded: the SSH channel pauses while the client has too much output unacknowledged.
 */
export class ShellTerminal {
  private channel?: ClientChannel;
  private opening?: Promise<ClientChannel>;
  private socket?: WebSocket;
  private readonly screen = new RingBuffer(screenBytes);
  private size = { cols: 80, rows: 24 };
  private sent = 0;
  private acked = 0;
  private paused = false;
  private pausedSince = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private graceTimer?: NodeJS.Timeout;
  private slowTimer?: NodeJS.Timeout;
  private firstOutputSeen = false;
  private ended = false;
  private badMessages = 0;

  constructor(private readonly options: ShellTerminalOptions) {}

  get attached(): boolean {
    return Boolean(this.socket);
  }

  /** Attaches a socket, replacing any other; opens the shell if none is running. */
  async attach(socket: WebSocket): Promise<void> {
    if (this.ended) {
      socket.close(closeCodes.sessionGone, 'session ended');
      return;
    }
    const previous = this.socket;
    if (previous) {
      this.sendControl(previous, { type: 'status', state: 'replaced', message: 'This terminal was opened in another tab or window.' });
      previous.close(closeCodes.replaced, 'replaced');
    }
    clearTimeout(this.graceTimer);
    this.socket = socket;
    this.sent = 0;
    this.acked = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.badMessages = 0;
    this.resume();
    socket.on('message', (data, isBinary) => this.onMessage(socket, data, isBinary));
    socket.on('close', () => this.onSocketClosed(socket));
    socket.on('error', () => undefined);

    const reattaching = Boolean(this.channel);
    try {
      await this.ensureShell();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'shell could not open');
      this.sendControl(socket, { type: 'error', error: 'SHELL_FAILED', message: 'The shell could not be opened on the workstation.' });
      socket.close(closeCodes.shellEnded, 'shell failed');
      return;
    }
    if (this.socket !== socket) return;
    this.sendControl(socket, { type: 'status', state: reattaching ? 'reattached' : 'attached' });
    if (reattaching) {
      // Reset the client's terminal, then repaint what the shell last showed.
      this.enqueue(Buffer.concat([Buffer.from('\x1bc'), this.screen.contents()]));
    }
  }

  /** The session is over (ended, expired or its environment was lost). */
  end(reason: 'environment-lost' | 'session-ended', message: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.graceTimer);
    clearTimeout(this.slowTimer);
    const socket = this.socket;
    if (socket) {
      this.flush();
      this.sendControl(socket, { type: 'exit', code: null, reason, message });
      socket.close(closeCodes.sessionGone, reason);
    }
    this.socket = undefined;
    this.channel?.close();
    this.channel = undefined;
  }

  private ensureShell(): Promise<ClientChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= this.options
      .openShell(this.size)
      .then((channel) => {
        this.channel = channel;
        this.screen.clear();
        channel.on('data', (chunk: Buffer) => this.onOutput(chunk));
        channel.stderr.on('data', (chunk: Buffer) => this.onOutput(chunk));
        channel.on('exit', (code: number | null) => this.onShellExit(typeof code === 'number' ? code : null));
        channel.on('close', () => this.onShellExit(null));
        return channel;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private onShellExit(code: number | null): void {
    if (!this.channel) return;
    this.channel = undefined;
    const socket = this.socket;
    if (!socket || this.ended) return;
    this.flush();
    this.sendControl(socket, { type: 'exit', code, reason: 'shell-exited', message: 'The shell ended. Reconnect to open a new one.' });
    socket.close(closeCodes.shellEnded, 'shell exited');
    this.socket = undefined;
  }

  private onOutput(chunk: Buffer): void {
    if (!this.firstOutputSeen) {
      this.firstOutputSeen = true;
      this.options.onFirstOutput?.();
    }
    this.screen.push(chunk);
    if (this.socket) this.enqueue(chunk);
  }

  private enqueue(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= maxFrameBytes) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const socket = this.socket;
    if (!socket || this.pendingBytes === 0) return;
    const frame = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (socket.readyState !== socket.OPEN) return;
    this.sent += frame.length;
    socket.send(frame, { binary: true }, () => this.maybeResume());
    if (this.sent - this.acked > this.options.flow.highBytes || socket.bufferedAmount > this.options.flow.highBytes) this.pause();
  }

  private pause(): void {
    if (this.paused || !this.channel) return;
    this.paused = true;
    this.pausedSince = Date.now();
    this.channel.pause();
    const slowMs = this.options.slowClientMs ?? 60_000;
    clearTimeout(this.slowTimer);
    this.slowTimer = setTimeout(() => {
      const socket = this.socket;
      if (this.paused && socket && Date.now() - this.pausedSince >= slowMs) {
        this.options.logger.info('dropping a client that stopped reading');
        socket.close(closeCodes.slowClient, 'client too slow');
        // A client that reads nothing never reads the close frame either: cut it off soon.
        setTimeout(() => socket.terminate(), closeGraceMs).unref();
      }
    }, slowMs);
  }

  private resume(): void {
    clearTimeout(this.slowTimer);
    if (!this.paused) return;
    this.paused = false;
    this.channel?.resume();
  }

  private maybeResume(): void {
    const socket = this.socket;
    if (!this.paused) return;
    if (!socket) return this.resume();
    if (this.sent - this.acked < this.options.flow.lowBytes && socket.bufferedAmount < this.options.flow.lowBytes) this.resume();
  }

  private onMessage(socket: WebSocket, data: RawData, isBinary: boolean): void {
    if (socket !== this.socket) return;
    this.options.onActivity();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      this.input(socket, bytes);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.badMessage(socket, 'A text frame must be a JSON control message.');
      return;
    }
    const message = clientMessageSchema.safeParse(parsed);
    if (!message.success) {
      this.badMessage(socket, `Unknown or malformed control message: ${message.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    switch (message.data.type) {
      case 'resize':
        this.size = { cols: message.data.cols, rows: message.data.rows };
        this.channel?.setWindow(message.data.rows, message.data.cols, 0, 0);
        break;
      case 'ack':
        if (message.data.bytes > this.acked && message.data.bytes <= this.sent) this.acked = message.data.bytes;
        this.maybeResume();
        break;
      case 'ping':
        this.sendControl(socket, { type: 'pong' });
        break;
    }
  }

  /** Keystrokes to the shell; the socket stops being read while the channel cannot take more. */
  private input(socket: WebSocket, bytes: Buffer): void {
    const channel = this.channel;
    if (!channel) return;
    const accepted = channel.write(bytes);
    if (accepted && channel.writableLength < inputHighBytes) return;
    if (socket.isPaused) return;
    socket.pause();
    const resume = () => {
      channel.off('drain', resume);
      channel.off('close', resume);
      socket.resume();
    };
    channel.on('drain', resume);
    channel.on('close', resume);
  }

  /** Answers a malformed control message; a socket that sends too many is closed (only that socket). */
  private badMessage(socket: WebSocket, message: string): void {
    this.badMessages += 1;
    if (this.badMessages > maxBadMessages) return;
    this.sendControl(socket, { type: 'error', error: 'BAD_MESSAGE', message });
    if (this.badMessages === maxBadMessages) {
      this.options.logger.info('closing a terminal socket that sent too many malformed messages');
      socket.close(closeCodes.badMessage, 'too many malformed messages');
    }
  }

  private onSocketClosed(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    // Nobody reads now: let the shell run on into the screen buffer rather than block it.
    this.resume();
    if (this.ended) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      if (this.socket) return;
      this.channel?.close();
      this.channel = undefined;
    }, this.options.graceMs);
  }

  private sendControl(socket: WebSocket, message: ServerMessage): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  }
}
