import { GenericContainer, Wait } from 'testcontainers';

export interface HostLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  /** Sizes of the tmpfs mounts; with /dev/shm their sum stays well below memoryMb (tmpfs counts against it). */
  homeMb: number;
  tmpMb: number;
  runtime?: string;
}

/**
 * Capabilities a lab host keeps (everything else is dropped):
 * SETUID/SETGID - sshd switches to the logged-in user; SYS_CHROOT - sshd's privilege-separation chroot;
 * CHOWN - the entrypoint hands the tmpfs home to learner, sshd sets pty ownership;
 * AUDIT_WRITE - sshd writes login records; NET_ADMIN + SETPCAP - only for the entrypoint to delete
 * the default route, dropped from the bounding set before sshd starts.
 */
export const hostCapabilities = ['SETUID', 'SETGID', 'SYS_CHROOT', 'CHOWN', 'AUDIT_WRITE', 'NET_ADMIN', 'SETPCAP'] as const;

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
      .withTmpFs({
        '/run': 'rw,nosuid,nodev,noexec,size=4m',
        '/tmp': `rw,nosuid,nodev,size=${limits.tmpMb}m`,
        '/var/tmp': `rw,nosuid,nodev,size=${Math.max(4, Math.floor(limits.tmpMb / 2))}m`,
        '/home': `rw,nosuid,nodev,size=${limits.homeMb}m,mode=0755`,
      })
      .withSharedMemorySize(4 * mb)
      .withUlimits({ nofile: { soft: 1024, hard: 1024 } });
    Object.assign(this.hostConfig, {
      ReadonlyRootfs: true,
      Memory: limits.memoryMb * mb,
      MemorySwap: limits.memoryMb * mb,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pids,
      Privileged: false,
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

  /** sshd prints this once it accepts connections: a direct signal, no polling. */
  withSshdReadiness(timeoutMs: number): this {
    return this.withWaitStrategy(Wait.forLogMessage(/Server listening on/)).withStartupTimeout(timeoutMs);
  }
}
