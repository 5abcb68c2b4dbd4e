import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { Client, ClientChannel } from 'ssh2';
import { dockerStatus } from './docker-engine.js';
import type { HostStopEvents } from './docker-events.js';
import type { SessionNetwork } from './session-network.js';
import { attachPersistentShell } from './ssh.js';
import { SshHosts, type SshHost } from './ssh-hosts.js';
import type { EnvironmentRecord, ExecOptions, ExecResult, LabUser, LostListener, StartedEnvironment, StartedHost } from './types.js';

/** A started lab host: its SSH side and the container it runs in. */
export interface DockerHost extends SshHost {
  container: Dockerode.Container;
}

export interface DockerEnvironmentOptions {
  docker: Dockerode;
  sessionId: string;
  network: SessionNetwork;
  adminPrivateKey: string;
  events: HostStopEvents;
  logger: Logger;
  /** Removes the session network once every host is gone. */
  removeNetwork: () => Promise<void>;
}

/** The Docker part of an environment record: the session network and the hosts' containers. */
export interface DockerEnvironmentRecord extends EnvironmentRecord {
  provider: { kind: 'docker'; network: SessionNetwork; containers: string[] };
}

/** One session's containers on their network; SSH goes through the shared SshHosts. */
export class DockerEnvironment implements StartedEnvironment {
  readonly sessionId: string;
  private readonly ssh: SshHosts;
  private readonly containers: Dockerode.Container[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly unwatch: (() => void)[] = [];
  private readonly lostListeners: LostListener[] = [];
  private disposed?: Promise<void>;
  private lost = false;

  constructor(private readonly options: DockerEnvironmentOptions) {
    this.sessionId = options.sessionId;
    this.ssh = new SshHosts({
      privateKey: options.adminPrivateKey,
      onUnreachable: (_host, reason) => this.markLost(reason),
    });
  }

  get hosts(): StartedHost[] {
    return this.ssh.list;
  }

  get network(): SessionNetwork {
    return this.options.network;
  }

  addHost(starting: Promise<DockerHost>): Promise<void> {
    const added = starting.then((host) => {
      this.containers.push(host.container);
      this.ssh.add(host);
      if (this.disposed) return;
      // A host that stops on its own (killed, out of lifetime, out of memory) makes the environment lost.
      this.unwatch.push(this.options.events.watch(host.container.id, (action) => this.markLost(`host ${host.info.name} stopped (${action})`)));
      // The learner's connection opens as soon as the workstation is up, while the other hosts still
      // start (perf): ready() then finds it open or in flight. A failure surfaces there.
      if (host.info.role === 'workstation') this.ssh.connection(host.info.name, 'learner').catch(() => undefined);
    });
    this.pending.push(added.catch(() => undefined));
    return added;
  }

  async ready(): Promise<void> {
    await Promise.all(this.pending);
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
    // The learner's persistent shell (dtach on the workstation): it outlives this channel and
    // this process; any backend with its own connection attaches to the same one.
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

  // --- shared session directory: what another replica needs to reach and remove these hosts ---
  describe(): EnvironmentRecord {
    const record: DockerEnvironmentRecord = {
      sessionId: this.sessionId,
      hosts: this.hosts,
      provider: { kind: 'docker', network: this.options.network, containers: this.containers.map((c) => c.id) },
    };
    return record;
  }

  private async teardown(): Promise<void> {
    await Promise.all(this.pending);
    for (const unwatch of this.unwatch) unwatch();
    this.ssh.close();
    await Promise.all(this.containers.map((c) => removeContainer(c)));
    await this.options.removeNetwork();
  }
}

async function removeContainer(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    if (dockerStatus(error) === 404) return;
    if (dockerStatus(error) !== 409) throw error;
    // 409: auto-remove is already removing it; dispose means gone, so wait for that.
    for (let i = 0; i < 100; i++) {
      const gone = await container.inspect().then(
        () => false,
        (e: unknown) => dockerStatus(e) === 404,
      );
      if (gone) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
