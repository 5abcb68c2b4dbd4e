/** The gateway's limits; defaults below, tests of the limits pass their own. */
export interface GatewayLimits {
  /** Open connections at once from one address. */
  connectionsPerAddress: number;
  /** Open connections at once in all. */
  connections: number;
  /** Channels (sessions, forwards) at once on one connection. */
  channelsPerConnection: number;
  /** Authentication attempts on one connection before it is closed (sshd's MaxAuthTries is 6). */
  authAttemptsPerConnection: number;
  /** Time to authenticate after connecting (sshd's LoginGraceTime). */
  loginGraceMs: number;
  /** A failed attempt is answered after base × 2^(failures-1) ms, at most maxDelayMs. */
  failureDelayBaseMs: number;
  failureDelayMaxMs: number;
  /** This many failures for one username from one address within the window lock that pair. */
  lockAfterFailures: number;
  /** Failures from one address (any username) within the window that lock the address. */
  lockAddressAfterFailures: number;
  failureWindowMs: number;
  lockMs: number;
}

export const defaultGatewayLimits: GatewayLimits = {
  connectionsPerAddress: 10,
  connections: 500,
  channelsPerConnection: 10,
  authAttemptsPerConnection: 6,
  loginGraceMs: 60_000,
  failureDelayBaseMs: 200,
  failureDelayMaxMs: 3_000,
  lockAfterFailures: 5,
  lockAddressAfterFailures: 60,
  failureWindowMs: 10 * 60_000,
  lockMs: 10 * 60_000,
};

interface Failures {
  count: number;
  firstAt: number;
  lockedUntil: number;
}

/**
 * Failed logins per username+address and per address. A failure answers later each time; enough
 * of them lock the pair (or, spread over many usernames, the address) for a while, during which
 * even the right password is refused. A success clears the pair.
 */
export class AuthThrottle {
  private readonly pairs = new Map<string, Failures>();
  private readonly addresses = new Map<string, Failures>();

  constructor(
    private readonly limits: GatewayLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether attempts for this username from this address are refused without being checked. */
  locked(username: string, address: string): boolean {
    const now = this.now();
    return (
      (this.current(this.pairs, pairKey(username, address), now)?.lockedUntil ?? 0) > now ||
      (this.current(this.addresses, address, now)?.lockedUntil ?? 0) > now
    );
  }

  /** Records a failure; returns how long to wait before answering it. */
  failed(username: string, address: string): number {
    const now = this.now();
    const pair = this.bump(this.pairs, pairKey(username, address), now, this.limits.lockAfterFailures);
    this.bump(this.addresses, address, now, this.limits.lockAddressAfterFailures);
    return Math.min(this.limits.failureDelayBaseMs * 2 ** (pair.count - 1), this.limits.failureDelayMaxMs);
  }

  succeeded(username: string, address: string): void {
    this.pairs.delete(pairKey(username, address));
  }

  private current(map: Map<string, Failures>, key: string, now: number): Failures | undefined {
    const entry = map.get(key);
    if (entry && entry.lockedUntil <= now && now - entry.firstAt > this.limits.failureWindowMs) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private bump(map: Map<string, Failures>, key: string, now: number, lockAfter: number): Failures {
    const entry = this.current(map, key, now) ?? { count: 0, firstAt: now, lockedUntil: 0 };
    entry.count++;
    if (entry.count >= lockAfter) entry.lockedUntil = Math.max(entry.lockedUntil, now + this.limits.lockMs);
    map.set(key, entry);
    if (map.size > 100_000) this.prune(map, now);
    return entry;
  }

  /** Memory stays bounded under a flood of made-up usernames: expired entries go first. */
  private prune(map: Map<string, Failures>, now: number): void {
    for (const key of [...map.keys()]) this.current(map, key, now);
  }
}

function pairKey(username: string, address: string): string {
  return `${address}\0${username}`;
}

/** Open connections per address, and in all. */
export class ConnectionCounter {
  private readonly perAddress = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: GatewayLimits) {}

  /** Takes a slot; undefined (and nothing taken) when the address or the gateway is full, else the release. */
  take(address: string): (() => void) | undefined {
    const mine = this.perAddress.get(address) ?? 0;
    if (mine >= this.limits.connectionsPerAddress || this.total >= this.limits.connections) return undefined;
    this.perAddress.set(address, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    };
  }

  get open(): number {
    return this.total;
  }
}
