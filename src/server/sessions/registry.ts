import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MemoryDirectory } from '../directory/memory.js';
import { DirectoryUnavailableError, type SessionDirectory, type SessionRecord } from '../directory/types.js';
import { ownerLabel } from '../environments/ownership.js';
import { ProviderCapacityError, ProviderUnavailableError, type EnvironmentRecord, type StartedEnvironment } from '../environments/types.js';
import { Errors } from '../errors.js';
import type { RunnableLab } from '../labs/catalogue.js';
import type { Metrics } from '../metrics.js';
import type { EnvironmentSource } from '../pool/source.js';
import { defaultOutputShare, OutputShare } from '../terminal/output-share.js';
import { ShellTerminal } from '../terminal/shell-terminal.js';
import { Session } from './session.js';
import { hashSecret, newPassword, newSecret, newSessionId, secretMatches } from './tokens.js';

/**
 * Every live session, their limits and their ends, on top of the session directory (directory/).
 * The directory holds what every replica must agree on (records, tickets, caps); this registry holds
 * this process's live objects (environment handles, the terminal) for the sessions it serves, made
 * from the record on first use whichever replica created the session. Expiry and idle ends run on
 * the session's owner replica only; a session whose owner is gone is adopted by the next sweep.
 * Passed to whoever needs it; no module-level state. (Over 300 lines: creation, lookup, ending and
 * the sweep share the local map and the directory, and read best side by side.)
 */
export interface RegistryOptions {
  /** Shared state; without one, an in-memory directory for this process alone. */
  directory?: SessionDirectory;
  /** Makes a handle on an environment another replica started (EnvironmentProvider.attach). */
  attach?: (record: EnvironmentRecord) => Promise<StartedEnvironment>;
  /** The lab a record names (a replica serving a session it did not create). */
  labs?: (labId: string) => RunnableLab | undefined;
}

/** A reserved place lapses after this if its replica died while the session was starting. */
const reservationTtlMs = 5 * 60_000;
const ticketTtlMs = 30_000;
/** Activity is written to the directory at most this often per session. */
const touchEveryMs = 5_000;

export class SessionRegistry {
  /** Sessions this process serves (it created them, or attached to them on a request). */
  private readonly sessions = new Map<string, Session>();
  private readonly attaching = new Map<string, Promise<Session>>();
  /** Sessions being provisioned here, counted against the caps before they exist. */
  private readonly starting = new Map<string, string>();
  /** When each session's activity was last written to the directory. */
  private readonly touched = new Map<string, number>();
  /** Sessions served here that the last sweep did not find in the directory. */
  private readonly missing = new Set<string>();
  readonly directory: SessionDirectory;
  private total = 0;
  private pooledByOthers = 0;
  private sweeper?: NodeJS.Timeout;
  private closing = false;
  /** Told when a session ends, whatever ended it (DELETE, expiry, idle, shutdown): the SSH gateway closes its connections. */
  private readonly endListeners: ((sessionId: string, reason: string) => void)[] = [];

  /** One share of the machine's output for every terminal served here. */
  private readonly outputShare?: OutputShare;

  constructor(
    private readonly config: Config,
    private readonly source: EnvironmentSource,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: RegistryOptions = {},
  ) {
    this.outputShare =
      config.outputShareBytesPerSecond > 0 ? new OutputShare({ ...defaultOutputShare, shareBytesPerSecond: config.outputShareBytesPerSecond }) : undefined;
    this.directory = options.directory ?? new MemoryDirectory(ownerLabel());
    this.directory.onEnded((id) => this.forget(id, 'ended through another replica'));
    this.directory.onWiped(() => void this.registerAgain());
  }

  /** The records of the sessions served here, as committed or read (to register them again after a wipe). */
  private readonly records = new Map<string, SessionRecord>();

