import { closeCodes } from '../../protocol/terminal';

/**
 * The terminal's WebSocket, kept open: a fresh ticket and a new socket after a drop, with one
 * attempt in flight at a time (two at once made the server "replace" the learner's own socket),
 * jittered exponential backoff up to a cap, and no retry when the server closed for good. While
 * open and quiet it sends the protocol's `ping`, so a proxy with an idle timeout keeps it.
 * No DOM and no xterm here: tests drive it with a fake socket and `node:test` mock timers.
 */

/** The part of the browser's WebSocket used here. */
export interface SocketLike {
  readonly readyState: number;
  binaryType: BinaryType;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

const OPEN = 1;

/** Why the socket stopped trying: nothing more happens until `connect()` is called again. */
export type FinalClose = 'replaced' | 'shell-ended' | 'session-gone' | 'gave-up';

/**
 * `moving`: this outage began with the server's "reconnect elsewhere" (closeCodes.serverMoving, a
 * backend stopping during a rolling restart): the shell lives on, so the widget shows a short
 * "reconnecting", not a lost connection. Absent on an ordinary drop.
 */
export type SocketEvent = { kind: 'open' } | { kind: 'retrying'; attempt: number; delayMs: number; moving?: true } | { kind: 'closed'; reason: FinalClose };

export interface Disposable {
  dispose(): void;
}

/** Close codes after which a retry would be wrong: the server means it. */
const finalCloses = new Map<number, FinalClose>([
  [closeCodes.replaced, 'replaced'],
  [closeCodes.shellEnded, 'shell-ended'],
  [closeCodes.sessionGone, 'session-gone'],
]);

export interface ReconnectingSocketOptions {
  /** The URL of one attempt (with a fresh, single-use ticket). Rejects with `SessionGoneError` when the session is over. */
  url(): Promise<string>;
  createSocket(url: string): SocketLike;
  /** First retry delay; each next one doubles, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Retries after a drop before giving up (a manual `connect()` starts counting again). */
  maxAttempts?: number;
  /** Send a ping after this long without sending anything. */
  pingAfterMs?: number;
  /** 0 ≤ random() < 1, for the jitter. */
  random?: () => number;
}

/** What `url()` rejects with when there is no session to connect to any more. */
export class SessionGoneError extends Error {}

type Listener<T> = (value: T) => void;

export class ReconnectingSocket {
  private socket: SocketLike | undefined;
  /** An attempt is in flight: a ticket being fetched or a socket being opened. */
  private attempting = false;
  /** Bumped by each attempt and by `dispose`, so callbacks of an older attempt do nothing. */
  private generation = 0;
  private attempts = 0;
  /** The current outage began with closeCodes.serverMoving (until a socket opens again). */
  private moving = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly listeners = { event: new Set<Listener<SocketEvent>>(), message: new Set<Listener<unknown>>() };
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;
  private readonly pingAfterMs: number;
  private readonly random: () => number;

  constructor(private readonly options: ReconnectingSocketOptions) {
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.pingAfterMs = options.pingAfterMs ?? 25_000;
    this.random = options.random ?? Math.random;
  }

  get open(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /** Connects now, unless connected or already trying; a pending retry is brought forward. */
  connect(): void {
    if (this.disposed || this.attempting || this.open) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempts = 0;
    void this.attempt();
  }

  /** Sends on the open socket; false (and dropped) when none is open. */
  send(data: string | Uint8Array): boolean {
    if (!this.socket || !this.open) return false;
    this.socket.send(data);
    this.armPing();
    return true;
  }

  onEvent(listener: Listener<SocketEvent>): Disposable {
    return this.listen(this.listeners.event, listener);
  }

  /** Every message of every socket this opens (text as string, binary as ArrayBuffer). */
  onMessage(listener: Listener<unknown>): Disposable {
    return this.listen(this.listeners.message, listener);
  }

  dispose(): void {
    this.disposed = true;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pingTimer);
    this.drop();
    this.listeners.event.clear();
    this.listeners.message.clear();
  }

  private listen<T>(set: Set<Listener<T>>, listener: Listener<T>): Disposable {
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }

  private emit(event: SocketEvent): void {
    // Array.from, not spread: the site's Babel build spreads loosely, and `[...set]` would be `[set]` there.
    for (const listener of Array.from(this.listeners.event)) listener(event);
  }

  private async attempt(): Promise<void> {
    this.attempting = true;
    const generation = ++this.generation;
    this.drop();
    let url: string;
    try {
      url = await this.options.url();
    } catch (error) {
      if (generation !== this.generation) return;
      this.attempting = false;
      if (error instanceof SessionGoneError) this.emit({ kind: 'closed', reason: 'session-gone' });
      else this.retry();
      return;
    }
    if (generation !== this.generation) return;
    const socket = this.options.createSocket(url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      if (generation !== this.generation) return;
      this.attempting = false;
      this.attempts = 0;
      this.moving = false;
      this.armPing();
      this.emit({ kind: 'open' });
    };
    socket.onmessage = (event) => {
      if (generation !== this.generation) return;
      for (const listener of Array.from(this.listeners.message)) listener(event.data);
    };
    socket.onclose = (event) => {
      if (generation !== this.generation) return;
      this.attempting = false;
      this.socket = undefined;
      clearTimeout(this.pingTimer);
      const final = finalCloses.get(event.code);
      if (final) {
        this.emit({ kind: 'closed', reason: final });
        return;
      }
      if (event.code === closeCodes.serverMoving) {
        // Not a failure: the server asked for it. The retry budget starts afresh (the jitter
        // still spreads a whole class's reconnects over the first delay).
        this.moving = true;
        this.attempts = 0;
      }
      this.retry();
    };
  }

  private retry(): void {
    this.attempts += 1;
    if (this.attempts > this.maxAttempts) {
      this.emit({ kind: 'closed', reason: 'gave-up' });
      return;
    }
    // Equal jitter: half the exponential delay, plus up to as much again at random, so many
    // tabs dropped at once by one proxy restart do not come back in step.
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (this.attempts - 1));
    const delayMs = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    this.emit(this.moving ? { kind: 'retrying', attempt: this.attempts, delayMs, moving: true } : { kind: 'retrying', attempt: this.attempts, delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delayMs);
  }

  private armPing(): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.send(JSON.stringify({ type: 'ping' })), this.pingAfterMs);
  }

  /** Forgets the current socket without hearing its close. */
  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    socket.close(1000, 'replaced by a new attempt');
  }
}
