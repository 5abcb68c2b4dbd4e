import { GenericContainer, Wait } from 'testcontainers';
import { fixedTmpfsMb, hostCapabilities } from './host-spec.js';
import type { HostCgroupParent } from './host-cgroup.js';

export interface HostLimits {
  memoryMb: number;
  /**
   * CPU policy: every host has the same weight (cgroup cpu.shares / cpu.weight), so a learner
   * alone on the machine may use every core and learners on a busy machine get even shares;
   * `cpus` is an optional hard ceiling (CFS quota) an operator sets; unset, there is none.
   */
  cpuShares: number;
  cpus?: number;
  /** All hosts under a parent cgroup of their own, with a weight below the backend's (host-cgroup.ts); none: Docker's default parent. */
  cgroupParent?: HostCgroupParent;
  pids: number;
  /** Sizes of the tmpfs mounts; with /dev/shm their sum stays well below memoryMb (tmpfs counts against it). */
  homeMb: number;
  tmpMb: number;
  runtime?: string;
}

// The constants every provider shares live in host-spec.ts; re-exported for the Docker side's importers.
export { fixedTmpfsMb, hostCapabilities, runtimeCapabilities } from './host-spec.js';

/** testcontainers has no builder for these settings; they go on its host config here, in one place. */
export class LabHostContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.withPullPolicy({ shouldPull: () => false });
  }

  withHardening(limits: HostLimits): this {
    const mb = 1024 * 1024;
    this.withDroppedCapabilities('ALL')
      .withAddedCapabilities(...hostCapabilities)
      .withSecurityOpt('no-new-privileges')
      // The entrypoint as PID 1 (not the image's tini -- entrypoint): it execs tini itself after
      // dropping NET_ADMIN and SETPCAP, so PID 1 does not keep them for the host's lifetime.
      .withEntrypoint(['/usr/local/sbin/lab-entrypoint'])
      // nosuid and nodev everywhere; home and /tmp allow exec (Docker's default is noexec) so a learner can
      // run a script they wrote, as on any machine. What tmpfs holds counts against Memory.
      .withTmpFs({
        '/run': `rw,nosuid,nodev,noexec,size=${fixedTmpfsMb.run}m`,
        '/tmp': `rw,exec,nosuid,nodev,size=${limits.tmpMb}m`,
        '/var/tmp': `rw,nosuid,nodev,size=${Math.max(4, Math.floor(limits.tmpMb / 2))}m`,
        '/home': `rw,exec,nosuid,nodev,size=${limits.homeMb}m,mode=0755`,
      })
      .withSharedMemorySize(fixedTmpfsMb.shm * mb)
      .withUlimits({ nofile: { soft: 1024, hard: 1024 }, core: { soft: 0, hard: 0 } });
    Object.assign(this.hostConfig, {
      ReadonlyRootfs: true,
      Memory: limits.memoryMb * mb,
      MemorySwap: limits.memoryMb * mb,
      CpuShares: limits.cpuShares,
      ...(limits.cgroupParent ? { CgroupParent: `/${limits.cgroupParent.name}` } : {}),
      // 0 is Docker's "no quota": without a ceiling, shares alone decide under contention.
      NanoCpus: limits.cpus ? Math.round(limits.cpus * 1e9) : 0,
      PidsLimit: limits.pids,
      Privileged: false,
      IpcMode: 'private',
      // If this machine itself runs out of memory, lab processes go before the backend.
      OomScoreAdj: 500,
      // Names outside the session resolve nowhere: the embedded DNS forwards to a loopback nobody serves.
      Dns: ['127.0.0.1'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
      ...(limits.runtime ? { Runtime: limits.runtime } : {}),
    });
    return this;
  }

  /**
   * Attaches the host to its session network only. testcontainers' withNetworkAliases would create
   * the container on Docker's default bridge and connect the session network second, leaving an
   * interface on docker0; creating it on the session network with its alias avoids that.
   */
  withSessionNetwork(network: string, alias: string): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: [alias] } } };
    return this;
  }

  /**
   * A network namespace of its own with only loopback, outside Docker's networking altogether (the
   * backend adds the host's interface after start: bridge-networks.ts), and the session's hosts
   * file as /etc/hosts, since Docker writes none then.
   */
  withOwnNetworkNamespace(hostsFile: string): this {
    this.withNetworkMode('none');
    this.createOpts.NetworkDisabled = true;
    this.withBindMounts([{ source: hostsFile, target: '/etc/hosts', mode: 'ro' }]);
    return this;
  }

  /** sshd prints this once it accepts connections: a direct signal, no polling. */
  withSshdReadiness(timeoutMs: number): this {
    return this.withWaitStrategy(Wait.forLogMessage(/Server listening on/)).withStartupTimeout(timeoutMs);
  }
}
