/**
 * The SSH gateway: learners' own clients (ssh, scp, sftp, rsync, PuTTY) log in with their session's
 * gateway credential and reach their workstation, or, with ssh -J, their own hosts' sshd, and
 * nothing else. Authentication and connection bookkeeping live here; the relaying of session
 * channels (relay.ts) and of forwards (forward.ts) beside it. Longer than most modules because
 * the login path must be read as one piece to see that every refusal looks the same.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import ssh2, { type AuthContext, type Connection, type ParsedKey, type ServerChannel } from 'ssh2';
import type { StartedEnvironment } from '../environments/types.js';
import type { Metrics } from '../metrics.js';
import { authorizedKeysMaxBytes, findKey, parseAuthorizedKeys } from './authorized-keys.js';
import { type GatewayCredentialStore, gatewayUsername, hashPassword, newGatewayPassword, passwordMatches } from './credentials.js';
import { forwardTarget, relayTcp } from './forward.js';
import type { GatewayHostKey } from './host-key.js';
import { AuthThrottle, ConnectionCounter, type GatewayLimits, defaultGatewayLimits } from './limits.js';
import { relaySession, type RelayEvents } from './relay.js';

const { Server } = ssh2;
type SshServer = InstanceType<typeof Server>;

/** What the gateway needs of a session (the registry's Session has it). */
export interface GatewaySession {
  readonly id: string;
  readonly state: 'ready' | 'lost' | 'ended';
  readonly environment: Pick<StartedEnvironment, 'hosts' | 'connection' | 'exec'>;
  touch(): void;
}

/** Finds a live session by id: the registry today, the session directory once replicas share one. */
export type GatewaySessionLookup = (sessionId: string) => GatewaySession | undefined | Promise<GatewaySession | undefined>;

export interface GatewayOptions {
  hostKey: GatewayHostKey;
  credentials: GatewayCredentialStore;
  lookup: GatewaySessionLookup;
  logger: Logger;
  metrics: Metrics;
  limits?: Partial<GatewayLimits>;
}

export interface IssuedCredential {
  username: string;
  password: string;
  expiresAt: Date;
}

/** The only methods ever offered, whoever asks: an unknown username sees exactly what a known one sees. */
const methods: AuthContext['method'][] = ['publickey', 'password'];

const administrativelyProhibited = 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Bound {
  session: GatewaySession;
  username: string;
  address: string;
}

export class SshGateway {
  private readonly server: SshServer;
  private readonly limits: GatewayLimits;
  private readonly throttle: AuthThrottle;
  private readonly counter: ConnectionCounter;
  private readonly bySession = new Map<string, Set<Connection>>();
  /** Every open connection, logged in or not: close() ends them all. */
  private readonly open = new Set<Connection>();
  private readonly usernameKey: Buffer;
  private closing = false;

  constructor(private readonly options: GatewayOptions) {
    this.limits = { ...defaultGatewayLimits, ...options.limits };
    this.throttle = new AuthThrottle(this.limits);
    this.counter = new ConnectionCounter(this.limits);
    this.usernameKey = createHash('sha256').update('ssh-lab gateway usernames\0').update(options.hostKey.privateKey).digest();
    this.server = new Server({ hostKeys: [options.hostKey.privateKey], keepaliveInterval: 30_000 }, (connection, info) =>
      this.accept(connection, info.ip ?? 'unknown'),
    );
    this.server.on('error', (error: Error) => options.logger.error({ err: error }, 'gateway server error'));
  }

  get fingerprint(): string {
    return this.options.hostKey.fingerprint;
  }

  /** Listens; resolves with the port (the one asked for, or the free one chosen for 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** A new password for the session (the username stays the session's): shown once, valid until the session ends. */
  async issue(session: { id: string; expiresAt: Date }): Promise<IssuedCredential> {
    const username = gatewayUsername(this.usernameKey, session.id);
    const password = newGatewayPassword();
    await this.options.credentials.put({ sessionId: session.id, username, passwordHash: await hashPassword(password), expiresAt: session.expiresAt.getTime() });
    this.options.logger.info({ session: session.id, username }, 'gateway credential issued');
    return { username, password, expiresAt: session.expiresAt };
  }

