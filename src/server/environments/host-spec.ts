/**
 * What every lab host gets, whichever provider runs it (Docker containers, Kubernetes pods): the
 * capabilities it keeps and the sizes of its memory-backed mounts. Providers translate these into
 * their own settings; the security tests hold both to the same list.
 */

/** The limits a host runs under (config.hostLimits). */
export interface HostMountLimits {
  homeMb: number;
  tmpMb: number;
}

/**
 * Capabilities a lab host keeps (the runtime's default set is dropped whole, then these come back):
 * - SETUID, SETGID: sshd switches to the user who logged in (and to its privilege-separation user);
 * - SYS_CHROOT: sshd's pre-authentication child chroots into /run/sshd;
 * - CHOWN: the entrypoint hands the tmpfs home to learner, sshd chowns the session's pty;
 * - AUDIT_WRITE: Debian's sshd is built with Linux audit and refuses logins when it cannot write
 *   a login record;
 * - NET_ADMIN: only for the entrypoint, to delete the default route;
 * - SETPCAP: only for the entrypoint, to drop NET_ADMIN and itself from the bounding set before
 *   tini and sshd start, so no process of the host (PID 1 included) holds either afterwards.
 * Not kept: NET_BIND_SERVICE (Docker lets any user bind low ports inside a container's network
 * namespace), NET_RAW (no ping, no raw packets), DAC_OVERRIDE, FOWNER, KILL, MKNOD and the rest.
 */
export const hostCapabilities = ['SETUID', 'SETGID', 'SYS_CHROOT', 'CHOWN', 'AUDIT_WRITE', 'NET_ADMIN', 'SETPCAP'] as const;

export type HostCapability = (typeof hostCapabilities)[number];

/** What sshd and every other process of a running host keep: the list above without the start-up two. */
export const runtimeCapabilities = hostCapabilities.filter((c) => c !== 'NET_ADMIN' && c !== 'SETPCAP');

/** Sizes of the small tmpfs mounts besides home and /tmp (MB). */
export const fixedTmpfsMb = { run: 4, shm: 4 } as const;

/** One memory-backed mount of a lab host: what counts against the host's memory limit. */
export interface HostMount {
  path: string;
  sizeMb: number;
  /** Octal mode of the mount's root, as Docker makes it: 1777 (sticky) for /tmp, /var/tmp and /dev/shm, 0755 for /run and /home. */
  mode: '1777' | '0755';
  /** Whether programs may be run from it (home and /tmp: a learner runs the script they wrote). */
  exec: boolean;
}

/** Every memory-backed mount of a lab host, /dev/shm included, sized from the host limits. */
export function hostMounts(limits: HostMountLimits): HostMount[] {
  return [
    { path: '/run', sizeMb: fixedTmpfsMb.run, mode: '0755', exec: false },
    { path: '/tmp', sizeMb: limits.tmpMb, mode: '1777', exec: true },
    { path: '/var/tmp', sizeMb: Math.max(4, Math.floor(limits.tmpMb / 2)), mode: '1777', exec: false },
    { path: '/home', sizeMb: limits.homeMb, mode: '0755', exec: true },
    { path: '/dev/shm', sizeMb: fixedTmpfsMb.shm, mode: '1777', exec: true },
  ];
}
