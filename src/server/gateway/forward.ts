import { connect, isIP } from 'node:net';
import type { ServerChannel } from 'ssh2';
import type { StartedHost } from '../environments/types.js';

/** Where a direct-tcpip channel (ssh -J / -W) may lead: an sshd port of one of the session's own hosts. */
export interface ForwardTarget {
  host: StartedHost;
  address: string;
  port: number;
}

/**
 * The session's host the client named, by its lab name ("server") or its exact address, if the
 * port is one of that host's sshd ports. Nothing else: no name is looked up (no DNS), no other
 * port or address is reached, whatever the client asks.
 */
export function forwardTarget(hosts: readonly StartedHost[], destination: string, port: number): ForwardTarget | undefined {
  const host = hosts.find((h) => h.name === destination || h.address === destination);
  if (!host?.ports.includes(port) || isIP(host.address) === 0) return undefined;
  return { host, address: host.address, port };
}

/** Connects the accepted channel to the target's sshd; either side closing closes the other. */
export function relayTcp(
  target: ForwardTarget,
  accept: () => ServerChannel,
  reject: () => void,
  onActivity: () => void,
  onError: (error: Error) => void,
): void {
  const socket = connect({ host: target.address, port: target.port, noDelay: true });
  let channel: ServerChannel | undefined;
  socket.setTimeout(10_000);
  socket.once('timeout', () => socket.destroy(new Error(`no answer from ${target.host.name}:${target.port} within 10 s`)));
  socket.once('connect', () => {
    socket.setTimeout(0);
    channel = accept();
    channel.on('data', onActivity);
    channel.pipe(socket);
    socket.pipe(channel);
    channel.on('close', () => socket.destroy());
    channel.on('error', () => socket.destroy());
  });
  socket.on('error', (error) => {
    onError(error);
    if (channel) channel.close();
    else reject();
  });
  socket.on('close', () => channel?.close());
}
