import { execFileSync } from 'node:child_process';

/** Labelled containers (and networks) of one session, or of all sessions, as Docker sees them now. */
export function labelledContainers(sessionId?: string): string[] {
  const label = sessionId ? `label=ssh-lab.session=${sessionId}` : 'label=ssh-lab.session';
  return execFileSync('docker', ['ps', '-aq', '--filter', label], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

export function labelledNetworks(sessionId?: string): string[] {
  const label = sessionId ? `label=ssh-lab.session=${sessionId}` : 'label=ssh-lab.session';
  return execFileSync('docker', ['network', 'ls', '-q', '--filter', label], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
