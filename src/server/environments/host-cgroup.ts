import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lab hosts' own parent cgroup, with a CPU weight below the backend's. Each host's weight
 * (CpuShares) only counts among its siblings: under Docker's default parent (/docker) all hosts
 * together weigh as much as one busy process outside it, whatever their shares. Under a parent
 * of their own with a low weight, a backend that wakes up to echo a keystroke wins the core
 * over learners' busy loops, while hosts still use every idle core (weights bind only under
 * contention). Docker's cgroupfs driver creates the container cgroups under the parent; the
 * parent's weight is ours to write, which needs root, as the host firewall does.
 */
export interface HostCgroupParent {
  /** A cgroup directory name at the root of the hierarchy, e.g. "ssh-lab-hosts". */
  name: string;
  /** cgroup v1 cpu.shares of all hosts together (a process outside weighs 1024); v2 gets the same as cpu.weight. */
  shares: number;
}

/** cgroup v2's cpu.weight (1..10000, default 100) for v1 cpu.shares (2..262144, default 1024), as runc and systemd convert it. */
export function sharesToWeight(shares: number): number {
  return Math.round(1 + ((shares - 2) * 9999) / 262_142);
}

/**
 * Creates the parent (if needed) and writes its weight; returns the CgroupParent Docker takes.
 * Throws one sentence an operator can act on.
 */
export function prepareHostCgroupParent(parent: HostCgroupParent, cgroupDriver: string, root = '/sys/fs/cgroup'): string {
  const none = "unset SSH_LAB_HOST_CGROUP_PARENT (Docker's default parent: no CPU priority for the backend)";
  const fix = `run the backend as root on the Docker machine, or ${none}`;
  if (cgroupDriver !== 'cgroupfs')
    throw new Error(`SSH_LAB_HOST_CGROUP_PARENT=${parent.name} needs Docker's cgroupfs cgroup driver (this engine uses ${cgroupDriver}); ${none}.`);
  const v1 = existsSync(join(root, 'cpu', 'cpu.shares'));
  try {
    if (v1) {
      const dir = join(root, 'cpu', parent.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.shares'), String(parent.shares));
    } else {
      // v2: the cpu controller must be on for the root's children before the parent has a cpu.weight.
      const control = join(root, 'cgroup.subtree_control');
      if (!readFileSync(control, 'utf8').split(/\s+/).includes('cpu')) writeFileSync(control, '+cpu');
      const dir = join(root, parent.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.weight'), String(sharesToWeight(parent.shares)));
    }
  } catch (error) {
    throw new Error(`could not give the lab hosts' cgroup /${parent.name} its CPU weight (${(error as Error).message}); ${fix}.`);
  }
  return `/${parent.name}`;
}
