import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import type { HostFirewall } from './host-firewall.js';
import { labelKeys } from './labels.js';
import { runWithInput } from './run-with-input.js';
import type { SessionNetwork } from './session-network.js';
import { parseCidr, SubnetPool, toIp } from './subnets.js';
import { ProviderCapacityError } from './types.js';

const run = promisify(execFile);

/** Where each session's /etc/hosts waits for its hosts' read-only bind mount. */
const hostsDir = join(tmpdir(), 'ssh-lab-hosts');

/**
 * Session networks as Linux bridges the backend makes itself (SSH_LAB_SESSION_NETWORK=bridge), and
 * each host's veth into its bridge. Hosts start with Docker's networking disabled: no libnetwork
 * sandbox, no embedded DNS, no per-container iptables or dockerd re-exec (each cost more CPU than
 * the rest of a host's start; bench: floor). What Docker's internal networks gave is here instead:
 * the firewall's isolation rules, no IPv6, no default route, and names in a hosts file.
 * The bridge's interface alias carries the labels the reaper reads.
 */
export class BridgeNetworks {
  private readonly subnets: SubnetPool;

  constructor(
    private readonly poolCidr: string,
    subnetPrefix: number,
    private readonly firewall: HostFirewall,
  ) {
    this.subnets = new SubnetPool(poolCidr, subnetPrefix);
  }

  /** Fails with one line when this process may not make bridges (not root, no ip or nsenter). */
  async verify(): Promise<void> {
    const probe = `sshlprobe${process.pid % 100_000}`;
    try {
      await run('ip', ['link', 'add', 'name', probe, 'type', 'bridge']);
      await run('ip', ['link', 'del', 'dev', probe]);
      await run('nsenter', ['--version']);
      // Addresses of the pool route nowhere unless a live bridge holds them: a packet still on its way
      // to a removed session (a retransmission, a reply) never takes this machine's default route.
      const pool = parseCidr(this.poolCidr);
      await run('ip', ['route', 'replace', 'unreachable', `${toIp(pool.base)}/${pool.prefix}`]);
    } catch (error) {
      throw new Error(
        `SSH_LAB_SESSION_NETWORK=bridge needs root with ip (iproute2) and nsenter (util-linux): ${(error as Error).message.split('\n')[0]}. ` +
          'Run the backend as root, or set SSH_LAB_SESSION_NETWORK=docker.',
      );
    }
  }

  async create(docker: Dockerode, labels: Record<string, string>): Promise<SessionNetwork> {
    const skip = new Set<string>();
    // Another backend on this machine may take the same subnet at the same moment: the bridge whose
    // name sorts first keeps it, the other tries the next (Docker's IPAM did this for its networks).
    for (let attempt = 0; ; attempt++) {
      const subnet = this.subnets.allocate(skip, await occupiedNetworks(docker));
      if (!subnet) throw new ProviderCapacityError(`the subnet pool ${this.poolCidr} is exhausted`);
      const bridge = `sshl${randomBytes(5).toString('hex')}`;
      const network: SessionNetwork = { kind: 'bridge', name: bridge, bridge, subnet };
      const prefix = subnet.cidr.split('/')[1];
      try {
        await ipBatch([
          `link add name ${bridge} type bridge`,
          // No IPv6 on the machine's side of the bridge: the host rule is IPv4's.
          `link set dev ${bridge} addrgenmode none`,
          `link set dev ${bridge} alias ${aliasOf(labels)}`,
          `addr add ${subnet.gateway}/${prefix} dev ${bridge} noprefixroute`,
        ]);
        const rival =
          (await addressesOnInterfaces()).find(
            (a) => a.ifname !== bridge && overlaps(a.cidr, subnet.cidr) && (!a.ifname.startsWith('sshl') || a.ifname < bridge),
          )?.ifname ??
          (await ipBatch([`link set dev ${bridge} up`, subnetRoute(subnet.cidr, bridge, subnet.gateway)]).then(
            () => undefined,
            (error: Error) => {
              // A bridge that checked for rivals just before ours did holds the subnet's route already.
              if (/File exists/.test(error.message)) return 'the route of another bridge';
              throw error;
            },
          ));
        if (rival) {
          await this.remove(network);
          skip.add(subnet.cidr);
          if (attempt >= 8) throw new Error(`${subnet.cidr} and the next subnets of ${this.poolCidr} are taken by other interfaces (${rival})`);
          continue;
        }
        await this.firewall.block(bridge);
      } catch (error) {
        await this.remove(network).catch(() => undefined);
        throw error;
      }
      return network;
    }
  }

