/** Labels on every container and network SSH Lab starts: how the reaper finds its own. */
export const labelKeys = {
  session: 'ssh-lab.session',
  lab: 'ssh-lab.lab',
  host: 'ssh-lab.host',
  /** Which backend instance made it (its process start), so the reaper can tell its own from a dead run's. */
  owner: 'ssh-lab.owner',
  /**
   * Replicas sharing a session directory: which directory (a digest of their shared login key).
   * Only resources carrying one's own are judged by that directory's heartbeats; every other
   * backend's are judged as before, by whether their owner process runs.
   */
  cluster: 'ssh-lab.cluster',
} as const;

export function resourceLabels(sessionId: string, labId: string, owner: string, cluster?: string): Record<string, string> {
  return { [labelKeys.session]: sessionId, [labelKeys.lab]: labId, [labelKeys.owner]: owner, ...(cluster && { [labelKeys.cluster]: cluster }) };
}
