import { hostname } from 'node:os';

/** host:pid:start — enough to tell whether the backend that made a resource still runs. */
export function ownerLabel(): string {
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
