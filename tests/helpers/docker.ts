import { execFileSync } from 'node:child_process';

/** Labelled containers (and networks) of one session, or of all sessions, as Docker sees them now. */
export function labelledContainers(sessionId?: string): string[] {
  const label = sessionId ? `label=ssh-lab.session=${sessionId}` : 'label=ssh-lab.session';
  return execFileSync('docker', ['ps', '-aq', '--filter', label], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Docker networks and the backend's own bridges (named by their interface alias) of one session, or of all. */
export function labelledNetworks(sessionId?: string): string[] {
  const label = sessionId ? `label=ssh-lab.session=${sessionId}` : 'label=ssh-lab.session';
  const networks = execFileSync('docker', ['network', 'ls', '-q', '--filter', label], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' }) || '[]') as {
    ifname: string;
    ifalias?: string;
  }[];
  const bridges = links
    .filter((l) => l.ifalias?.startsWith('ssh-lab;') && (!sessionId || l.ifalias.split(';').includes(`session=${sessionId}`)))
    .map((l) => `bridge ${l.ifname}`);
  return [...networks, ...bridges];
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