  /** The session ended: its credential goes, and so do its open gateway connections. */
  async sessionEnded(sessionId: string): Promise<void> {
    await this.options.credentials.removeSession(sessionId);
    const connections = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    for (const connection of connections ?? []) connection.end();
    if (connections?.size) this.options.logger.info({ session: sessionId, connections: connections.size }, 'gateway connections closed: the session ended');
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const connection of this.open) connection.end();
    this.bySession.clear();
    // end() half-closes; a client that never closes its side must not hold up the shutdown.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  private refused(reason: string, fields: Record<string, unknown>): void {
    this.options.metrics.gatewayRefusals.inc({ reason });
    this.options.logger.info({ ...fields, reason }, 'gateway refused');
  }

  private accept(connection: Connection, address: string): void {
    const { logger, metrics } = this.options;
    connection.on('error', (error: Error) => logger.debug({ err: error, address }, 'gateway connection error'));
    const release = this.closing ? undefined : this.counter.take(address);
    if (!release) {
      this.refused('connection-limit', { address });
      connection.end();
      return;
    }
    metrics.gatewayConnections.set(this.counter.open);
    this.open.add(connection);
    const grace = setTimeout(() => {
      this.refused('login-timeout', { address });
      connection.end();
    }, this.limits.loginGraceMs);
    let bound: Bound | undefined;
    let attempts = 0;
    let keys: Promise<ParsedKey[]> | undefined;

    connection.on('authentication', (ctx) => {
      attempts++;
      if (attempts > this.limits.authAttemptsPerConnection) {
        this.refused('too-many-attempts', { address, username: safeName(ctx.username) });
        ctx.reject(methods);
        connection.end();
        return;
      }
      // ctx.accept() emits 'ready' at once: the session is bound before it is called.
      const bind = (session: GatewaySession) => {
        bound = { session, username: ctx.username, address };
      };
      void this.authenticate(ctx, address, () => (keys ??= this.authorizedKeys(ctx.username)), bind).catch((error: Error) => {
        logger.error({ err: error, address }, 'gateway authentication failed');
        ctx.reject(methods);
      });
    });
    connection.on('ready', () => {
      clearTimeout(grace);
      if (bound?.session.state !== 'ready' || this.closing) {
        connection.end();
        return;
      }
      const connections = this.bySession.get(bound.session.id) ?? new Set();
      connections.add(connection);
      this.bySession.set(bound.session.id, connections);
      this.serve(connection, bound);
    });
    connection.on('close', () => {
      clearTimeout(grace);
      release();
      this.open.delete(connection);
      metrics.gatewayConnections.set(this.counter.open);
      if (bound) this.bySession.get(bound.session.id)?.delete(connection);
    });
  }

  /**
   * One authentication request. Password: the hash is checked even for an unknown username (against
   * a throwaway hash), and every failure takes the same path: counted, answered after the same
   * growing delay, rejected offering the same methods. A locked username+address is refused unchecked.
   */
  private async authenticate(
    ctx: AuthContext,
    address: string,
    authorizedKeys: () => Promise<ParsedKey[]>,
    bind: (session: GatewaySession) => void,
  ): Promise<void> {
    const username = safeName(ctx.username);
    const fields = { address, username, method: ctx.method };
    if (ctx.method !== 'password' && ctx.method !== 'publickey') {
      ctx.reject(methods);
      return;
    }
    if (this.throttle.locked(ctx.username, address)) {
      await sleep(this.limits.failureDelayMaxMs);
      this.refused('locked', fields);
      ctx.reject(methods);
      return;
    }
    const fail = async (reason: string) => {
      await sleep(this.throttle.failed(ctx.username, address));
      this.refused(reason, fields);
      ctx.reject(methods);
    };
    const credential = ctx.username.length <= 64 ? await this.options.credentials.byUsername(ctx.username) : undefined;
    const session = credential ? await this.options.lookup(credential.sessionId) : undefined;
    if (ctx.method === 'password') {
      const matches = await passwordMatches(ctx.password, credential?.passwordHash);
      if (!credential) return fail('unknown-user');
      if (!matches) return fail('wrong-password');
      if (session?.state !== 'ready') return fail('session-ended');
      return this.loggedIn(ctx, session, fields, bind);
    }
    // publickey: a key the workstation's ~learner/.ssh/authorized_keys lists; first the client asks
    // whether a key would do (no signature), then proves it holds the private key (a signature).
    const key = session && session.state === 'ready' ? findKey(await authorizedKeys().catch(() => []), ctx.key) : undefined;
    if (!key) {
      // Not a guess at a secret (a client simply offers the keys it has): rejected, not counted.
      ctx.reject(methods);
      return;
    }
    if (!ctx.signature || !ctx.blob) {
      ctx.accept();
      return;
    }
    if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return fail('bad-signature');
    return this.loggedIn(ctx, session as GatewaySession, fields, bind);
  }

  private loggedIn(ctx: AuthContext, session: GatewaySession, fields: Record<string, unknown>, bind: (session: GatewaySession) => void): void {
    this.throttle.succeeded(ctx.username, fields.address as string);
    this.options.metrics.gatewayLogins.inc({ method: ctx.method });
    this.options.logger.info({ ...fields, session: session.id }, 'gateway login');
    session.touch();
    bind(session);
    ctx.accept();
  }

  /** The keys in ~learner/.ssh/authorized_keys on the session's workstation, read once per connection. */
  private async authorizedKeys(username: string): Promise<ParsedKey[]> {
    const credential = await this.options.credentials.byUsername(username);
    const session = credential ? await this.options.lookup(credential.sessionId) : undefined;
    const workstation = session?.environment.hosts.find((h) => h.role === 'workstation');
    if (!session || !workstation) return [];
    const result = await session.environment.exec(workstation.name, `head -c ${authorizedKeysMaxBytes} ~/.ssh/authorized_keys 2>/dev/null`, {
      user: 'learner',
      timeoutMs: 5_000,
    });
    return parseAuthorizedKeys(result.stdout);
  }

  /** An authenticated connection: session channels and direct-tcpip to the session's own hosts, nothing else. */
  private serve(connection: Connection, bound: Bound): void {
    const { session, address } = bound;
    const log = this.options.logger.child({ session: session.id, address });
    const fields = { session: session.id, address };
    const prohibit = prohibitor(connection);
    let channels = 0;
    const events: RelayEvents = {
      refused: (what, detail) => this.refused(what, { ...fields, detail }),
      activity: () => session.touch(),
      failed: (what, error) => log.warn({ err: error }, `gateway ${what} could not be opened on the workstation`),
    };
    const counted = <T extends ServerChannel | ssh2.Session>(channel: T): T => {
      channels++;
      channel.once('close', () => channels--);
      return channel;
    };
    const workstation = session.environment.hosts.find((h) => h.role === 'workstation');
    const room = () => session.state === 'ready' && channels < this.limits.channelsPerConnection;

    connection.on('session', (accept, reject) => {
      if (!workstation || !room()) {
        this.refused('channel-limit', fields);
        return prohibit(reject, 'too many channels on this connection');
      }
      relaySession(counted(accept()), () => session.environment.connection(workstation.name, 'learner'), events);
    });
    connection.on('tcpip', (accept, reject, info) => {
      const destination = `${String(info.destIP).slice(0, 255)}:${info.destPort}`;
      const target = forwardTarget(session.environment.hosts, info.destIP, info.destPort);
      if (!target) {
        this.refused('forward-destination', { ...fields, destination });
        return prohibit(reject, "the gateway forwards only to this lab's own hosts' SSH ports");
      }
      if (!room()) {
        this.refused('channel-limit', fields);
        return prohibit(reject, 'too many channels on this connection');
      }
      log.info({ destination: `${target.host.name}:${target.port}` }, 'gateway forward');
      relayTcp(
        target,
        () => counted(accept()),
        reject,
        () => session.touch(),
        (error) => log.info({ err: error, destination }, 'gateway forward failed'),
      );
    });
    connection.on('openssh.streamlocal', (_accept, reject, info) => {
      this.refused('streamlocal', { ...fields, detail: String(info.socketPath).slice(0, 255) });
      prohibit(reject, 'the gateway forwards no Unix sockets');
    });
    connection.on('request', (_accept, reject, name) => {
      this.refused(name.startsWith('cancel-') ? name : name === 'tcpip-forward' ? 'remote-forwarding' : name, fields);
      reject?.();
    });
  }
}

