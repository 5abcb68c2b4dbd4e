import { hashSecret, newSecret } from './tokens.js';

/** Single-use, short-lived tickets for the terminal WebSocket URL, so the session token never sits in a URL. */
export class TicketBook {
  private readonly tickets = new Map<string, { sessionId: string; expiresAt: number }>();

  constructor(private readonly ttlMs = 30_000) {}

  issue(sessionId: string, ttlMs = this.ttlMs): { ticket: string; expiresInSeconds: number } {
    this.sweep();
    const ticket = newSecret();
    this.tickets.set(hashSecret(ticket).toString('hex'), { sessionId, expiresAt: Date.now() + ttlMs });
    return { ticket, expiresInSeconds: ttlMs / 1000 };
  }

  /** True once for a valid ticket of this session; the ticket is spent either way. */
  redeem(ticket: string, sessionId: string): boolean {
    const key = hashSecret(ticket).toString('hex');
    const entry = this.tickets.get(key);
    this.tickets.delete(key);
    return Boolean(entry && entry.sessionId === sessionId && entry.expiresAt > Date.now());
  }

  revokeSession(sessionId: string): void {
    for (const [key, entry] of this.tickets) if (entry.sessionId === sessionId) this.tickets.delete(key);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(key);
  }
}
