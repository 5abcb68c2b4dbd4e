import { SshEnvironment, type SshEnvironmentOptions } from '../ssh-environment.js';
import type { SshHost } from '../ssh-hosts.js';
import { ProviderUnavailableError, type EnvironmentRecord } from '../types.js';
import type { LabCluster } from './cluster-types.js';
import type { PodWatch } from './pod-watch.js';
import { hostsFile } from './render.js';

export interface KubernetesEnvironmentOptions extends SshEnvironmentOptions {
  cluster: LabCluster;
  watch: PodWatch;
}

/** One session's pods; SSH goes to each pod's own address (SshEnvironment). */
export class KubernetesEnvironment extends SshEnvironment {
  private readonly pods: string[] = [];
  private readonly unwatch: (() => void)[] = [];

  constructor(private readonly options: KubernetesEnvironmentOptions) {
    super(options);
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

  describe(): EnvironmentRecord {
    return { sessionId: this.sessionId, hosts: this.hosts, provider: { kind: 'kubernetes', pods: [...this.pods] } };
  }

  protected async teardown(): Promise<void> {
    for (const unwatch of this.unwatch) unwatch();
    for (const pod of this.pods) this.options.watch.forget(pod);
    this.ssh.close();
    await this.options.cluster.deleteSession(this.sessionId);
    this.ssh.destroy();
  }
}
