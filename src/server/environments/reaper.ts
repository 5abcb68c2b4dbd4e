import type Dockerode from 'dockerode';
import { dockerStatus } from './docker-engine.js';
import type { HostFirewall } from './host-firewall.js';
import { labelKeys } from './labels.js';
import { ownerAlive as processAlive } from './ownership.js';

/** A labelled container or network as the reaper sees it. */
export interface LabelledResource {
  id: string;
  labels?: Record<string, string>;
  /** A network's bridge interface (its firewall rule names it). */
  bridge?: string;
}

/** What the reaper removes from; Docker's adapter is below, unit tests pass a fake. */
export interface ReapableResources {
  containers(): Promise<LabelledResource[]>;
  networks(): Promise<LabelledResource[]>;
  /** Rejects when the resource could not be removed (it is then not counted). */
  removeContainer(id: string): Promise<void>;
  removeNetwork(id: string): Promise<void>;
  /** Bridges that still have a firewall rule of ours. */
  blockedBridges(): Promise<string[]>;
  unblock(bridge: string): Promise<void>;
}

/**
 * Removes labelled leftovers: this backend's own resources whose session is not live, and any
 * left by a backend that no longer runs; never another live backend's. Counts only what it
 * actually removed, so a removal that keeps failing shows up in the log every round.
 */
export class Reaper {
  constructor(
    private readonly owner: string,
    private readonly ownerAlive: (owner: string) => boolean = processAlive,
  ) {}

  /**
   * `directory`: with a shared session directory, its cluster label and the replicas whose heartbeat
   * is current. A resource of that cluster whose session is in `live` (the directory's sessions:
   * another replica may have adopted it) is never removed whoever made it, and one of an owner
   * outside the set is a leftover. Resources of any other backend on the engine (no cluster label,
   * or another cluster's) are judged as without a directory: by whether their owner process runs.
   */
  async reap(resources: ReapableResources, live: ReadonlySet<string>, directory?: { cluster: string; liveOwners: ReadonlySet<string> }): Promise<number> {
    const orphaned = (r: LabelledResource) => {
      const owner = r.labels?.[labelKeys.owner] ?? '';
      const session = r.labels?.[labelKeys.session] ?? '';
      if (directory && r.labels?.[labelKeys.cluster] === directory.cluster)
        return !live.has(session) && (owner === this.owner || !directory.liveOwners.has(owner));
      return owner === this.owner ? !live.has(session) : !this.ownerAlive(owner);
    };
    let removed = 0;
    const containers = (await resources.containers()).filter(orphaned);
    const results = await Promise.allSettled(containers.map((c) => resources.removeContainer(c.id)));
    removed += results.filter((r) => r.status === 'fulfilled').length;
    for (const network of (await resources.networks()).filter(orphaned)) {
      const gone = await resources.removeNetwork(network.id).then(
        () => true,
        () => false,
      );
      if (!gone) continue;
      removed++;
      if (network.bridge) await resources.unblock(network.bridge);
    }
    const liveBridges = new Set((await resources.networks()).map((n) => n.bridge).filter(Boolean));
    for (const bridge of await resources.blockedBridges().catch(() => [])) {
      if (liveBridges.has(bridge)) continue;
      const gone = await resources.unblock(bridge).then(
        () => true,
        () => false,
      );
      if (gone) removed++;
    }
    return removed;
  }
}

/** The backend's own session bridges (bridge-networks.ts), as the reaper needs them. */
export interface OwnBridges {
  list(): Promise<{ bridge: string; labels: Record<string, string> }[]>;
  remove(bridge: string): Promise<void>;
}

const bridgeIdPrefix = 'bridge:';

/** Docker's labelled containers and networks, the backend's own bridges and the host firewall's rules, for the reaper. */
export function dockerResources(docker: Dockerode, firewall: HostFirewall, bridges?: OwnBridges): ReapableResources {
  const filters = { label: [labelKeys.session] };
  return {
    containers: async () => (await docker.listContainers({ all: true, filters })).map((c) => ({ id: c.Id, labels: c.Labels })),
    networks: async () => [
      ...(await docker.listNetworks({ filters })).map((n) => ({ id: n.Id, labels: n.Labels, bridge: n.Options?.['com.docker.network.bridge.name'] })),
      // Whatever this backend's own setting, another backend on the machine may make bridges.
      ...(await (bridges?.list() ?? Promise.resolve([]))).map((b) => ({ id: `${bridgeIdPrefix}${b.bridge}`, labels: b.labels, bridge: b.bridge })),
    ],
    // Gone is gone: 404 (already removed, e.g. by auto-remove or a concurrent reaper) and, for a
    // container, 409 (its removal is already in progress) are not failures.
    removeContainer: async (id) => {
      await docker.getContainer(id).remove({ force: true }).catch(ignoreStatus(404, 409));
    },
    removeNetwork: async (id) => {
      if (bridges && id.startsWith(bridgeIdPrefix)) await bridges.remove(id.slice(bridgeIdPrefix.length));
      else await docker.getNetwork(id).remove().catch(ignoreStatus(404));
    },
    blockedBridges: () => firewall.blockedBridges(),
    unblock: (bridge) => firewall.unblock(bridge),
  };
}

function ignoreStatus(...statuses: number[]): (error: unknown) => void {
  return (error) => {
    if (!statuses.includes(dockerStatus(error) ?? 0)) throw error;
  };
}