  /** The store lost its data: the sessions this replica serves go back in (others register theirs). */
  private async registerAgain(): Promise<void> {
    for (const [id, record] of this.records) {
      if (!this.sessions.has(id)) continue;
      try {
        if (await this.directory.get(id)) continue;
        const place = await this.directory.reserve(
          id,
          record.client,
          { maxSessions: Number.MAX_SAFE_INTEGER, maxPerClient: Number.MAX_SAFE_INTEGER },
          reservationTtlMs,
        );
        if (place === 'reserved') await this.directory.commit(id, { ...record, owner: this.directory.replicaId, lastActivity: Date.now() });
      } catch (error) {
        this.logger.warn({ err: error, session: id }, 'could not register a session again; it ends with its terminal');
      }
    }
    await this.refresh();
  }

  /** Sessions and sessions being started, every replica's (as of the last look at the directory). */
  get size(): number {
    return Math.max(this.total, this.sessions.size + this.starting.size);
  }

  /** Warm environments other replicas hold: they count against the one global cap too. */
  get pooledElsewhere(): number {
    return this.pooledByOthers;
  }

  /** Sessions being started right now here (a learner is waiting). */
  get provisioning(): number {
    return this.starting.size;
  }

  /** SIGTERM arrived: this replica takes no new work (readiness reports it). */
  get draining(): boolean {
    return this.closing;
  }

  /** Sessions this process serves right now. */
  get localSessions(): number {
    return this.sessions.size;
  }

  liveIds(): Set<string> {
    return new Set([...this.sessions.keys(), ...this.starting.keys(), ...(this.source.liveIds?.() ?? [])]);
  }

  /**
   * What the reaper must keep: every session in the directory and everything this process holds;
   * with a shared directory also which replicas are alive (the resources of any other are leftovers).
   */
  async reapScope(): Promise<{ live: Set<string>; liveOwners?: Set<string> }> {
    const live = this.liveIds();
    if (!this.directory.shared) return { live };
    const [records, replicas] = await Promise.all([this.directory.list(), this.directory.replicas()]);
    for (const record of records) live.add(record.id);
    return { live, liveOwners: new Set([...replicas.keys(), this.directory.replicaId]) };
  }

  startSweeping(intervalMs = 5_000): void {
    this.sweeper = setInterval(() => void this.sweep(), intervalMs);
    this.sweeper.unref();
  }

