import type { Logger } from 'pino';
import { Redis } from 'ioredis';
import type { LoginKey } from '../environments/types.js';
import type { GatewayCredential, GatewayCredentialStore } from '../gateway/credentials.js';
import { hashSecret, newSecret } from '../sessions/tokens.js';
import { DirectoryUnavailableError, type Reservation, type SessionDirectory, type SessionLimits, type SessionRecord } from './types.js';

/**
 * The session directory in Redis, shared by every replica. Keys (all under "ssh-lab:"):
 *   places            sorted set: session ids and reserved places, scored by when they lapse (the global cap)
 *   client:<address>  the same per client address (the per-address cap)
 *   session:<id>      hash: record (JSON, fixed at creation), owner, lastActivity; expires with the session
 *   ticket:<sha256>   session id of a terminal ticket, for its 30 s; GETDEL spends it atomically
 *   replica:<id>      this replica's pooled count, under a short TTL (its heartbeat); set "replicas" lists them
 *   login-key         the backends' shared SSH login key (SET NX: the first replica's wins)
 *   gateway:user:<name>, gateway:session:<id>  the SSH gateway's credentials (password hashes only)
 * A check and its change run as one Lua script, so two replicas cannot both take the last place.
 * Commands fail at once while Redis is away (no offline queue) and ioredis reconnects by itself.
 * (Over 300 lines: the Lua scripts and the gateway credential store sit beside the key layout they share.)
 */

const prefix = 'ssh-lab:';
const key = {
  places: `${prefix}places`,
  client: (address: string) => `${prefix}client:${address}`,
  session: (id: string) => `${prefix}session:${id}`,
  ticket: (hash: string) => `${prefix}ticket:${hash}`,
  replica: (id: string) => `${prefix}replica:${id}`,
  replicas: `${prefix}replicas`,
  loginKey: `${prefix}login-key`,
  /** A random mark set once per store: missing after a reconnect, the store lost its data. */
  epoch: `${prefix}epoch`,
  gatewayUser: (name: string) => `${prefix}gateway:user:${name}`,
  gatewaySession: (id: string) => `${prefix}gateway:session:${id}`,
  endedChannel: `${prefix}ended`,
};

/** Places lapse here: a session's place outlives its expiry by this much (the owner ends it first). */
const placeGraceMs = 60_000;

const scripts = {
  // KEYS: places, client; ARGV: id, now, lapsesAt, maxSessions, maxPerClient, clientTtlMs
  reserve: `
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 'full' end
    if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 'client-limit' end
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
    return 'reserved'`,
  // KEYS: places, client, session; ARGV: placeId, id, lapsesAt, record, owner, lastActivity, ttlMs
  commit: `
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
    redis.call('HSET', KEYS[3], 'record', ARGV[4], 'owner', ARGV[5], 'lastActivity', ARGV[6])
    redis.call('PEXPIRE', KEYS[3], ARGV[7])
    return 1`,
  // KEYS: session, places, client; ARGV: id. Only the caller that deleted the hash gets 1.
  remove: `
    if redis.call('DEL', KEYS[1]) == 0 then return 0 end
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('ZREM', KEYS[3], ARGV[1])
    return 1`,
  // KEYS: session; ARGV: from, to
  claim: `
    local owner = redis.call('HGET', KEYS[1], 'owner')
    if owner == ARGV[2] then return 1 end
    if owner ~= ARGV[1] then return 0 end
    redis.call('HSET', KEYS[1], 'owner', ARGV[2])
    return 1`,
  // KEYS: session; ARGV: at. Only forward, and never recreates an ended session's hash.
  touch: `
    local last = redis.call('HGET', KEYS[1], 'lastActivity')
    if not last then return 0 end
    if tonumber(ARGV[1]) > tonumber(last) then redis.call('HSET', KEYS[1], 'lastActivity', ARGV[1]) end
    return 1`,
};

type ScriptName = keyof typeof scripts;
const keyCounts: Record<ScriptName, number> = { reserve: 2, commit: 3, remove: 3, claim: 1, touch: 1 };

export interface RedisDirectoryOptions {
  url: string;
  replicaId: string;
  logger: Logger;
  /** How long a command may wait for an answer before the store counts as down. */
  commandTimeoutMs?: number;
}

export class RedisDirectory implements SessionDirectory {
  readonly shared = true;
  readonly replicaId: string;
  readonly gatewayCredentials: GatewayCredentialStore;
  /** The connection every command uses; the rate limiter shares it. */
  readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly endedListeners: ((id: string) => void)[] = [];
  private readonly wipedListeners: (() => void)[] = [];
  private epoch?: string;
  private readonly logger: Logger;
  private down = false;

