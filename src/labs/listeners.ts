import type { CheckContext } from './check-kit.js';

/** A TCP port something listens on, and whether that something is an ssh client. */
export interface TcpListener {
  port: number;
  ssh: boolean;
}

/**
 * The TCP ports listening on a host (`ss -Hltnp`), skipping sshd's own port 22 and Docker's
 * embedded DNS resolver: how a forwarding check tells the learner's ssh from anything else on a port.
 */
export async function tcpListeners(lab: CheckContext, host: string): Promise<TcpListener[]> {
  const result = await lab.exec(host, 'ss -Hltnp');
  const found = new Map<number, boolean>();
  for (const line of result.stdout.split('\n')) {
    const local = line.trim().split(/\s+/)[3] ?? '';
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!port || port === 22 || local.startsWith('127.0.0.11:')) continue;
    found.set(port, (found.get(port) ?? false) || line.includes('(("ssh",'));
  }
  return Array.from(found, ([port, ssh]) => ({ port, ssh }));
}
