import type { Logger } from 'pino';
import type { Client } from 'ssh2';
import { attachPersistentShell } from './persistent-shell.js';
import { SshHosts } from './ssh-hosts.js';
import type { EnvironmentRecord, ExecOptions, ExecResult, LabUser, LostListener, ShellChannel, StartedEnvironment, StartedHost } from './types.js';

export interface SshEnvironmentOptions {
  sessionId: string;
  /** The backend's login key, authorised on every host. */
  adminPrivateKey: string;
  logger: Logger;
  /** Stands in for ssh.connect in unit tests. */
  connect?: ConstructorParameters<typeof SshHosts>[0]['connect'];
}

/**
 * What every provider's environment does the same way once its hosts run (containers, pods):
 * SSH through one SshHosts with host keys pinned, the learner's persistent shell, the one-time
 * "lost" notice, and a dispose that runs once. A provider adds how its hosts are found, watched,
 * described for other replicas and removed.
 */
export abstract class SshEnvironment implements StartedEnvironment {
  readonly sessionId: string;
  protected readonly ssh: SshHosts;
  private readonly lostListeners: LostListener[] = [];
  protected disposed?: Promise<void>;
  private lost = false;

  constructor(private readonly base: SshEnvironmentOptions) {
    this.sessionId = base.sessionId;
    this.ssh = new SshHosts({
      privateKey: base.adminPrivateKey,
      onUnreachable: (_host, reason) => this.markLost(reason),
      ...(base.connect ? { connect: base.connect } : {}),
    });
  }

  get hosts(): StartedHost[] {
    return this.ssh.list;
  }

  abstract describe(): EnvironmentRecord;

  /** Removes the hosts; called once, by dispose(). */
  protected abstract teardown(): Promise<void>;

  /**
   * The learner's shell connection is opened now so the first keystroke finds it ready. A first
   * attempt that fails is made once more (a failed connection is not kept): once, in a CI run with
   * seven environments starting at once on two CPUs, the handshake with a host just started timed
   * out (10 s) while every other one took under 5 s; the cause was not found.
   */
  async ready(): Promise<void> {
    const workstation = this.ssh.workstation;
    if (!workstation) return;
    try {
      await this.ssh.connection(workstation.name, 'learner');
    } catch (error) {
      this.base.logger.warn({ session: this.sessionId, err: error }, 'the first connection to the workstation failed; trying once more');
      await this.ssh.connection(workstation.name, 'learner');
    }
  }

  onLost(listener: LostListener): void {
    this.lostListeners.push(listener);
  }

  protected markLost(reason: string): void {
    if (this.lost || this.disposed) return;
    this.lost = true;
    this.base.logger.warn({ session: this.sessionId, reason }, 'environment lost');
    for (const listener of this.lostListeners) listener(reason);
  }

  exec(hostName: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.ssh.exec(hostName, command, options);
  }

  /**
   * The learner's persistent shell (dtach on the workstation, the same image on every provider):
   * it outlives this channel and this process; any backend with its own connection attaches to it.
   */
  async openShell(size: { cols: number; rows: number }): Promise<ShellChannel> {
    const workstation = this.ssh.workstation;
    if (!workstation) throw new Error('This environment has no workstation');
    return attachPersistentShell(await this.ssh.connection(workstation.name, 'learner'), size);
  }

  connection(host: string, user: LabUser): Promise<Client> {
    return this.ssh.connection(host, user);
  }

  dispose(): Promise<void> {
    this.disposed ??= this.teardown();
    return this.disposed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