  constructor(options: RedisDirectoryOptions) {
    this.replicaId = options.replicaId;
    this.logger = options.logger;
    const settings = {
      lazyConnect: true,
      // Without a queue a command fails at once while Redis is away: nobody waits on a dead store.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      connectTimeout: 2_000,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1_000),
    };
    this.client = new Redis(options.url, settings);
    this.subscriber = new Redis(options.url, { ...settings, commandTimeout: undefined });
    for (const [name, lua] of Object.entries(scripts)) this.client.defineCommand(name, { numberOfKeys: keyCounts[name as ScriptName], lua });
    this.watch(this.client, 'session directory');
    this.watch(this.subscriber, 'session directory (notifications)');
    this.subscriber.on('message', (_channel: string, id: string) => {
      for (const listener of this.endedListeners) listener(id);
    });
    // ioredis subscribes again by itself after a reconnect.
    this.subscriber.on('ready', () => void this.subscriber.subscribe(key.endedChannel).catch(() => undefined));
    this.gatewayCredentials = new RedisGatewayCredentials(this);
  }

  /** Connects (retrying in the background when Redis is not there yet); resolves once it answers or rejects after `timeoutMs`. */
  async connect(timeoutMs: number): Promise<void> {
    void this.client.connect().catch(() => undefined);
    void this.subscriber.connect().catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.client.ping();
        if (this.epoch === undefined) await this.checkEpoch();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new DirectoryUnavailableError(`no Redis answers (${(error as Error).message})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private watch(connection: Redis, what: string): void {
    connection.on('error', (error: Error) => {
      if (this.down) return;
      this.down = true;
      this.logger.warn({ err: error }, `${what}: Redis does not answer; new sessions are refused until it does`);
    });
    connection.on('ready', () => {
      if (connection === this.client) void this.checkEpoch();
      if (!this.down) return;
      this.down = false;
      this.logger.info(`${what}: Redis answers again`);
    });
  }

  /** Sets the store's mark, or sees that the mark this replica knew is gone (the store was wiped). */
  private async checkEpoch(): Promise<void> {
    try {
      await this.client.set(key.epoch, newSecret(), 'NX');
      const epoch = await this.client.get(key.epoch);
      const wiped = this.epoch !== undefined && epoch !== this.epoch;
      this.epoch = epoch ?? undefined;
      if (wiped) {
        this.logger.warn("the session store came back empty (Redis restarted without its data): registering this replica's sessions again");
        for (const listener of this.wipedListeners) listener();
      }
    } catch {
      // Not answering again already: the next 'ready' checks.
    }
  }

  onWiped(listener: () => void): void {
    this.wipedListeners.push(listener);
  }

  /** Every Redis failure becomes one error the registry turns into 503 SESSION_STORE_DOWN. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
    } catch (error) {
      throw new DirectoryUnavailableError((error as Error).message);
    }
  }

  private script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return this.run((redis) => (redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name](...args));
  }

  async reserve(placeId: string, client: string, limits: SessionLimits, ttlMs: number): Promise<Reservation> {
    const now = Date.now();
    const answer = await this.script(
      'reserve',
      key.places,
      key.client(client),
      placeId,
      now,
      now + ttlMs,
      limits.maxSessions,
      limits.maxPerClient,
      24 * 3600_000,
    );
    return answer as Reservation;
  }

  async release(placeId: string, client: string): Promise<void> {
    await this.run((redis) => redis.multi().zrem(key.places, placeId).zrem(key.client(client), placeId).exec());
  }

  async commit(placeId: string, record: SessionRecord): Promise<void> {
    const { owner, lastActivity, ...fixed } = record;
    const ttlMs = Math.max(1_000, record.expiresAt + placeGraceMs - Date.now());
    await this.script(
      'commit',
      key.places,
      key.client(record.client),
      key.session(record.id),
      placeId,
      record.id,
      record.expiresAt + placeGraceMs,
      JSON.stringify(fixed),
      owner,
      lastActivity,
      ttlMs,
    );
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return parseRecord(await this.run((redis) => redis.hgetall(key.session(id))));
  }

  async remove(id: string): Promise<SessionRecord | undefined> {
    const record = await this.get(id);
    if (!record) return undefined;
    const removed = await this.script('remove', key.session(id), key.places, key.client(record.client), id);
    return removed === 1 ? record : undefined;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.script('touch', key.session(id), String(Math.floor(at)));
  }

  async claim(id: string, from: string): Promise<boolean> {
    return (await this.script('claim', key.session(id), from, this.replicaId)) === 1;
  }

  async list(): Promise<SessionRecord[]> {
    const ids = await this.run((redis) => redis.zrange(key.places, '0', '-1'));
    if (!ids.length) return [];
    const answers = await this.run(async (redis) => {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(key.session(id));
      return (await pipeline.exec()) ?? [];
    });
    // A place without a hash is a session still starting.
    return answers.flatMap(([error, hash]) => {
      const record = error ? undefined : parseRecord(hash as Record<string, string>);
      return record ? [record] : [];
    });
  }

  async count(): Promise<number> {
    return this.run(async (redis) => {
      await redis.zremrangebyscore(key.places, '-inf', Date.now());
      return redis.zcard(key.places);
    });
  }

  async issueTicket(sessionId: string, ttlMs: number): Promise<string> {
    const ticket = newSecret();
    await this.run((redis) => redis.set(key.ticket(hashSecret(ticket).toString('hex')), sessionId, 'PX', ttlMs));
    return ticket;
  }

  async redeemTicket(ticket: string, sessionId: string): Promise<boolean> {
    const owner = await this.run((redis) => redis.getdel(key.ticket(hashSecret(ticket).toString('hex'))));
    return owner === sessionId;
  }

  async heartbeat(pooled: number, ttlMs: number): Promise<void> {
    await this.run((redis) => redis.multi().set(key.replica(this.replicaId), String(pooled), 'PX', ttlMs).sadd(key.replicas, this.replicaId).exec());
  }

  async replicas(): Promise<Map<string, number>> {
    const ids = await this.run((redis) => redis.smembers(key.replicas));
    const live = new Map<string, number>();
    if (!ids.length) return live;
    const values = await this.run((redis) => redis.mget(...ids.map(key.replica)));
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const value = values[i];
      if (value === null || value === undefined) gone.push(id);
      else live.set(id, Number(value));
    });
    if (gone.length) await this.run((redis) => redis.srem(key.replicas, ...gone));
    return live;
  }

  async leave(): Promise<void> {
    await this.run((redis) => redis.multi().del(key.replica(this.replicaId)).srem(key.replicas, this.replicaId).exec());
  }

  async loginKey(own: LoginKey): Promise<LoginKey> {
    const stored = await this.run(async (redis) => {
      await redis.set(key.loginKey, JSON.stringify(own), 'NX');
      return redis.get(key.loginKey);
    });
    if (!stored) throw new DirectoryUnavailableError('the shared login key vanished from Redis');
    const parsed = JSON.parse(stored) as LoginKey;
    return { privateKey: parsed.privateKey, publicKey: parsed.publicKey };
  }

  onEnded(listener: (sessionId: string) => void): void {
    this.endedListeners.push(listener);
  }

  async announceEnded(sessionId: string): Promise<void> {
    await this.run((redis) => redis.publish(key.endedChannel, sessionId));
  }

  async close(): Promise<void> {
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}

function parseRecord(hash: Record<string, string> | null | undefined): SessionRecord | undefined {
  if (!hash?.record || !hash.owner) return undefined;
  const fixed = JSON.parse(hash.record) as Omit<SessionRecord, 'owner' | 'lastActivity'>;
  return { ...fixed, owner: hash.owner, lastActivity: Number(hash.lastActivity ?? fixed.createdAt) };
}

/** The SSH gateway's credentials in Redis: a username's credential, and which username a session has. */
export class RedisGatewayCredentials implements GatewayCredentialStore {
  constructor(private readonly directory: Pick<RedisDirectory, 'run'>) {}

  async put(credential: GatewayCredential): Promise<void> {
    const ttlMs = credential.expiresAt - Date.now();
    if (ttlMs <= 0) return;
    await this.removeSession(credential.sessionId);
    await this.directory.run((redis) =>
      redis
        .multi()
        .set(key.gatewayUser(credential.username), JSON.stringify(credential), 'PX', ttlMs)
        .set(key.gatewaySession(credential.sessionId), credential.username, 'PX', ttlMs)
        .exec(),
    );
  }

  async byUsername(username: string): Promise<GatewayCredential | undefined> {
    const stored = await this.directory.run((redis) => redis.get(key.gatewayUser(username)));
    if (!stored) return undefined;
    const credential = JSON.parse(stored) as GatewayCredential;
    return credential.expiresAt > Date.now() ? credential : undefined;
  }

  async removeSession(sessionId: string): Promise<void> {
    const username = await this.directory.run((redis) => redis.get(key.gatewaySession(sessionId)));
    if (!username) return;
    await this.directory.run((redis) => redis.multi().del(key.gatewayUser(username)).del(key.gatewaySession(sessionId)).exec());
  }
}
