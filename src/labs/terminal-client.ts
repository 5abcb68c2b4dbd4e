import WebSocket from 'ws';
import { serverMessageSchema, type ServerMessage } from '../protocol/terminal.js';

/** Removes escape sequences and carriage returns so tests and replays can read what a person sees. */
export function stripAnsi(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?<=>]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][0-9A-Za-z]/g, '')
    .replace(/\x1b[=>c78DEHM]/g, '')
    .replace(/\r/g, '');
}

/** A shell prompt at the very end of the output: `learner@workstation:~$ `. */
export const promptAtEnd = /[\w.-]+@[\w.-]+:[^\n]*[$#] $/;

export interface SessionCredentials {
  id: string;
  token: string;
}

/**
 * A WebSocket terminal client speaking the real wire protocol (ticket, binary frames, acks):
 * what tests, the lab validator and the benchmark drive a shell with.
 */
export class TerminalClient {
  private raw = '';
  private bytes = 0;
  readonly controls: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  closed?: { code: number; reason: string };

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        this.raw += buffer.toString('utf8');
        this.bytes += buffer.length;
        socket.send(JSON.stringify({ type: 'ack', bytes: this.bytes }));
      } else {
        const parsed = serverMessageSchema.safeParse(JSON.parse(buffer.toString('utf8')));
        if (parsed.success) this.controls.push(parsed.data);
      }
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
  }

  static async open(baseUrl: string, session: SessionCredentials, options: { origin?: string } = {}): Promise<TerminalClient> {
    const response = await fetch(`${baseUrl}/api/sessions/${session.id}/ticket`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    if (!response.ok) throw new Error(`ticket: ${response.status} ${await response.text()}`);
    const { ticket } = (await response.json()) as { ticket: string };
    const url = `${baseUrl.replace(/^http/, 'ws')}/api/sessions/${session.id}/terminal?ticket=${encodeURIComponent(ticket)}`;
    const socket = new WebSocket(url, { origin: options.origin ?? baseUrl, perMessageDeflate: false });
    // Listen before 'open': frames that arrive with the upgrade response are emitted at once.
    const client = new TerminalClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`terminal upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  /** Everything received so far, as text without escape sequences. */
  text(): string {
    return stripAnsi(this.raw);
  }

  get received(): number {
    return this.bytes;
  }

  type(text: string): void {
    this.socket.send(Buffer.from(text, 'utf8'), { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves when `test` holds for the current text; rejects with the screen's tail on timeout. */
  waitUntil(test: (text: string) => boolean, timeoutMs = 20_000, what = 'output'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (test(this.text())) {
          cleanup();
          resolve();
        } else if (this.closed) {
          cleanup();
          reject(new Error(`terminal closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}; screen ends:\n${this.text().slice(-600)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.heard()}); screen ends:\n${this.text().slice(-600)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** What a timeout reports besides the screen: an empty screen with no "attached" is a shell that never opened. */
  private heard(): string {
    const controls = this.controls.map((c) => ('state' in c ? `${c.type} ${c.state}` : c.type)).join(', ');
    return `${this.bytes} bytes; control messages: ${controls || 'none'}`;
  }

  /** Waits for a prompt printed after character `from` of the text. */
  waitForPrompt(from = 0, timeoutMs = 20_000): Promise<void> {
    return this.waitUntil((text) => text.length > from && promptAtEnd.test(text.slice(from)), timeoutMs, 'the shell prompt');
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