  /** The directory's store is down: the public 503 that says so. */
  private async store<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) throw new Errors.SessionStoreDown();
      throw error;
    }
  }

  async create(lab: RunnableLab, client: string): Promise<{ session: Session; token: string }> {
    if (this.closing) throw new Errors.ShuttingDown();
    const provisionalId = newSessionId();
    const token = newSecret();
    this.starting.set(provisionalId, client);
    try {
      const place = await this.store(() =>
        this.directory.reserve(
          provisionalId,
          client,
          { maxSessions: this.config.maxSessions, maxPerClient: this.config.maxSessionsPerClient },
          reservationTtlMs,
        ),
      );
      if (place === 'full') throw new Errors.CapacityFull(this.config.maxSessions);
      if (place === 'client-limit') throw new Errors.ClientLimit(this.config.maxSessionsPerClient);
    } catch (error) {
      this.starting.delete(provisionalId);
      await this.refresh();
      throw error;
    }
    const started = performance.now();
    let environment: StartedEnvironment;
    let password: string;
    try {
      ({ environment, password } = await this.source.acquire(lab, provisionalId, newPassword(), this.config.sessionLifetimeSeconds + 60));
    } catch (error) {
      this.starting.delete(provisionalId);
      await this.directory.release(provisionalId, client).catch(() => undefined);
      await this.refresh();
      this.metrics.sessionFailures.inc();
      if (error instanceof ProviderUnavailableError)
        throw new Errors.EnvironmentsUnavailable(error.message.endsWith('.') ? error.message : `${error.message}.`);
      if (error instanceof ProviderCapacityError) {
        this.logger.warn({ lab: lab.definition.id, exhausted: error.exhausted }, 'the provider has no room for another environment');
        throw new Errors.EnvironmentCapacity(error.exhausted);
      }
      this.logger.error({ err: error, lab: lab.definition.id }, 'environment failed to start');
      throw new Errors.EnvironmentFailed('the hosts did not come up. Try again in a moment.');
    }
    const id = environment.sessionId;
    const now = Date.now();
    const record: SessionRecord = {
      id,
      labId: lab.definition.id,
      client,
      tokenHash: hashSecret(token).toString('hex'),
      password,
      createdAt: now,
      expiresAt: now + this.config.sessionLifetimeSeconds * 1000,
      lastActivity: now,
      owner: this.directory.replicaId,
      environment: environment.describe(),
    };
    try {
      if (this.closing) throw new Errors.ShuttingDown();
      await this.store(() => this.directory.commit(provisionalId, record));
    } catch (error) {
      await this.directory.release(provisionalId, client).catch(() => undefined);
      await environment.dispose();
      throw error;
    } finally {
      this.starting.delete(provisionalId);
    }
    const session = this.local(record, lab, environment, started);
    log(this.logger, session).info({ environmentReadyMs: Math.round(performance.now() - started) }, 'session started');
    await this.refresh();
    return { session, token };
  }

  /** This process's live objects for a session: the terminal and the lost-environment handling. */
  private local(record: SessionRecord, lab: RunnableLab, environment: StartedEnvironment, createdAt?: number): Session {
    const sessionLog = this.logger.child({ session: record.id, lab: record.labId });
    let session: Session;
    const terminal = new ShellTerminal({
      openShell: (size) => environment.openShell(size),
      flow: this.config.flow,
      share: this.outputShare,
      slowClientMs: this.config.slowClientSeconds * 1000,
      graceMs: this.config.reconnectGraceSeconds * 1000,
      logger: sessionLog,
      onActivity: () => session.touch(),
      ...(createdAt !== undefined && {
        onFirstOutput: () => {
          const ms = performance.now() - createdAt;
          this.metrics.timeToShell.observe(ms / 1000);
          sessionLog.info({ timeToShellMs: Math.round(ms) }, 'first shell output');
        },
      }),
    });
    session = new Session(
      record.id,
      lab,
      record.client,
      Buffer.from(record.tokenHash, 'hex'),
      record.password,
      new Date(record.expiresAt),
      environment,
      terminal,
      new Date(record.createdAt),
    );
    this.sessions.set(record.id, session);
    this.records.set(record.id, record);
    this.metrics.sessions.set(this.sessions.size);
    environment.onLost((reason) => {
      if (session.state !== 'ready') return;
      session.state = 'lost';
      sessionLog.warn({ reason }, 'session environment lost');
      terminal.end('environment-lost', `The lab environment stopped (${reason}). Reset the lab to get a fresh one.`);
    });
    return session;
  }

  /** The session's live objects here, made from its record if another replica created it. */
  private served(record: SessionRecord): Promise<Session> {
    const here = this.sessions.get(record.id);
    if (here) return Promise.resolve(here);
    const pending = this.attaching.get(record.id);
    if (pending) return pending;
    const attaching = (async () => {
      const lab = this.options.labs?.(record.labId);
      if (!lab || !this.options.attach) throw new Errors.SessionUnknown();
      const environment = await this.options.attach(record.environment);
      const session = this.sessions.get(record.id) ?? this.local(record, lab, environment);
      log(this.logger, session).info('serving a session another replica started');
      return session;
    })().finally(() => this.attaching.delete(record.id));
    this.attaching.set(record.id, attaching);
    return attaching;
  }

  /** A session this process serves right now, if any (no directory look-up). */
  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /**
   * A live session whichever replica created it, served here from its record (the SSH gateway's
   * look-up, after the learner proved the session's gateway credential): undefined once it ended.
   */
  async find(id: string): Promise<Session | undefined> {
    const record = await this.store(() => this.directory.get(id));
    if (!record) {
      this.forget(id, 'ended through another replica');
      return undefined;
    }
    return this.served(record);
  }

  /** The session if the token is its own; the right 4xx otherwise (503 while the store is down). */
  async authorise(id: string, token: string | undefined): Promise<Session> {
    if (!token) throw new Errors.TokenMissing();
    const record = await this.store(() => this.directory.get(id));
    if (!record) {
      this.forget(id, 'ended through another replica');
      throw new Errors.SessionUnknown();
    }
    if (!secretMatches(token, Buffer.from(record.tokenHash, 'hex'))) throw new Errors.TokenWrong();
    const session = await this.served(record);
    session.touch();
    return session;
  }

  onEnded(listener: (sessionId: string, reason: string) => void): void {
    this.endListeners.push(listener);
  }

  issueTicket(sessionId: string): Promise<{ ticket: string; expiresInSeconds: number }> {
    return this.store(async () => ({ ticket: await this.directory.issueTicket(sessionId, ticketTtlMs), expiresInSeconds: ticketTtlMs / 1000 }));
  }

  /**
   * Spends a terminal ticket (whichever replica sees it first wins; the same ticket on two replicas
   * at once opens one socket) and returns the session to attach, or undefined for a bad ticket.
   */
  async redeemTicket(sessionId: string, ticket: string): Promise<Session | undefined> {
    const record = await this.store(() => this.directory.get(sessionId));
    if (!record) throw new Errors.SessionUnknown();
    if (!(await this.store(() => this.directory.redeemTicket(ticket, sessionId)))) return undefined;
    return this.served(record);
  }

  async end(id: string, reason: string): Promise<void> {
    const record = await this.store(() => this.directory.remove(id));
    const session = this.sessions.get(id);
    // Another replica removed it first: that one disposes; here only the local objects go.
    if (!record) {
      this.forget(id, reason);
      return;
    }
    void this.directory.announceEnded(id).catch(() => undefined);
    void this.directory.gatewayCredentials.removeSession(id).catch(() => undefined);
    this.sessions.delete(id);
    this.records.delete(id);
    this.touched.delete(id);
    this.metrics.sessions.set(this.sessions.size);
    if (session) {
      session.state = 'ended';
      session.terminal.end('session-ended', `The session ended (${reason}).`);
    }
    for (const listener of this.endListeners) listener(id, reason);
    const started = performance.now();
    try {
      const environment = session?.environment ?? (await this.attachForDisposal(record));
      await environment.dispose();
      this.logger.info({ session: id, reason, teardownMs: Math.round(performance.now() - started) }, 'session ended');
    } catch (error) {
      this.logger.error({ err: error, session: id }, 'session teardown failed; the reaper will retry');
    }
    await this.refresh();
  }

  private attachForDisposal(record: SessionRecord): Promise<StartedEnvironment> {
    if (!this.options.attach) throw new Error(`session ${record.id} has no environment here and no provider to attach one`);
    return this.options.attach(record.environment);
  }

  /** Lets go of this process's objects for a session that ended elsewhere (its environment is not ours to dispose). */
  private forget(id: string, reason: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.records.delete(id);
    this.touched.delete(id);
    this.missing.delete(id);
    this.metrics.sessions.set(this.sessions.size);
    session.state = 'ended';
    session.terminal.end('session-ended', `The session ended (${reason}).`);
    for (const listener of this.endListeners) listener(id, reason);
  }

  /** Counts from the directory (for the caps shown and the pool's share); keeps the old ones while it is down. */
  private async refresh(): Promise<void> {
    try {
      const [total, replicas] = await Promise.all([this.directory.count(), this.directory.replicas()]);
      this.total = total;
      this.pooledByOthers = [...replicas].filter(([id]) => id !== this.directory.replicaId).reduce((n, [, pooled]) => n + pooled, 0);
    } catch {
      // The store is down: the last counts stay; new sessions are refused by the directory anyway.
    }
  }

  /** This replica is alive with `pooled` warm environments (a heartbeat), and the counts are fresh. */
  async heartbeat(pooled: number): Promise<void> {
    if (this.closing) return;
    await this.directory.heartbeat(pooled, this.config.replicaTtlSeconds * 1000).catch(() => undefined);
    await this.refresh();
  }

  private async sweep(): Promise<void> {
    if (this.closing) return;
    try {
      await this.sweepOnce();
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) this.logger.debug({ err: error }, 'sweep skipped: the session store does not answer');
      else this.logger.error({ err: error }, 'sweep failed');
    }
  }

  /** Activity goes to the directory; the owner of each session ends it when expired or idle; orphans are adopted. */
  async sweepOnce(): Promise<void> {
    const now = Date.now();
    const idleMs = this.config.idleTimeoutSeconds * 1000;
    for (const session of this.sessions.values()) {
      // An attached terminal is activity (on whichever replica it is attached).
      if (session.terminal.attached) session.touch();
      const last = this.touched.get(session.id) ?? 0;
      if (session.lastActivity > last && now - last >= touchEveryMs) {
        this.touched.set(session.id, session.lastActivity);
        await this.directory.touch(session.id, session.lastActivity);
      }
    }
    const records = await this.directory.list();
    const live = this.directory.shared ? await this.directory.replicas() : undefined;
    const listed = new Set(records.map((r) => r.id));
    for (const record of records) {
      let { owner } = record;
      if (live && owner !== this.directory.replicaId && !live.has(owner)) {
        if (await this.directory.claim(record.id, owner)) {
          this.logger.info({ session: record.id, from: owner }, 'adopted a session whose replica is gone');
          owner = this.directory.replicaId;
        }
      }
      if (owner !== this.directory.replicaId) continue;
      const here = this.sessions.get(record.id);
      const lastActivity = Math.max(record.lastActivity, here?.lastActivity ?? 0);
      if (record.expiresAt <= now) await this.end(record.id, 'expired');
      else if (!here?.terminal.attached && now - lastActivity > idleMs) await this.end(record.id, 'idle');
    }
    // Served here but gone from the directory on two sweeps running (ended elsewhere and its notice
    // missed; a store that came back empty has had a sweep's time to be filled again): let go.
    for (const id of [...this.sessions.keys()]) {
      if (listed.has(id) || (await this.directory.get(id))) this.missing.delete(id);
      else if (this.missing.has(id)) this.forget(id, 'ended through another replica');
      else this.missing.add(id);
    }
  }

  /** Leaves the directory's live set and says how many other replicas remain to take the sessions over. */
  private async otherReplicas(): Promise<number> {
    try {
      await this.directory.leave();
      return [...(await this.directory.replicas()).keys()].filter((id) => id !== this.directory.replicaId).length;
    } catch {
      // The store is down: hand over anyway; whoever comes up next adopts the sessions when it answers.
      return 1;
    }
  }

  /**
   * SIGTERM. One process alone (in-memory directory): ends every session, no environment outlives
   * the server. Sharing a directory: the sessions belong to the service, not to this process; each
   * attached terminal is told to reconnect elsewhere (close 4010), the environments stay and other
   * replicas adopt the sessions. The last replica of a directory ends them all, as one process does.
   * The warm pool is this replica's own and goes either way.
   */
  async closeAll(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const others = this.directory.shared ? await this.otherReplicas() : 0;
    if (others > 0) {
      // Keystrokes already on their way to this replica are written to the shell before it lets go.
      await Promise.all([...this.sessions.values()].map(handOff));
      this.sessions.clear();
      this.records.clear();
    } else {
      // Alone (in memory, or the last replica of a directory): nobody could take the sessions over.
      const ids = new Set(this.sessions.keys());
      if (this.directory.shared) for (const record of await this.directory.list().catch(() => [])) ids.add(record.id);
      await Promise.all([...ids].map((id) => this.end(id, 'server stopping').catch(() => this.forget(id, 'server stopping'))));
    }
    await this.source.drain?.();
  }
}

/** Tells the attached socket to reconnect through another replica, leaving the shell running (contract C1). */
async function handOff(session: Session): Promise<void> {
  await session.terminal.handOff();
}

function log(logger: Logger, session: Session): Logger {
  return logger.child({ session: session.id, lab: session.lab.definition.id });
}
