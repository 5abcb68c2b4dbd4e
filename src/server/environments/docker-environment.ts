import type Dockerode from 'dockerode';
import { dockerStatus } from './docker-engine.js';
import type { HostStopEvents } from './docker-events.js';
import type { SessionNetwork } from './session-network.js';
import { SshEnvironment, type SshEnvironmentOptions } from './ssh-environment.js';
import type { SshHost } from './ssh-hosts.js';
import type { EnvironmentRecord } from './types.js';

/** A started lab host: its SSH side and the container it runs in. */
export interface DockerHost extends SshHost {
  container: Dockerode.Container;
}

export interface DockerEnvironmentOptions extends SshEnvironmentOptions {
  docker: Dockerode;
  network: SessionNetwork;
  events: HostStopEvents;
  /** Removes the session network once every host is gone. */
  removeNetwork: () => Promise<void>;
}

/** The Docker part of an environment record: the session network and the hosts' containers. */
export interface DockerEnvironmentRecord extends EnvironmentRecord {
  provider: { kind: 'docker'; network: SessionNetwork; containers: string[] };
}

/** One session's containers on their network; SSH, the shell and the lost notice are SshEnvironment's. */
export class DockerEnvironment extends SshEnvironment {
  private readonly containers: Dockerode.Container[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly unwatch: (() => void)[] = [];

  constructor(private readonly options: DockerEnvironmentOptions) {
    super(options);
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

  override async ready(): Promise<void> {
    await Promise.all(this.pending);
    await super.ready();
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

  protected async teardown(): Promise<void> {
    await Promise.all(this.pending);
    for (const unwatch of this.unwatch) unwatch();
    this.ssh.close();
    try {
      await Promise.all(this.containers.map((c) => removeContainer(c)));
    } finally {
      this.ssh.destroy();
    }
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
