import { hostname } from 'node:os';

const processOwner = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;

/**
 * host:pid:start — enough to tell whether the backend that made a resource still runs. One per
 * process: it is also this replica's id in a shared session directory.
 */
export function ownerLabel(): string {
  return processOwner;
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
