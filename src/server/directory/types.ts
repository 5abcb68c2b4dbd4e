import type { EnvironmentRecord, LoginKey } from '../environments/types.js';
import type { GatewayCredentialStore } from '../gateway/credentials.js';

/**
 * What replicas of the backend share: the session directory. One process alone uses the in-memory
 * implementation (memory.ts); several share one through Redis (redis.ts, SSH_LAB_REDIS_URL). Each
 * replica keeps its own live objects (SSH connections, the terminal) for the sessions it serves and
 * makes them from these records on demand; nothing here holds a secret that opens a session (tokens
 * and tickets are kept as hashes).
 */

/** A session as every replica can read it. */
export interface SessionRecord {
  id: string;
  labId: string;
  /** The client address that created it (per-address caps). */
  client: string;
  /** sha256 of the session token, hex. */
  tokenHash: string;
  /** The learner's lab password (the widget shows it; checks log in with it). */
  password: string;
  createdAt: number;
  expiresAt: number;
  /** Last keystroke, output or API call seen by any replica (ms since epoch). */
  lastActivity: number;
  /** The replica that runs expiry and idle ends for this session (it adopts sessions of replicas that are gone). */
  owner: string;
  environment: EnvironmentRecord;
}

export interface SessionLimits {
  maxSessions: number;
  maxPerClient: number;
}

export type Reservation = 'reserved' | 'full' | 'client-limit';

export interface SessionDirectory {
  /** True when other replicas may serve the same sessions (Redis); false for one process alone. */
  readonly shared: boolean;
  /** This process's id among the replicas (its resources' owner label). */
  readonly replicaId: string;
  /**
   * Holds a place for a session being started, atomically against the global and per-address caps
   * (reservations count like sessions; one left by a crashed replica lapses after `ttlMs`).
   */
  reserve(placeId: string, client: string, limits: SessionLimits, ttlMs: number): Promise<Reservation>;
  /** Gives a reserved place back (the start failed). */
  release(placeId: string, client: string): Promise<void>;
  /** The started session takes the place reserved under `placeId`. */
  commit(placeId: string, record: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Removes the session; exactly one of several concurrent callers gets the record back. */
  remove(id: string): Promise<SessionRecord | undefined>;
  /** Records activity (a later time only moves it forward). */
  touch(id: string, at: number): Promise<void>;
  /** Makes this replica the owner if `from` still is; true when it now owns the session. */
  claim(id: string, from: string): Promise<boolean>;
  list(): Promise<SessionRecord[]>;
  /** Sessions and reserved places, every replica's. */
  count(): Promise<number>;
  /** A single-use ticket for the session's terminal socket. */
  issueTicket(sessionId: string, ttlMs: number): Promise<string>;
  /** True once for a valid ticket of this session, on whichever replica presents it first; spent either way. */
  redeemTicket(ticket: string, sessionId: string): Promise<boolean>;
  /** This replica is alive and holds `pooled` warm environments (they count against the global cap). */
  heartbeat(pooled: number, ttlMs: number): Promise<void>;
  /** Replicas whose heartbeat is current, with their pooled environment counts. */
  replicas(): Promise<Map<string, number>>;
  /** This replica is going away: its heartbeat goes now, so others adopt its sessions at once. */
  leave(): Promise<void>;
  /** The login key every replica uses: the first one offered is kept. */
  loginKey(own: LoginKey): Promise<LoginKey>;
  /** Another replica ended a session: let go of it here. */
  onEnded(listener: (sessionId: string) => void): void;
  announceEnded(sessionId: string): Promise<void>;
  /** The store came back empty (Redis restarted without persistence): replicas register again what they serve. */
  onWiped(listener: () => void): void;
  readonly gatewayCredentials: GatewayCredentialStore;
  close(): Promise<void>;
}

/** The directory's store does not answer (Redis down or unreachable). */
export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
}
