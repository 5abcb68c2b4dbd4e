import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import type { RawData } from 'ws';
import type { ServerMessage } from '../../src/protocol/terminal.js';
import type {
  EnvironmentRecord,
  EnvironmentProvider,
  EnvironmentSpec,
  ExecOptions,
  ExecResult,
  LostListener,
  ProviderStatus,
  ShellChannel,
  StartedEnvironment,
  StartedHost,
} from '../../src/server/environments/types.js';
import type { RunnableLab } from '../../src/server/labs/catalogue.js';
import type { AcquiredEnvironment, EnvironmentSource } from '../../src/server/pool/source.js';
import type { TerminalSocket } from '../../src/server/terminal/control-channel.js';

/**
 * Fakes of SSH Lab's own seams (provider, environment, environment source, terminal socket,
 * shell channel) for unit tests that run without Docker or sshd. Each records what was done to it.
 */

/** The shell side: what ShellTerminal uses of a learner's shell. */
export class FakeChannel extends EventEmitter implements ShellChannel {
  readonly stderr = new EventEmitter();
  readonly written: Buffer[] = [];
  paused = false;
  pauses = 0;
  resumes = 0;
  closed = false;
  window?: { rows: number; cols: number };
  writableLength = 0;
  /** What write() answers (false: the channel is full). */
  accepts = true;

  pause(): this {
    this.paused = true;
    this.pauses++;
    return this;
  }
  resume(): this {
    this.paused = false;
    this.resumes++;
    return this;
  }
  write(bytes: Buffer): boolean {
    this.written.push(bytes);
    return this.accepts;
  }
  setWindow(rows: number, cols: number): void {
    this.window = { rows, cols };
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  /** The shell prints something. */
  output(text: string | Buffer): void {
    this.emit('data', Buffer.from(text));
  }
  asChannel(): ShellChannel {
    return this;
  }
}

/** A browser's terminal WebSocket as the server sees it. */
export class FakeSocket extends EventEmitter implements TerminalSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  isPaused = false;
  readonly frames: Buffer[] = [];
  readonly texts: string[] = [];
  closedWith?: { code?: number; reason?: string };
  terminated = false;

  send(data: Buffer | string, _options?: { binary?: boolean }, callback?: (error?: Error) => void): void {
    if (typeof data === 'string') this.texts.push(data);
    else this.frames.push(data);
    if (callback) queueMicrotask(() => callback());
  }
  close(code?: number, reason?: string): void {
    if (this.closedWith) return;
    this.closedWith = { code, reason };
    this.readyState = 3;
    queueMicrotask(() => this.emit('close', code, reason));
  }
  terminate(): void {
    this.terminated = true;
    this.close(1006);
  }
  pause(): void {
    this.isPaused = true;
  }
  resume(): void {
    this.isPaused = false;
  }
  /** Control messages the server sent, parsed. */
  get controls(): ServerMessage[] {
    return this.texts.map((t) => JSON.parse(t) as ServerMessage);
  }
  /** All terminal bytes the server sent, as text. */
  get screen(): string {
    return Buffer.concat(this.frames).toString('utf8');
  }
  /** The client sends a control message (or, given a Buffer, keystrokes). */
  receive(message: object | Buffer): void {
    if (Buffer.isBuffer(message)) this.emit('message', message as RawData, true);
    else this.emit('message', Buffer.from(JSON.stringify(message)) as RawData, false);
  }
}

export function fakeHost(name: string, role: StartedHost['role'] = 'workstation'): StartedHost {
  return { name, role, ports: [22], address: '10.0.0.2', fingerprint: 'SHA256:fake', publicKey: 'ssh-ed25519 AAAAfake' };
}

export class FakeEnvironment implements StartedEnvironment {
  readonly hosts: StartedHost[];
  readonly shells: FakeChannel[] = [];
  readonly commands: { host: string; command: string; options?: ExecOptions }[] = [];
  private readonly lostListeners: LostListener[] = [];
  disposals = 0;

  constructor(
    readonly sessionId: string,
    hosts: StartedHost[] = [fakeHost('workstation')],
  ) {
    this.hosts = hosts;
  }

  async exec(host: string, command: string, options?: ExecOptions): Promise<ExecResult> {
    this.commands.push({ host, command, options });
    return { stdout: '', stderr: '', code: 0, timedOut: false };
  }
  async openShell(): Promise<ShellChannel> {
    const channel = new FakeChannel();
    this.shells.push(channel);
    return channel.asChannel();
  }
  async connection(host: string): Promise<Client> {
    throw new Error(`FakeEnvironment has no SSH connection to ${host}`);
  }
  onLost(listener: LostListener): void {
    this.lostListeners.push(listener);
  }
  /** The provider noticed a host stop. */
  lose(reason: string): void {
    for (const listener of this.lostListeners) listener(reason);
  }
  async dispose(): Promise<void> {
    this.disposals++;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
  describe(): EnvironmentRecord {
    return { sessionId: this.sessionId, hosts: this.hosts, provider: { kind: 'fake' } };
  }
}

/** A provider whose start() can be made to fail with any error, or to wait until released. */
export class FakeProvider implements EnvironmentProvider {
  readonly started: FakeEnvironment[] = [];
  failWith?: Error;
  delayMs = 0;
  status_: ProviderStatus = { available: true };

  async verify(): Promise<void> {}
  async start(spec: EnvironmentSpec): Promise<StartedEnvironment> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    const environment = new FakeEnvironment(spec.sessionId);
    this.started.push(environment);
    return environment;
  }
  async status(): Promise<ProviderStatus> {
    return this.status_;
  }
  async reap(): Promise<number> {
    return 0;
  }
  /** Another replica's environment, as a fresh handle on the same record. */
  async attach(record: EnvironmentRecord): Promise<StartedEnvironment> {
    const environment = new FakeEnvironment(record.sessionId, record.hosts);
    this.attached.push(environment);
    return environment;
  }
  readonly attached: FakeEnvironment[] = [];
}

/** An environment source handing out FakeEnvironments; `gate` holds acquisitions until resolved. */
export class FakeSource implements EnvironmentSource {
  readonly acquired: FakeEnvironment[] = [];
  failWith?: Error;
  gate?: Promise<void>;

  async acquire(_lab: RunnableLab, sessionId: string, password: string): Promise<AcquiredEnvironment> {
    await this.gate;
    if (this.failWith) throw this.failWith;
    const environment = new FakeEnvironment(sessionId);
    this.acquired.push(environment);
    return { environment, password };
  }
}

/** The part of a lab the registry and the pool read: its id. */
export function fakeLab(id = 'keygen'): RunnableLab {
  return { definition: { id, title: id, steps: [], hosts: [] }, checks: {}, summary: { id } } as unknown as RunnableLab;
}
