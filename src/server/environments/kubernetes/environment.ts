import type { Logger } from 'pino';
import type { Client, ClientChannel } from 'ssh2';
import { SshHosts, type SshHost } from '../ssh-hosts.js';
import { attachPersistentShell } from '../ssh.js';
import {
  ProviderUnavailableError,
  type EnvironmentRecord,
  type ExecOptions,
  type ExecResult,
  type LabUser,
  type LostListener,
  type StartedEnvironment,
  type StartedHost,
} from '../types.js';
import type { LabCluster } from './cluster-types.js';
import type { PodWatch } from './pod-watch.js';
import { hostsFile } from './render.js';

export interface KubernetesEnvironmentOptions {
  sessionId: string;
  cluster: LabCluster;
  watch: PodWatch;
  adminPrivateKey: string;
  logger: Logger;
  /** Stands in for ssh.connect in unit tests. */
  connect?: ConstructorParameters<typeof SshHosts>[0]['connect'];
}

/** One session's pods; SSH goes through the shared SshHosts, to each pod's own address. */
export class KubernetesEnvironment implements StartedEnvironment {
  readonly sessionId: string;
  private readonly ssh: SshHosts;
  private readonly pods: string[] = [];
  private readonly unwatch: (() => void)[] = [];
  private readonly lostListeners: LostListener[] = [];
  private disposed?: Promise<void>;
  private lost = false;

  constructor(private readonly options: KubernetesEnvironmentOptions) {
    this.sessionId = options.sessionId;
    this.ssh = new SshHosts({
      privateKey: options.adminPrivateKey,
      onUnreachable: (_host, reason) => this.markLost(reason),
      ...(options.connect ? { connect: options.connect } : {}),
    });
  }

  get hosts(): StartedHost[] {
    return this.ssh.list;
  }

  /** The pods of this environment by name, as created (dispose deletes them by the session label). */
  created(podName: string): void {
    this.pods.push(podName);
  }

  addHost(host: SshHost, podName: string): void {
    this.ssh.add(host);
    if (this.disposed) return;
    // A pod that ends (lifetime, eviction, node loss, deletion) makes the environment lost.
    this.unwatch.push(this.options.watch.watchLoss(podName, (reason) => this.markLost(`host ${host.info.name} stopped (${reason})`)));
  }

  /**
   * Hosts reach each other by name through /etc/hosts (written once every pod has its address),
   * not cluster DNS: the pods get no DNS server at all, so no name outside the session resolves.
   */
  async writeHostsFile(): Promise<void> {
    const file = hostsFile(new Map(this.hosts.map((h) => [h.name, h.address])));
    await Promise.all(
      this.hosts.map(async (host) => {
        const result = await this.ssh.exec(host.name, 'cat > /etc/hosts', { user: 'root', stdin: file });
        if (result.code !== 0)
          throw new ProviderUnavailableError(`could not write /etc/hosts on ${host.name}: ${result.stderr.trim() || `exit ${result.code}`}`);
      }),
    );
  }

  /**
   * Lets every backend replica log in with the backend's key, not only the one that started the
   * pods: after a rolling restart another replica (another pod address) serves the session. The
   * entrypoint wrote the starting replica's address into sshd's `Match Address` block and the
   * key's from= option; both become "any address but this session's own pods". Only SSH Lab's pods
   * and the session's pods can reach sshd at all (the session's NetworkPolicy), so that is every
   * backend replica and no lab host: a learner's own connections never fall under the backend's
   * Match block (which would override a lab's sshd settings for them).
   */
  async admitEveryBackend(): Promise<void> {
    // Loopback too: a learner's `ssh localhost` on a host is theirs, not the backend's.
    const pattern = ['*', '!127.0.0.0/8', '!::1', ...this.hosts.map((h) => `!${h.address}`)].join(',');
    // $1: the pattern (no character sed's replacement treats specially), $2: sshd's port.
    const script = [
      'set -e',
      'sed -i "s|^Match Address .*|Match Address $1|" /run/ssh-lab/sshd_config.d/host.conf',
      'sed -i "s|^from=\\"[^\\"]*\\"|from=\\"$1\\"|" /run/ssh-lab/authorized_keys/*',
      'grep -qxF "Match Address $1" /run/ssh-lab/sshd_config.d/host.conf',
      'kill -HUP "$(cat /run/sshd.pid)"',
      // sshd re-executes itself on SIGHUP and does not listen for an instant.
      'for _ in $(seq 100); do nc -z 127.0.0.1 "$2" && exit 0; sleep 0.05; done',
      'echo "sshd did not listen again after reloading" >&2; exit 1',
      '',
    ].join('\n');
    await Promise.all(
      this.hosts.map(async (host) => {
        const result = await this.ssh.exec(host.name, `bash -s -- '${pattern}' ${host.ports[0] ?? 22}`, { user: 'root', stdin: script });
        if (result.code !== 0)
          throw new ProviderUnavailableError(`could not admit every backend replica on ${host.name}: ${result.stderr.trim() || `exit ${result.code}`}`);
      }),
    );
  }

  async ready(): Promise<void> {
    const workstation = this.ssh.workstation;
    // The learner's shell connection is opened now so the first keystroke finds it ready.
    if (workstation) await this.ssh.connection(workstation.name, 'learner');
  }

  onLost(listener: LostListener): void {
    this.lostListeners.push(listener);
  }

  private markLost(reason: string): void {
    if (this.lost || this.disposed) return;
    this.lost = true;
    this.options.logger.warn({ session: this.sessionId, reason }, 'environment lost');
    for (const listener of this.lostListeners) listener(reason);
  }

  exec(hostName: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.ssh.exec(hostName, command, options);
  }

  async openShell(size: { cols: number; rows: number }): Promise<ClientChannel> {
    const workstation = this.ssh.workstation;
    if (!workstation) throw new Error('This environment has no workstation');
    // The same image as the Docker provider's: the learner's persistent shell (dtach on the workstation).
    return attachPersistentShell(await this.ssh.connection(workstation.name, 'learner'), size);
  }

  describe(): EnvironmentRecord {
    return { sessionId: this.sessionId, hosts: this.hosts, provider: { kind: 'kubernetes', pods: [...this.pods] } };
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

  private async teardown(): Promise<void> {
    for (const unwatch of this.unwatch) unwatch();
    for (const pod of this.pods) this.options.watch.forget(pod);
    this.ssh.close();
    await this.options.cluster.deleteSession(this.sessionId);
  }
}
