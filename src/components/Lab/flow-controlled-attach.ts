import type { IDisposable, ITerminalAddon, Terminal } from '@xterm/xterm';
import { serverMessageSchema, terminalLimits, type ClientMessage, type ServerMessage } from '../../protocol/terminal';
import type { ReconnectingSocket } from './reconnecting-socket';

/**
 * Attaches an xterm.js terminal to the lab's terminal socket, like xterm's own AttachAddon, plus
 * the server's flow control: output is acknowledged (`{ type: 'ack', bytes }`) only once xterm
 * has rendered it, so a flood of output pauses the shell instead of filling the browser's memory.
 * Keystrokes typed while no socket is open (it dropped, or the server moved it to another
 * backend) wait here, bounded, and are sent first on the next socket: a learner typing through a
 * rolling restart loses nothing.
 * Every listener is an IDisposable, disposed in one place.
 */

/** The parts of xterm's Terminal this uses (a fake of them is enough for tests). */
export type AttachableTerminal = Pick<Terminal, 'onData' | 'onBinary' | 'onResize' | 'write' | 'cols' | 'rows'>;

/** The parts of the socket this uses. */
export type AttachSocket = Pick<ReconnectingSocket, 'send' | 'onEvent' | 'onMessage'>;

export interface FlowControlledAttachOptions {
  /** Acknowledge rendered output in steps of this many bytes. */
  ackEvery?: number;
  /** Each valid control message from the server. */
  onControl?(message: ServerMessage): void;
  /** Terminal output as text, as it arrives (for error explanations). */
  onOutput?(text: string): void;
}

/**
 * Replies xterm would send for report requests — device attributes (c), status and cursor position
 * (n, R), mode reports ($y), window size (t), OSC colour queries and DECRQSS (DCS): output never
 * types input. (xterm.js has no OSC 52 clipboard writes unless its clipboard addon is loaded; it is not.)
 */
const reportReply = /^(?:\x1b\[[?>]?[\d;]*(?:[cnRt]|\$y)|\x1b\][\s\S]*(?:\x07|\x1b\\)|\x1bP[\s\S]*\x1b\\)$/;

const clamp = (n: number, max: number) => Math.min(max, Math.max(1, Math.round(n) || 1));

/** Keystrokes kept while disconnected: far more than anyone types in a restart; a paste beyond it is cut. */
export const pendingInputLimitBytes = 64 * 1024;

export class FlowControlledAttach implements ITerminalAddon {
  private readonly disposables: IDisposable[] = [];
  private readonly encoder = new TextEncoder();
  private decoder = new TextDecoder();
  /** Bytes of output rendered, and acknowledged, on the current socket. */
  private rendered = 0;
  private acked = 0;
  /** Bumped per socket: a render callback of output from an older socket acknowledges nothing. */
  private connection = 0;
  private readonly ackEvery: number;
  /** The socket stopped trying (replaced, shell ended, session gone, gave up): keystrokes go nowhere. */
  private stopped = false;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly socket: AttachSocket,
    private readonly options: FlowControlledAttachOptions = {},
  ) {
    this.ackEvery = options.ackEvery ?? terminalLimits.ackStepBytes;
  }

  activate(terminal: AttachableTerminal): void {
    const sendSize = () =>
      this.sendControl({ type: 'resize', cols: clamp(terminal.cols, terminalLimits.maxCols), rows: clamp(terminal.rows, terminalLimits.maxRows) });
    this.disposables.push(
      this.socket.onEvent((event) => {
        if (event.kind !== 'open') {
          // Keys typed into a terminal that stopped for good are not replayed into a later "Reconnect here".
          if (event.kind === 'closed') this.stopAccepting();
          return;
        }
        this.stopped = false;
        // The server counts acknowledged bytes per socket, from zero.
        this.connection += 1;
        this.rendered = 0;
        this.acked = 0;
        this.decoder = new TextDecoder();
        sendSize();
        // The server keeps keystrokes that arrive before its shell channel is open.
        this.sendPending();
      }),
      this.socket.onMessage((data) => {
        if (typeof data === 'string') this.onText(data);
        else if (data instanceof ArrayBuffer) this.onBytes(terminal, new Uint8Array(data));
      }),
      terminal.onData((data) => {
        if (!reportReply.test(data)) this.input(this.encoder.encode(data));
      }),
      terminal.onBinary((data) => {
        this.input(Uint8Array.from(data, (c) => c.charCodeAt(0)));
      }),
      terminal.onResize(() => sendSize()),
    );
  }

  /** Types text into the shell as if the learner had typed it (false: nothing takes it now). */
  type(text: string): boolean {
    return this.input(this.encoder.encode(text));
  }

  /** Bytes of keystrokes waiting for the shell. */
  get pendingInputBytes(): number {
    return this.pendingBytes;
  }

  /** Sends keystrokes to the shell, or keeps them until it is attached again. */
  private input(bytes: Uint8Array): boolean {
    if (this.stopped) return false;
    if (!this.pending.length && this.socket.send(bytes)) return true;
    if (this.pendingBytes + bytes.length > pendingInputLimitBytes) return false;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    return true;
  }

  private sendPending(): void {
    while (this.pending.length) {
      const next = this.pending[0];
      if (!next || !this.socket.send(next)) return;
      this.pending.shift();
      this.pendingBytes -= next.length;
    }
  }

  private stopAccepting(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private sendControl(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  private onText(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = serverMessageSchema.safeParse(message);
    if (parsed.success) this.options.onControl?.(parsed.data);
  }

  private onBytes(terminal: AttachableTerminal, bytes: Uint8Array): void {
    this.options.onOutput?.(this.decoder.decode(bytes, { stream: true }));
    const connection = this.connection;
    terminal.write(bytes, () => {
      if (connection !== this.connection) return;
      this.rendered += bytes.length;
      if (this.rendered - this.acked >= this.ackEvery) {
        this.acked = this.rendered;
        this.sendControl({ type: 'ack', bytes: this.rendered });
      }
    });
  }
}
