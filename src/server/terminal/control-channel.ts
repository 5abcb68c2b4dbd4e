import type { RawData } from 'ws';
import { clientMessageSchema, closeCodes, type ClientMessage, type ServerMessage } from '../../protocol/terminal.js';

/** The part of a ws WebSocket the terminal uses (unit tests pass a fake). */
export interface TerminalSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  readonly isPaused: boolean;
  send(data: Buffer | string, options?: { binary?: boolean }, callback?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/** A frame from the client: keystrokes, a control message, or something to refuse. */
export type ClientFrame = { kind: 'input'; bytes: Buffer } | { kind: 'control'; message: ClientMessage } | { kind: 'malformed'; reason: string };

export function decodeClientFrame(data: RawData, isBinary: boolean): ClientFrame {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (isBinary) return { kind: 'input', bytes };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: 'A text frame must be a JSON control message.' };
  }
  const message = clientMessageSchema.safeParse(parsed);
  if (!message.success) return { kind: 'malformed', reason: `Unknown or malformed control message: ${message.error.issues[0]?.message ?? 'invalid'}` };
  return { kind: 'control', message: message.data };
}

/** Malformed control messages answered on one socket before it is closed (4400). */
const maxBadMessages = 100;

/** The JSON side of one socket: control messages out, and patience with malformed ones in. */
export class ControlChannel {
  private badMessages = 0;

  constructor(readonly socket: TerminalSocket) {}

  send(message: ServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Answers a malformed message; returns true when this one used up the socket's patience (it is then closed). */
  refuse(reason: string): boolean {
    this.badMessages += 1;
    if (this.badMessages > maxBadMessages) return false;
    this.send({ type: 'error', error: 'BAD_MESSAGE', message: reason });
    if (this.badMessages < maxBadMessages) return false;
    this.socket.close(closeCodes.badMessage, 'too many malformed messages');
    return true;
  }
}
