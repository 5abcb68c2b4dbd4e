import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { dockerStatus } from './docker-engine.js';
import type { HostFirewall } from './host-firewall.js';
import { SubnetPool, type Subnet } from './subnets.js';
import { ProviderCapacityError } from './types.js';

/** One session's private network: its name on the engine, its bridge interface and its subnet. */
export interface SessionNetwork {
  /** A bridge the backend made itself (bridge-networks.ts); absent: a Docker network named `name`. */
  kind?: 'bridge';
  name: string;
  bridge: string;
  subnet: Subnet;
}

/**
 * Session networks: an internal bridge per session on a subnet of the configured pool, blocked
 * from reaching this machine by the host firewall. Capacity ends where the subnet pool does.
 */
export class SessionNetworks {
  private readonly subnets: SubnetPool;

  constructor(
    private readonly poolCidr: string,
    subnetPrefix: number,
    private readonly firewall: HostFirewall,
  ) {
    this.subnets = new SubnetPool(poolCidr, subnetPrefix);
  }

  async create(docker: Dockerode, sessionId: string, labels: Record<string, string>): Promise<SessionNetwork> {
    const taken = new Set((await docker.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => Boolean(s))));
    const name = `ssh-lab-${sessionId}`;
    // Another backend on this engine may take a subnet between the listing and the creation: try the next.
    for (let attempt = 0; ; attempt++) {
      const subnet = this.subnets.allocate(taken);
      if (!subnet) throw new ProviderCapacityError(`the subnet pool ${this.poolCidr} is exhausted`);
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
        return { name, bridge, subnet };
      } catch (error) {
        this.subnets.release(subnet.cidr);
        const overlaps = /overlaps/i.test((error as Error).message);
        if (!overlaps || attempt >= 8) throw error;
        taken.add(subnet.cidr);
      }
    }
  }

  /** Closes the network to this machine before any host starts on it. */
  async block(network: SessionNetwork): Promise<void> {
    await this.firewall.block(network.bridge);
  }

  /** Removes the network (once its hosts are gone), its firewall rule and its subnet reservation. */
  async remove(docker: Dockerode, network: SessionNetwork): Promise<void> {
    // A network that will not go keeps its rule and its subnet: the reaper retries all three.
    await removeNetwork(docker, network.name);
    await this.firewall.unblock(network.bridge);
    this.subnets.release(network.subnet.cidr);
  }
}

async function removeNetwork(docker: Dockerode, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await docker.getNetwork(name).remove();
      return;
    } catch (error) {
      if (dockerStatus(error) === 404) return;
      // Auto-removal of a container may still hold an endpoint for a moment.
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
