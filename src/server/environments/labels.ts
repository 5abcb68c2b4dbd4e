/** Labels on every container and network SSH Lab starts: how the reaper finds its own. */
export const labelKeys = {
  session: 'ssh-lab.session',
  lab: 'ssh-lab.lab',
  host: 'ssh-lab.host',
  /** Which backend instance made it (its process start), so the reaper can tell its own from a dead run's. */
  owner: 'ssh-lab.owner',
} as const;

export function resourceLabels(sessionId: string, labId: string, owner: string): Record<string, string> {
  return { [labelKeys.session]: sessionId, [labelKeys.lab]: labId, [labelKeys.owner]: owner };
}