  /** Writes the session's /etc/hosts (every host by name) and returns the file to bind-mount. */
  hostsFile(network: SessionNetwork, hosts: { name: string; address: string }[]): string {
    mkdirSync(hostsDir, { recursive: true, mode: 0o755 });
    const file = join(hostsDir, network.bridge);
    const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...hosts.map((h) => `${h.address}\t${h.name}`)];
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o644 });
    return file;
  }

  /**
   * Gives a started host its interface: a veth whose outer end joins the bridge and whose inner end
   * becomes eth0 with the host's address, IPv6 off inside as Docker does it (no route is added,
   * so nothing beyond the bridge is reachable).
   */
  async attach(pid: number, network: SessionNetwork, address: string): Promise<void> {
    const veth = `sshv${randomBytes(5).toString('hex')}`;
    await ipBatch([
      `link add name ${veth} type veth peer name eth0 netns ${pid}`,
      `link set dev ${veth} addrgenmode none`,
      `link set dev ${veth} master ${network.bridge}`,
      `link set dev ${veth} up`,
    ]);
    const prefix = network.subnet.cidr.split('/')[1];
    await runWithInput(
      'nsenter',
      [
        `--net=/proc/${pid}/ns/net`,
        '--',
        'sh',
        '-c',
        'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 && exec ip -batch -',
      ],
      [`addr add ${address}/${prefix} dev eth0 noprefixroute`, 'link set dev eth0 up', subnetRoute(network.subnet.cidr, 'eth0', address), ''].join('\n'),
    );
  }

  /** Removes the bridge (its hosts' veths went with their containers), its rules, hosts file and subnet. */
  async remove(network: SessionNetwork): Promise<void> {
    await removeBridge(network.bridge);
    await this.firewall.unblock(network.bridge);
    this.subnets.release(network.subnet.cidr);
  }
}

/**
 * The subnet's route, in place of the one the kernel adds with the address, with delayed ACKs off.
 * A non-interactive ssh (a checker's login, scp, sshd's side of the backend's pty-less shell) leaves
 * Nagle on, so a second small packet waits for the ACK of the first, which a peer delays by 40 ms:
 * a key login from the workstation to the server waited twice, 80 of its 300 ms.
 */
function subnetRoute(cidr: string, device: string, source: string): string {
  return `route add ${cidr} dev ${device} proto kernel scope link src ${source} quickack 1`;
}

/** Removes a bridge of ours and its hosts file; one already gone is not an error. */
export async function removeBridge(bridge: string): Promise<void> {
  try {
    await run('ip', ['link', 'del', 'dev', bridge]);
  } catch (error) {
    if (!/Cannot find device|does not exist/i.test((error as { stderr?: string }).stderr ?? '')) throw error;
  }
  rmSync(join(hostsDir, bridge), { force: true });
}

/** Our bridges on this machine with the labels in their aliases (the reaper's view). */
export async function listBridges(): Promise<{ bridge: string; labels: Record<string, string> }[]> {
  const { stdout } = await run('ip', ['-j', 'link', 'show', 'type', 'bridge']);
  const links = JSON.parse(stdout || '[]') as { ifname: string; ifalias?: string }[];
  return links.filter((l) => l.ifalias?.startsWith(aliasTag)).map((l) => ({ bridge: l.ifname, labels: labelsOf(l.ifalias!) }));
}

const aliasTag = 'ssh-lab;';
const aliasKeys = { session: labelKeys.session, owner: labelKeys.owner, cluster: labelKeys.cluster } as const;

/** The labels the reaper judges by, in an interface alias (at most 255 bytes, no spaces). */
function aliasOf(labels: Record<string, string>): string {
  const parts = Object.entries(aliasKeys)
    .filter(([, key]) => labels[key])
    .map(([short, key]) => `${short}=${labels[key]!.replace(/[;\s]/g, '_')}`);
  return `${aliasTag}${parts.join(';')}`;
}

function labelsOf(alias: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of alias.slice(aliasTag.length).split(';')) {
    const [short, ...value] = part.split('=');
    const key = aliasKeys[short as keyof typeof aliasKeys];
    if (key) labels[key] = value.join('=');
  }
  return labels;
}

async function addressesOnInterfaces(): Promise<{ ifname: string; cidr: string }[]> {
  const { stdout } = await run('ip', ['-j', '-4', 'addr', 'show']);
  return (JSON.parse(stdout || '[]') as { ifname: string; addr_info?: { local: string; prefixlen: number }[] }[]).flatMap((link) =>
    (link.addr_info ?? []).map((a) => ({ ifname: link.ifname, cidr: `${a.local}/${a.prefixlen}` })),
  );
}

function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a, 32);
  const y = parseCidr(b, 32);
  return x.base < y.base + 2 ** (32 - y.prefix) && y.base < x.base + 2 ** (32 - x.prefix);
}

/** Every IPv4 network on this machine's interfaces and in Docker's networks: a new bridge must overlap none. */
async function occupiedNetworks(docker: Dockerode): Promise<string[]> {
  const [onInterfaces, networks] = await Promise.all([addressesOnInterfaces().then((list) => list.map((a) => a.cidr)), docker.listNetworks()]);
  const inDocker = networks.flatMap((n) =>
    (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => s !== undefined && s !== '' && !s.includes(':')),
  );
  return [...onInterfaces, ...inDocker];
}

function ipBatch(commands: string[]): Promise<string> {
  return runWithInput('ip', ['-batch', '-'], `${commands.join('\n')}\n`);
}
