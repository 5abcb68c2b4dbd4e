import type { LoginKey } from '../environments/types.js';
import { InMemoryGatewayCredentialStore } from '../gateway/credentials.js';
import { TicketBook } from '../sessions/tickets.js';
import type { Reservation, SessionDirectory, SessionLimits, SessionRecord } from './types.js';

interface Place {
  client: string;
  expiresAt: number;
}

/** The directory of one process alone (the default): plain maps, nothing shared, nothing to configure. */
export class MemoryDirectory implements SessionDirectory {
  readonly shared = false;
  readonly gatewayCredentials = new InMemoryGatewayCredentialStore();
  private readonly records = new Map<string, SessionRecord>();
  private readonly places = new Map<string, Place>();
  private readonly tickets = new TicketBook();
  private pooled = 0;
  private key?: LoginKey;

  constructor(readonly replicaId: string) {}

  // Every method finishes its work before its first await: a caller's check and change are one step.
  async reserve(placeId: string, client: string, limits: SessionLimits, ttlMs: number): Promise<Reservation> {
    const now = Date.now();
    for (const [id, place] of this.places) if (place.expiresAt <= now) this.places.delete(id);
    if (this.places.size >= limits.maxSessions) return 'full';
    if ([...this.places.values()].filter((p) => p.client === client).length >= limits.maxPerClient) return 'client-limit';
    this.places.set(placeId, { client, expiresAt: now + ttlMs });
    return 'reserved';
  }

  async release(placeId: string): Promise<void> {
    this.places.delete(placeId);
  }

  async commit(placeId: string, record: SessionRecord): Promise<void> {
    this.places.delete(placeId);
    this.places.set(record.id, { client: record.client, expiresAt: record.expiresAt + 60_000 });
    this.records.set(record.id, { ...record });
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const record = this.records.get(id);
    return record && { ...record };
  }

  async remove(id: string): Promise<SessionRecord | undefined> {
    const record = this.records.get(id);
    this.records.delete(id);
    this.places.delete(id);
    if (record) this.tickets.revokeSession(id);
    return record;
  }

  async touch(id: string, at: number): Promise<void> {
    const record = this.records.get(id);
    if (record && at > record.lastActivity) record.lastActivity = at;
  }

  async claim(id: string, from: string): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || record.owner !== from) return record?.owner === this.replicaId;
    record.owner = this.replicaId;
    return true;
  }

  async list(): Promise<SessionRecord[]> {
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  async count(): Promise<number> {
    return this.places.size;
  }

  async issueTicket(sessionId: string, ttlMs: number): Promise<string> {
    return this.tickets.issue(sessionId, ttlMs).ticket;
  }

  async redeemTicket(ticket: string, sessionId: string): Promise<boolean> {
    return this.tickets.redeem(ticket, sessionId);
  }

  async heartbeat(pooled: number): Promise<void> {
    this.pooled = pooled;
  }

  async replicas(): Promise<Map<string, number>> {
    return new Map([[this.replicaId, this.pooled]]);
  }

  async leave(): Promise<void> {}

  async loginKey(own: LoginKey): Promise<LoginKey> {
    this.key ??= own;
    return this.key;
  }

  /** Nobody else ends this process's sessions. */
  onEnded(): void {}

  async announceEnded(): Promise<void> {}

  /** This process's memory is never wiped under it. */
  onWiped(): void {}

  async close(): Promise<void> {}
}
