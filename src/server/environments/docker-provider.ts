import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { Client, ClientChannel } from 'ssh2';
import { getContainerRuntimeClient } from 'testcontainers';
import { HostFirewall } from './host-firewall.js';
import { LabHostContainer, type HostLimits } from './lab-host-container.js';
import { labelKeys, resourceLabels } from './labels.js';
import { connect, execOn, generateEd25519, type KeyPair } from './ssh.js';
import { SubnetPool, type Subnet } from './subnets.js';
import type {
  EnvironmentProvider,
  EnvironmentSpec,
  ExecOptions,
  ExecResult,
  HostSpec,
  LabUser,
  LostListener,
  ProviderStatus,
  StartedEnvironment,
  StartedHost,
} from './types.js';

// Ryuk cannot be pulled where no registry answers; this process reaps its own leftovers instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export interface DockerProviderOptions {
  image: string;
  limits: HostLimits;
  subnetPool: string;
  subnetPrefix: number;
  hostFirewall: boolean;
  startupTimeoutMs: number;
  logger: Logger;
}

export class DockerUnavailableError extends Error {}
export class CapacityError extends Error {}

/** host:pid:start — enough to tell whether the backend that made a resource still runs. */
function ownerLabel(): string {
  return `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
}

/** Whether the backend process that labelled a resource still runs on this machine. */
export function ownerAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function dockerode(): Promise<Dockerode> {
  try {
    const client = await getContainerRuntimeClient();
    return client.container.dockerode;
  } catch (error) {
    throw new DockerUnavailableError(`No Docker engine answers: ${(error as Error).message}`);
  }
}

export class DockerEnvironmentProvider implements EnvironmentProvider {
  /** Distinguishes this run's resources from a crashed run's, and from another live backend's. */
  readonly owner = ownerLabel();
  private readonly subnets: SubnetPool;
  private readonly firewall: HostFirewall;
  /** The backend's own login key: in memory only, authorised on every host for the gateway address only. */
  private readonly adminKey = generateEd25519('ssh-lab-backend');

  constructor(private readonly options: DockerProviderOptions) {
    this.subnets = new SubnetPool(options.subnetPool, options.subnetPrefix);
    this.firewall = new HostFirewall(options.hostFirewall);
  }

  /** Start-up checks an operator must hear about at once (not at the first learner's click). */
  async verifyHostFirewall(): Promise<void> {
    await this.firewall.verify();
  }

  async status(): Promise<ProviderStatus> {
    try {
      const docker = await dockerode();
      await docker.ping();
      await docker.getImage(this.options.image).inspect().catch(() => {
        throw new DockerUnavailableError(`The lab image ${this.options.image} is missing: run "npm run images".`);
      });
      return { available: true };
    } catch (error) {
      return { available: false, message: (error as Error).message };
    }
  }

  /** Once the image was seen it stays; a missing one must never make testcontainers try a registry. */
  private imageSeen = false;

  private async requireImage(docker: Dockerode): Promise<void> {
    if (this.imageSeen) return;
    await docker.getImage(this.options.image).inspect().catch(() => {
      throw new DockerUnavailableError(`The lab image ${this.options.image} is missing: run "npm run images".`);
    });
    this.imageSeen = true;
  }

  async start(spec: EnvironmentSpec): Promise<StartedEnvironment> {
    const docker = await dockerode();
    await this.requireImage(docker);
    const labels = resourceLabels(spec.sessionId, spec.labId, this.owner);
    const { subnet, network, bridge } = await this.createNetwork(docker, spec, labels);
    const environment = new DockerEnvironment(docker, spec.sessionId, network, bridge, subnet, this.adminKey, this.options.logger, async () => {
      await this.firewall.unblock(bridge);
      this.subnets.release(subnet.cidr);
    });
    try {
      await this.firewall.block(bridge);
      await Promise.all(spec.hosts.map((host) => environment.addHost(this.startHost(docker, spec, host, network, subnet, labels))));
      await environment.ready();
      return environment;
    } catch (error) {
      await environment.dispose();
      throw error;
    }
  }

  private async createNetwork(docker: Dockerode, spec: EnvironmentSpec, labels: Record<string, string>) {
    const taken = new Set(
      (await docker.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => Boolean(s))),
    );
    const name = `ssh-lab-${spec.sessionId}`;
    // Another backend on this engine may take a subnet between the listing and the creation: try the next.
    for (let attempt = 0; ; attempt++) {
      const subnet = this.subnets.allocate(taken);
      if (!subnet) throw new CapacityError(`The subnet pool ${this.options.subnetPool} is exhausted`);
      // Linux interface names stop at 15 characters; the bridge name is ours so the firewall rule can name it.
      const bridge = `sshl${randomBytes(5).toString('hex')}`;
      try {
        const network = await docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          Internal: true,
          CheckDuplicate: true,
          Labels: labels,
          IPAM: { Driver: 'default', Config: [{ Subnet: subnet.cidr, Gateway: subnet.gateway }] },
          Options: { 'com.docker.network.bridge.name': bridge, 'com.docker.network.bridge.enable_icc': 'true' },
        });
        await network.inspect();
        return { subnet, network: name, bridge };
      } catch (error) {
        this.subnets.release(subnet.cidr);
        const overlaps = /overlaps/i.test((error as Error).message);
        if (!overlaps || attempt >= 8) throw error;
        taken.add(subnet.cidr);
      }
    }
  }

  private async startHost(
    docker: Dockerode,
    spec: EnvironmentSpec,
    host: HostSpec,
    network: string,
    subnet: Subnet,
    labels: Record<string, string>,
  ): Promise<LiveHost> {
    const hostKey = generateEd25519(`root@${host.name}`);
    const container = await new LabHostContainer(this.options.image)
      .withName(`ssh-lab-${spec.sessionId}-${host.name}`)
      .withHostname(host.name)
      .withSessionNetwork(network, host.name)
      .withLabels({ ...labels, [labelKeys.host]: host.name })
      .withEnvironment({
        SSH_LAB_HOST_KEY: Buffer.from(hostKey.privateKey).toString('base64'),
        SSH_LAB_ADMIN_KEY: this.adminKey.publicKey,
        SSH_LAB_ADMIN_FROM: subnet.gateway,
        SSH_LAB_PASSWORD: spec.password,
        SSH_LAB_PORTS: host.ports.join(' '),
        SSH_LAB_FORWARDING: host.forwarding,
        SSH_LAB_AGENT_FORWARDING: host.agentForwarding ? 'yes' : 'no',
        SSH_LAB_LIFETIME: String(spec.lifetimeSeconds),
      })
      .withHardening(this.options.limits)
      .withSshdReadiness(this.options.startupTimeoutMs)
      .withAutoRemove(true)
      .withAutoCleanup(false)
      .start();
    const address = container.getIpAddress(network);
    const id = container.getId();
    return {
      info: { name: host.name, role: host.role, ports: host.ports, address, fingerprint: hostKey.fingerprint, publicKey: hostKey.publicKey.trim() },
      hostKey,
      containerId: id,
      container: docker.getContainer(id),
      connections: new Map(),
    };
  }

  async reap(live: ReadonlySet<string>): Promise<number> {
    let docker: Dockerode;
    try {
      docker = await dockerode();
    } catch {
      return 0;
    }
    const filter = { label: [labelKeys.session] };
    // Ours and not live, or left by a backend that no longer runs; never another live backend's.
    const orphaned = (labels: Record<string, string> | undefined) => {
      const owner = labels?.[labelKeys.owner] ?? '';
      return owner === this.owner ? !live.has(labels?.[labelKeys.session] ?? '') : !ownerAlive(owner);
    };
    let removed = 0;
    const containers = await docker.listContainers({ all: true, filters: filter });
    await Promise.all(
      containers
        .filter((c) => orphaned(c.Labels))
        .map(async (c) => {
          await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
          removed++;
        }),
    );
    const networks = await docker.listNetworks({ filters: filter });
    for (const n of networks.filter((n) => orphaned(n.Labels))) {
      const bridge = n.Options?.['com.docker.network.bridge.name'];
      await docker.getNetwork(n.Id).remove().then(() => removed++, () => undefined);
      if (bridge) await this.firewall.unblock(bridge);
    }
    const liveBridges = new Set(
      (await docker.listNetworks({ filters: filter })).map((n) => n.Options?.['com.docker.network.bridge.name']).filter(Boolean),
    );
    for (const bridge of await this.firewall.blockedBridges().catch(() => [])) {
      if (!liveBridges.has(bridge)) {
        await this.firewall.unblock(bridge);
        removed++;
      }
    }
    return removed;
  }
}

interface LiveHost {
  info: StartedHost;
  hostKey: KeyPair;
  containerId: string;
  container: Dockerode.Container;
  connections: Map<LabUser, Promise<Client>>;
}

class DockerEnvironment implements StartedEnvironment {
  private readonly live = new Map<string, LiveHost>();
  private readonly pending: Promise<void>[] = [];
  private readonly lostListeners: LostListener[] = [];
  private disposed?: Promise<void>;
  private lost = false;

  constructor(
    private readonly docker: Dockerode,
    readonly sessionId: string,
    private readonly network: string,
    readonly bridge: string,
    readonly subnet: Subnet,
    private readonly adminKey: KeyPair,
    private readonly logger: Logger,
    private readonly releaseNetwork: () => Promise<void>,
  ) {}

  get hosts(): StartedHost[] {
    return [...this.live.values()].map((h) => h.info);
  }

  addHost(starting: Promise<LiveHost>): Promise<void> {
    const added = starting.then((host) => {
      this.live.set(host.info.name, host);
      if (this.disposed) return;
      // A host that stops on its own (killed, out of lifetime) makes the environment lost.
      host.container.wait().then(() => this.markLost(`host ${host.info.name} stopped`), () => undefined);
    });
    this.pending.push(added.catch(() => undefined));
    return added;
  }

  async ready(): Promise<void> {
    await Promise.all(this.pending);
    const workstation = this.hosts.find((h) => h.role === 'workstation');
    // The learner's shell connection is opened now so the first keystroke finds it ready.
    if (workstation) await this.connection(workstation.name, 'learner');
  }

  onLost(listener: LostListener): void {
    this.lostListeners.push(listener);
  }

  private markLost(reason: string): void {
    if (this.lost || this.disposed) return;
    this.lost = true;
    this.logger.warn({ session: this.sessionId, reason }, 'environment lost');
    for (const listener of this.lostListeners) listener(reason);
  }

  private host(name: string): LiveHost {
    const host = this.live.get(name);
    if (!host) throw new Error(`This environment has no host named "${name}"`);
    return host;
  }

  private connection(hostName: string, user: LabUser): Promise<Client> {
    const host = this.host(hostName);
    let connection = host.connections.get(user);
    if (!connection) {
      connection = connect({
        host: host.info.address,
        port: host.info.ports[0] ?? 22,
        username: user,
        privateKey: this.adminKey.privateKey,
        hostKey: host.hostKey.blob,
      });
      host.connections.set(user, connection);
      connection.then(
        (client) => {
          client.on('close', () => host.connections.delete(user));
          client.on('error', () => host.connections.delete(user));
        },
        () => host.connections.delete(user),
      );
    }
    return connection;
  }

  async exec(hostName: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const client = await this.connection(hostName, options.user ?? 'learner');
    return execOn(client, command, options);
  }

  async openShell(size: { cols: number; rows: number }): Promise<ClientChannel> {
    const workstation = this.hosts.find((h) => h.role === 'workstation');
    if (!workstation) throw new Error('This environment has no workstation');
    const client = await this.connection(workstation.name, 'learner');
    return new Promise((resolve, reject) => {
      client.shell({ term: 'xterm-256color', cols: size.cols, rows: size.rows }, (error, channel) => (error ? reject(error) : resolve(channel)));
    });
  }

  dispose(): Promise<void> {
    this.disposed ??= this.teardown();
    return this.disposed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async teardown(): Promise<void> {
    await Promise.all(this.pending);
    for (const host of this.live.values()) {
      for (const connection of host.connections.values()) connection.then((c) => c.end(), () => undefined);
    }
    await Promise.all(
      [...this.live.values()].map((h) =>
        h.container.remove({ force: true }).catch(async (error: { statusCode?: number }) => {
          if (error.statusCode === 404) return;
          if (error.statusCode !== 409) throw error;
          // 409: auto-remove is already removing it; dispose means gone, so wait for that.
          for (let i = 0; i < 100; i++) {
            const gone = await h.container.inspect().then(() => false, (e: { statusCode?: number }) => e.statusCode === 404);
            if (gone) return;
            await new Promise((r) => setTimeout(r, 50));
          }
        }),
      ),
    );
    await this.removeNetwork();
    await this.releaseNetwork();
  }

  private async removeNetwork(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.docker.getNetwork(this.network).remove();
        return;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404) return;
        // Auto-removal of a container may still hold an endpoint for a moment.
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}
