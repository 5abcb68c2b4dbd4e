import type { Client, ClientChannel } from 'ssh2';
import { connect, destroyConnection, execOn } from './ssh.js';
import type { ExecOptions, ExecResult, LabUser, StartedHost } from './types.js';

/** A host as a provider hands it over: where its sshd listens and the key it must present. */
export interface SshHost {
  info: StartedHost;
  /** The raw public host key blob: a host that presents any other key is refused. */
  hostKey: Buffer;
}

export interface SshHostsOptions {
  /** The backend's own login key, authorised on every host. */
  privateKey: string;
  /** A connection dropped and a new one could not be opened: the host is out of reach. */
  onUnreachable: (host: string, reason: string) => void;
  /** Stands in for ssh.connect in unit tests. */
  connect?: typeof connect;
  /** How long a refused connection is tried again (default refusedRetryMs); unit tests shorten it. */
  refusedRetryMs?: number;
}

interface Connected {
  host: SshHost;
  connections: Map<LabUser, Promise<Client>>;
  /** When each user's connection was last reopened after a drop (drops closer together than this are not probed). */
  probedAt: Map<LabUser, number>;
}

/** A connection that drops again this soon after it was reopened is only evicted, not probed again. */
const probeIntervalMs = 5_000;
/**
 * sshd re-executes itself on SIGHUP, and its port refuses connections until the new one listens: a
 * lab's setup and a learner's reload both do it, and a check that opened its first connection as
 * root in that moment failed with "connect ECONNREFUSED" (a CI run of 4 December, ssh-certificates).
 * A refused connection is tried again, every refusedRetryStepMs, for this long.
 */
const refusedRetryMs = 3_000;
const refusedRetryStepMs = 100;

/**
 * The backend's SSH connections to one environment's hosts, whoever runs them (containers, pods):
 * one connection per host and user, opened on first use with the host key pinned, shared by every
 * exec and shell. A connection that drops is evicted and reopened at once; if that fails the host
 * is reported unreachable. close() ends them all; nothing is reopened afterwards.
 */
export class SshHosts {
  private readonly hosts = new Map<string, Connected>();
  private closed = false;
  /** Connections close() ended; destroy() drops their sockets. */
  private readonly ended: Promise<Client>[] = [];
  private readonly connectTo: typeof connect;

  constructor(private readonly options: SshHostsOptions) {
    this.connectTo = options.connect ?? connect;
  }

  add(host: SshHost): void {
    this.hosts.set(host.info.name, { host, connections: new Map(), probedAt: new Map() });
  }

  get list(): StartedHost[] {
    return [...this.hosts.values()].map((h) => h.host.info);
  }

  get workstation(): StartedHost | undefined {
    return this.list.find((h) => h.role === 'workstation');
  }

  connection(hostName: string, user: LabUser): Promise<Client> {
    const host = this.hosts.get(hostName);
    if (!host) return Promise.reject(new Error(`This environment has no host named "${hostName}"`));
    if (this.closed) return Promise.reject(new Error('This environment is being removed'));
    return host.connections.get(user) ?? this.open(host, user);
  }

  async exec(hostName: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const client = await this.connection(hostName, options.user ?? 'learner');
    return execOn(client, command, options);
  }

  async shell(hostName: string, user: LabUser, size: { cols: number; rows: number }): Promise<ClientChannel> {
    const client = await this.connection(hostName, user);
    return new Promise((resolve, reject) => {
      client.shell({ term: 'xterm-256color', cols: size.cols, rows: size.rows }, (error, channel) => (error ? reject(error) : resolve(channel)));
    });
  }

  close(): void {
    this.closed = true;
    for (const host of this.hosts.values()) {
      for (const connection of host.connections.values()) {
        this.ended.push(connection);
        connection.then(
          (c) => c.end(),
          () => undefined,
        );
      }
      host.connections.clear();
    }
  }

  /**
   * Drops the sockets of the connections close() ended, for when their hosts are gone: a FIN
   * the removed host never acknowledged would otherwise be retransmitted for minutes (keeping
   * the process alive), and once the session's route is gone, towards the default route.
   */
  destroy(): void {
    for (const connection of this.ended.splice(0))
      connection.then(
        (c) => destroyConnection(c),
        () => undefined,
      );
  }

  private async connectRetryingRefused(options: Parameters<typeof connect>[0]): Promise<Client> {
    const deadline = Date.now() + (this.options.refusedRetryMs ?? refusedRetryMs);
    for (;;) {
      try {
        return await this.connectTo(options);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() + refusedRetryStepMs > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, refusedRetryStepMs));
      }
    }
  }

  private open(host: Connected, user: LabUser): Promise<Client> {
    const { info, hostKey } = host.host;
    const connection = this.connectRetryingRefused({
      host: info.address,
      port: info.ports[0] ?? 22,
      username: user,
      privateKey: this.options.privateKey,
      hostKey,
    });
    host.connections.set(user, connection);
    connection.then(
      (client) => {
        let dropped = false;
        const drop = (error?: Error) => {
          if (dropped) return;
          dropped = true;
          if (host.connections.get(user) === connection) host.connections.delete(user);
          this.dropped(host, user, error);
        };
        client.on('close', () => drop());
        client.on('error', (error: Error) => drop(error));
      },
      () => {
        if (host.connections.get(user) === connection) host.connections.delete(user);
      },
    );
    return connection;
  }

  /**
   * A learner who kills their own sshd also drops the backend's connection as learner: a new one
   * opening is the normal case. A host that stopped or is cut off cannot be reached again.
   */
  private dropped(host: Connected, user: LabUser, error?: Error): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - (host.probedAt.get(user) ?? 0) < probeIntervalMs) return;
    host.probedAt.set(user, now);
    const name = host.host.info.name;
    const probe = host.connections.get(user) ?? this.open(host, user);
    probe.catch((probeError: Error) => {
      if (this.closed) return;
      const why = error ? ` (${error.message})` : '';
      this.options.onUnreachable(name, `the connection to ${name}${why} dropped and could not be reopened: ${probeError.message}`);
    });
  }
}
