import type { Client } from 'ssh2';
import type {
  EnvironmentRecord,
  ExecOptions,
  ExecResult,
  LabUser,
  LostListener,
  ShellChannel,
  StartedEnvironment,
  StartedHost,
} from '../environments/types.js';

/**
 * An environment whose learner shell is opened ahead of time: the login shell (and its
 * prompt) is already there when the terminal attaches. Its output waits in the channel's
 * stream buffer until ShellTerminal listens. Every other call goes to the environment itself.
 */
export class PrewarmedShellEnvironment implements StartedEnvironment {
  private early?: Promise<ShellChannel | undefined>;
  private earlyClosed = false;

  constructor(private readonly inner: StartedEnvironment) {}

  /** Opens the shell now (80x24; the terminal's first resize sets the real size). Never throws. */
  prewarm(size = { cols: 80, rows: 24 }): Promise<void> {
    this.early = this.inner.openShell(size).then(
      (channel) => {
        channel.once('close', () => {
          this.earlyClosed = true;
        });
        return channel;
      },
      () => undefined,
    );
    return this.early.then(() => undefined);
  }

  get sessionId(): string {
    return this.inner.sessionId;
  }

  get hosts(): readonly StartedHost[] {
    return this.inner.hosts;
  }

  exec(host: string, command: string, options?: ExecOptions): Promise<ExecResult> {
    return this.inner.exec(host, command, options);
  }

  /** The first call takes the early shell (if it is still open); later calls open new ones. */
  async openShell(size: { cols: number; rows: number }): Promise<ShellChannel> {
    const early = this.early;
    this.early = undefined;
    const channel = early ? await early : undefined;
    if (channel && !this.earlyClosed) {
      if (size.cols !== 80 || size.rows !== 24) channel.setWindow(size.rows, size.cols);
      return channel;
    }
    return this.inner.openShell(size);
  }

  connection(host: string, user: LabUser): Promise<Client> {
    return this.inner.connection(host, user);
  }

  onLost(listener: LostListener): void {
    this.inner.onLost(listener);
  }

  async dispose(): Promise<void> {
    const early = this.early;
    this.early = undefined;
    if (early) void early.then((channel) => channel?.close());
    await this.inner.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  // --- shared session directory: the record is the inner environment's ---
  describe(): EnvironmentRecord {
    return this.inner.describe();
  }
}
