import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ProviderCapacityError, ProviderUnavailableError, type StartedEnvironment } from '../environments/types.js';
import { Errors } from '../errors.js';
import type { RunnableLab } from '../labs/catalogue.js';
import type { Metrics } from '../metrics.js';
import type { EnvironmentSource } from '../pool/source.js';
import { ShellTerminal } from '../terminal/shell-terminal.js';
import { Session } from './session.js';
import { TicketBook } from './tickets.js';
import { hashSecret, newPassword, newSecret, newSessionId } from './tokens.js';

/** Every live session, their limits and their ends. Passed to whoever needs it; no module-level state. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being provisioned, counted against the caps before they exist. */
  private readonly starting = new Map<string, string>();
  readonly tickets = new TicketBook();
  private sweeper?: NodeJS.Timeout;
  private closing = false;
  /** Told when a session ends, whatever ended it (DELETE, expiry, idle, shutdown): the SSH gateway closes its connections. */
  private readonly endListeners: ((sessionId: string, reason: string) => void)[] = [];

  constructor(
    private readonly config: Config,
    private readonly source: EnvironmentSource,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  get size(): number {
    return this.sessions.size + this.starting.size;
  }

  /** Sessions being started right now (a learner is waiting). */
  get provisioning(): number {
    return this.starting.size;
  }

  liveIds(): Set<string> {
    return new Set([...this.sessions.keys(), ...this.starting.keys(), ...(this.source.liveIds?.() ?? [])]);
  }

  startSweeping(intervalMs = 5_000): void {
    this.sweeper = setInterval(() => void this.sweep(), intervalMs);
    this.sweeper.unref();
  }

  async create(lab: RunnableLab, client: string): Promise<{ session: Session; token: string }> {
    if (this.closing) throw new Errors.ShuttingDown();
    if (this.size >= this.config.maxSessions) throw new Errors.CapacityFull(this.config.maxSessions);
    const mine = [...this.sessions.values()].filter((s) => s.client === client).length + [...this.starting.values()].filter((c) => c === client).length;
    if (mine >= this.config.maxSessionsPerClient) throw new Errors.ClientLimit(this.config.maxSessionsPerClient);

    const provisionalId = newSessionId();
    const token = newSecret();
    this.starting.set(provisionalId, client);
    const started = performance.now();
    let environment: StartedEnvironment;
    let password: string;
    try {
      ({ environment, password } = await this.source.acquire(lab, provisionalId, newPassword(), this.config.sessionLifetimeSeconds + 60));
    } catch (error) {
      this.metrics.sessionFailures.inc();
      if (error instanceof ProviderUnavailableError)
        throw new Errors.EnvironmentsUnavailable(error.message.endsWith('.') ? error.message : `${error.message}.`);
      if (error instanceof ProviderCapacityError) {
        this.logger.warn({ lab: lab.definition.id, exhausted: error.exhausted }, 'the provider has no room for another environment');
        throw new Errors.EnvironmentCapacity(error.exhausted);
      }
      this.logger.error({ err: error, lab: lab.definition.id }, 'environment failed to start');
      throw new Errors.EnvironmentFailed('the hosts did not come up. Try again in a moment.');
    } finally {
      this.starting.delete(provisionalId);
    }
    const id = environment.sessionId;
    if (this.closing) {
      await environment.dispose();
      throw new Errors.ShuttingDown();
    }
    const readyMs = performance.now() - started;
    const log = this.logger.child({ session: id, lab: lab.definition.id });
    const expiresAt = new Date(Date.now() + this.config.sessionLifetimeSeconds * 1000);
    let session: Session;
    const terminal = new ShellTerminal({
      openShell: (size) => environment.openShell(size),
      flow: this.config.flow,
      slowClientMs: this.config.slowClientSeconds * 1000,
      graceMs: this.config.reconnectGraceSeconds * 1000,
      logger: log,
      onActivity: () => session.touch(),
      onFirstOutput: () => {
        const ms = performance.now() - started;
        this.metrics.timeToShell.observe(ms / 1000);
        log.info({ timeToShellMs: Math.round(ms) }, 'first shell output');
      },
    });
    session = new Session(id, lab, client, hashSecret(token), password, expiresAt, environment, terminal);
    this.sessions.set(id, session);
    this.metrics.sessions.set(this.sessions.size);
    environment.onLost((reason) => {
      if (session.state !== 'ready') return;
      session.state = 'lost';
      log.warn({ reason }, 'session environment lost');
      terminal.end('environment-lost', `The lab environment stopped (${reason}). Reset the lab to get a fresh one.`);
    });
    log.info({ environmentReadyMs: Math.round(readyMs) }, 'session started');
    return { session, token };
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The session if the token is its own; the right 4xx otherwise. */
  authorise(id: string, token: string | undefined): Session {
    const session = this.sessions.get(id);
    if (!token) throw new Errors.TokenMissing();
    if (!session) throw new Errors.SessionUnknown();
    if (!session.ownedBy(token)) throw new Errors.TokenWrong();
    session.touch();
    return session;
  }

  onEnded(listener: (sessionId: string, reason: string) => void): void {
    this.endListeners.push(listener);
  }

  async end(id: string, reason: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.metrics.sessions.set(this.sessions.size);
    this.tickets.revokeSession(id);
    session.state = 'ended';
    for (const listener of this.endListeners) listener(id, reason);
    session.terminal.end('session-ended', `The session ended (${reason}).`);
    const started = performance.now();
    try {
      await session.environment.dispose();
      this.logger.info({ session: id, reason, teardownMs: Math.round(performance.now() - started) }, 'session ended');
    } catch (error) {
      this.logger.error({ err: error, session: id }, 'session teardown failed; the reaper will retry');
    }
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    const idleMs = this.config.idleTimeoutSeconds * 1000;
    for (const session of [...this.sessions.values()]) {
      if (session.expiresAt.getTime() <= now) await this.end(session.id, 'expired');
      else if (!session.terminal.attached && now - session.lastActivity > idleMs) await this.end(session.id, 'idle');
    }
  }

  /** Ends every session (SIGTERM): no environment outlives the server. */
  async closeAll(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, 'server stopping')));
    await this.source.drain?.();
  }
}
