import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { cpuOversubscribed } from '../process/cpu-pressure.js';
import { BridgeNetworks, listBridges, removeBridge } from './bridge-networks.js';
import { dockerEngine } from './docker-engine.js';
import { DockerEnvironment, type DockerEnvironmentRecord, type DockerHost } from './docker-environment.js';
import { HostStopEvents } from './docker-events.js';
import { HostFirewall } from './host-firewall.js';
import { prepareHostCgroupParent } from './host-cgroup.js';
import { LabHostContainer, type HostLimits } from './lab-host-container.js';
import { labelKeys, resourceLabels } from './labels.js';
import { ownerLabel } from './ownership.js';
import { Reaper, dockerResources } from './reaper.js';
import { SessionNetworks, type SessionNetwork } from './session-network.js';
import { SubnetPool } from './subnets.js';
import { generateEd25519 } from './ssh.js';
import {
  ProviderUnavailableError,
  type EnvironmentProvider,
  type EnvironmentSpec,
  type EnvironmentRecord,
  type HostSpec,
  type LoginKey,
  type ProviderPacing,
  type ProviderStatus,
  type StartedEnvironment,
} from './types.js';

// scripts/test.ts finds leftovers of finished backends with this.
export { ownerAlive } from './ownership.js';

export interface DockerProviderOptions {
  image: string;
  limits: HostLimits;
  subnetPool: string;
  subnetPrefix: number;
  hostFirewall: boolean;
  /** Session networks: bridges the backend makes (the default, cheapest) or Docker networks. */
  sessionNetwork?: 'bridge' | 'docker';
  startupTimeoutMs: number;
  logger: Logger;
}

/**
 * Lab hosts as hardened containers on a Docker engine, one isolated network per session. The
 * parts: ownership.ts (whose resources are whose), bridge-networks.ts (the default: bridges the
 * backend makes), session-network.ts (Docker networks), host-firewall.ts (their rules),
 * docker-events.ts (hosts that stop), reaper.ts (leftovers), docker-environment.ts (one
 * session's hosts), ssh-hosts.ts (the SSH side every provider shares).
 */
export class DockerEnvironmentProvider implements EnvironmentProvider {
  /** Distinguishes this run's resources from a crashed run's, and from another live backend's. */
  readonly owner = ownerLabel();
  private readonly firewall: HostFirewall;
  private readonly networks: SessionNetworks;
  /** Set with SSH_LAB_SESSION_NETWORK=bridge: new sessions get bridges of the backend's own. */
  private readonly bridges?: BridgeNetworks;
  private readonly reaper: Reaper;
  private readonly events: HostStopEvents;
  /**
   * The backend's own login key, authorised on every host for the gateway address only. In memory;
   * replicas sharing a directory replace it with the one they share (agreeLoginKey).
   */
  private adminKey: LoginKey = generateEd25519('ssh-lab-backend');
  /** Once the image was seen it stays; a missing one must never make testcontainers try a registry. */
  private imageSeen = false;

  constructor(private readonly options: DockerProviderOptions) {
    const ownBridges = (options.sessionNetwork ?? 'bridge') === 'bridge';
    this.firewall = new HostFirewall(options.hostFirewall, ownBridges);
    this.networks = new SessionNetworks(options.subnetPool, options.subnetPrefix, this.firewall);
    if (ownBridges) this.bridges = new BridgeNetworks(options.subnetPool, options.subnetPrefix, this.firewall);
    this.reaper = new Reaper(this.owner);
    this.events = new HostStopEvents(dockerEngine, this.owner, options.logger);
  }

  async verify(): Promise<void> {
    await this.firewall.verify();
    await this.bridges?.verify();
    // The hosts' low-weight parent cgroup (backend CPU priority); an engine not up yet is retried on the first start.
    const docker = await dockerEngine().catch(() => undefined);
    if (docker) await this.hostCgroup(docker);
  }

  private hostCgroupReady?: Promise<void>;
  /** Once per process: the parent cgroup the hosts run under gets its weight before the first host starts. */
  private hostCgroup(docker: Dockerode): Promise<void> {
    const parent = this.options.limits.cgroupParent;
    if (!parent) return Promise.resolve();
    this.hostCgroupReady ??= docker.info().then(
      (info: { CgroupDriver?: string }) => void prepareHostCgroupParent(parent, info.CgroupDriver ?? 'unknown'),
      () => {
        this.hostCgroupReady = undefined; // the engine did not answer: try again next time
      },
    );
    return this.hostCgroupReady;
  }

  /** Refills back to back unless this machine's CPUs (where the containers run) are oversubscribed. */
  pacing(): ProviderPacing {
    return { delayMs: cpuOversubscribed() ? 1_000 : 0 };
  }

  close(): void {
    this.events.close();
  }

  async status(): Promise<ProviderStatus> {
    try {
      const docker = await dockerEngine();
      await docker.ping();
      await this.inspectImage(docker);
      return { available: true };
    } catch (error) {
      return { available: false, message: (error as Error).message };
    }
  }

  private async requireImage(docker: Dockerode): Promise<void> {
    if (this.imageSeen) return;
    await this.inspectImage(docker);
    this.imageSeen = true;
  }

  private async inspectImage(docker: Dockerode): Promise<void> {
    await docker
      .getImage(this.options.image)
      .inspect()
      .catch(() => {
        throw new ProviderUnavailableError(`The lab image ${this.options.image} is missing: run "npm run images".`);
      });
  }