/** A username as logged: bounded, printable (it is whatever the client sent). */
function safeName(username: string): string {
  return username.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}

/**
 * ssh2 (1.17) answers a channel open its listener rejects with reason 2, "connect failed", and
 * reject() takes no reason. The gateway's refusals are policy, which SSH says with reason 1,
 * "administratively prohibited" (RFC 4254 5.1; OpenSSH prints exactly that): the connection's
 * channelOpenFail is wrapped so a rejection made through prohibit() carries reason 1 and a description.
 */
function prohibitor(connection: Connection): (reject: () => void, description: string) => void {
  type Protocol = { channelOpenFail(recipient: number, reason: number, description?: string): void };
  const protocol = (connection as unknown as { _protocol?: Protocol })._protocol;
  if (!protocol || typeof protocol.channelOpenFail !== 'function') throw new Error('ssh2 changed: its Connection has no _protocol.channelOpenFail');
  const original = protocol.channelOpenFail.bind(protocol);
  let prohibited: string | undefined;
  protocol.channelOpenFail = (recipient, reason, description) =>
    prohibited === undefined ? original(recipient, reason, description) : original(recipient, administrativelyProhibited, prohibited);
  return (reject, description) => {
    prohibited = description;
    try {
      reject();
    } finally {
      prohibited = undefined;
    }
  };
}