  async start(spec: EnvironmentSpec): Promise<StartedEnvironment> {
    const docker = await dockerEngine();
    await this.requireImage(docker);
    await this.hostCgroup(docker);
    // Open before any host starts, so no host can stop unseen.
    await this.events.open();
    const labels = resourceLabels(spec.sessionId, spec.labId, this.owner, this.cluster);
    const network = this.bridges ? await this.bridges.create(docker, labels) : await this.networks.create(docker, spec.sessionId, labels);
    const environment = new DockerEnvironment({
      docker,
      sessionId: spec.sessionId,
      network,
      adminPrivateKey: this.adminKey.privateKey,
      events: this.events,
      logger: this.options.logger,
      removeNetwork: () => this.removeNetwork(docker, network),
    });
    try {
      // A bridge of our own was closed as it was made; the hosts get their addresses from us.
      const addresses = new Map(spec.hosts.map((host, index) => [host.name, SubnetPool.hostAddress(network.subnet, index)]));
      const hostsFile = this.bridges?.hostsFile(
        network,
        [...addresses].map(([name, address]) => ({ name, address })),
      );
      if (!this.bridges) await this.networks.block(network);
      await Promise.all(
        spec.hosts.map((host) =>
          environment.addHost(
            this.startHost(docker, spec, host, network, labels, hostsFile === undefined ? undefined : { hostsFile, address: addresses.get(host.name)! }),
          ),
        ),
      );
      await environment.ready();
      return environment;
    } catch (error) {
      await environment.dispose();
      throw error;
    }
  }

  private async startHost(
    docker: Dockerode,
    spec: EnvironmentSpec,
    host: HostSpec,
    network: SessionNetwork,
    labels: Record<string, string>,
    own?: { hostsFile: string; address: string },
  ): Promise<DockerHost> {
    const hostKey = generateEd25519(`root@${host.name}`);
    const builder = new LabHostContainer(this.options.image).withName(containerName(spec.sessionId, host.name)).withHostname(host.name);
    if (own) builder.withOwnNetworkNamespace(own.hostsFile);
    else builder.withSessionNetwork(network.name, host.name);
    const container = await builder
      .withLabels({ ...labels, [labelKeys.host]: host.name })
      .withEnvironment({
        SSH_LAB_HOST_KEY: Buffer.from(hostKey.privateKey).toString('base64'),
        SSH_LAB_ADMIN_KEY: this.adminKey.publicKey,
        SSH_LAB_ADMIN_FROM: network.subnet.gateway,
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
    const handle = docker.getContainer(container.getId());
    let address: string;
    if (own && this.bridges) {
      // sshd already listens (on every address); the backend reaches it once eth0 is in.
      try {
        const { State } = await handle.inspect();
        await this.bridges.attach(State.Pid, network, own.address);
      } catch (error) {
        // Not yet part of the environment, so its dispose would not find it.
        await handle.remove({ force: true }).catch(() => undefined);
        throw error;
      }
      address = own.address;
    } else address = container.getIpAddress(network.name);
    return {
      info: { name: host.name, role: host.role, ports: host.ports, address, fingerprint: hostKey.fingerprint, publicKey: hostKey.publicKey.trim() },
      hostKey: hostKey.blob,
      container: handle,
    };
  }

  private removeNetwork(docker: Dockerode, network: SessionNetwork): Promise<void> {
    if (network.kind !== 'bridge') return this.networks.remove(docker, network);
    // Another replica's bridge (attach) is removed by name; this provider's own also frees its subnet.
    return this.bridges ? this.bridges.remove(network) : removeBridge(network.bridge).then(() => this.firewall.unblock(network.bridge));
  }

  async reap(live: ReadonlySet<string>, liveOwners?: ReadonlySet<string>): Promise<number> {
    let docker: Dockerode;
    try {
      docker = await dockerEngine();
    } catch {
      return 0;
    }
    const directory = liveOwners && this.cluster ? { cluster: this.cluster, liveOwners } : undefined;
    return this.reaper.reap(dockerResources(docker, this.firewall, { list: listBridges, remove: removeBridge }), live, directory);
  }

  // --- shared session directory (several replicas) ---

  async agreeLoginKey(agree: (own: LoginKey) => Promise<LoginKey>): Promise<void> {
    const { privateKey, publicKey } = this.adminKey;
    this.adminKey = await agree({ privateKey, publicKey });
    // The replicas' shared key names their cluster on every resource they start (labels.ts).
    this.cluster = createHash('sha256').update(this.adminKey.publicKey.trim()).digest('hex').slice(0, 16);
  }

  /** Set once replicas agreed on a login key: the cluster label of what this provider starts. */
  private cluster?: string;

  /**
   * Another replica's environment: its containers and network as the record names them. Nothing
   * starts; SSH connections open on first use with the recorded host keys pinned. Stops of these
   * containers are not on this provider's event stream (it follows its own owner label): a host
   * that stopped shows when SSH cannot reach it.
   */
  async attach(record: EnvironmentRecord): Promise<StartedEnvironment> {
    if (record.provider.kind !== 'docker') throw new Error(`a ${record.provider.kind} environment cannot be attached by the Docker provider`);
    const { provider: found } = record as DockerEnvironmentRecord;
    const docker = await dockerEngine();
    const environment = new DockerEnvironment({
      docker,
      sessionId: record.sessionId,
      network: found.network,
      adminPrivateKey: this.adminKey.privateKey,
      events: this.events,
      logger: this.options.logger,
      removeNetwork: () => this.removeNetwork(docker, found.network),
    });
    for (const host of record.hosts) {
      const hostKey = Buffer.from(host.publicKey.split(/\s+/)[1] ?? '', 'base64');
      const container = docker.getContainer(containerName(record.sessionId, host.name));
      await environment.addHost(Promise.resolve({ info: host, hostKey, container }));
    }
    return environment;
  }
}

/** The container of one lab host: its name is how another replica finds it. */
function containerName(sessionId: string, host: string): string {
  return `ssh-lab-${sessionId}-${host}`;
}
