/**
 * What the warm pool holds and the rules for it, with no timers and no I/O: which entries are
 * ready, which are being made, which lab needs one next, what is too old and what makes way
 * under the session cap. The caller disposes of every entry a method hands back.
 */

export interface PoolPolicy {
  labIds: readonly string[];
  /** Ready environments wanted for a lab (0: none). */
  target: (labId: string) => number;
  /** The global cap: live sessions + sessions starting + pooled environments stay at or below it. */
  maxSessions: number;
  /** A pooled environment older than this is never handed out. */
  maxAgeMs: number;
}

export interface PooledEntry<E> {
  id: string;
  password: string;
  labId: string;
  environment: E;
  createdAt: number;
  state: 'ready' | 'taken' | 'gone';
}

export interface PoolStats {
  handedOut: number;
  misses: number;
  built: number;
  failed: number;
  retired: number;
  evicted: number;
  lost: number;
}

export class PoolInventory<E> {
  private readonly ready = new Map<string, PooledEntry<E>[]>();
  /** Environments being made: id -> lab id. Their ids are live for the reaper. */
  private readonly building = new Map<string, string>();
  readonly stats: PoolStats = { handedOut: 0, misses: 0, built: 0, failed: 0, retired: 0, evicted: 0, lost: 0 };

  constructor(
    private readonly policy: PoolPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.policy.labIds.some((id) => this.policy.target(id) > 0);
  }

  /** Ready plus being made. */
  get size(): number {
    let n = this.building.size;
    for (const list of this.ready.values()) n += list.length;
    return n;
  }

  readyCount(labId: string): number {
    return this.ready.get(labId)?.length ?? 0;
  }

  /** Environments being made for a lab. */
  buildingCount(labId: string): number {
    let n = 0;
    for (const id of this.building.values()) if (id === labId) n++;
    return n;
  }

  /** Every lab holds its target. */
  get full(): boolean {
    return this.policy.labIds.every((id) => this.readyCount(id) >= this.policy.target(id));
  }

  /** Ids of pooled and in-the-making environments: the reaper must leave them alone. */
  liveIds(): string[] {
    return [...this.building.keys(), ...[...this.ready.values()].flatMap((list) => list.map((e) => e.id))];
  }

  /** Another environment fits under the cap next to `active` sessions. */
  hasRoom(active: number): boolean {
    return active + this.size < this.policy.maxSessions;
  }

  /** The lab furthest below its target (counting those being made), or none. */
  neediest(): string | undefined {
    let best: string | undefined;
    let bestFill = 1;
    const buildingPerLab = new Map<string, number>();
    for (const labId of this.building.values()) buildingPerLab.set(labId, (buildingPerLab.get(labId) ?? 0) + 1);
    for (const id of this.policy.labIds) {
      const target = this.policy.target(id);
      if (target <= 0) continue;
      const fill = (this.readyCount(id) + (buildingPerLab.get(id) ?? 0)) / target;
      if (fill < bestFill) {
        best = id;
        bestFill = fill;
      }
    }
    return best;
  }

  startBuilding(id: string, labId: string): void {
    this.building.set(id, labId);
  }

  /** A build ended: what it made joins the ready list; 'failed' counts, 'abandoned' (shutdown) does not. */
  finishBuilding(id: string, made: { password: string; environment: E } | 'failed' | 'abandoned'): PooledEntry<E> | undefined {
    const labId = this.building.get(id);
    this.building.delete(id);
    if (!labId || made === 'abandoned') return undefined;
    if (made === 'failed') {
      this.stats.failed++;
      return undefined;
    }
    const entry: PooledEntry<E> = { id, labId, password: made.password, environment: made.environment, createdAt: this.now(), state: 'ready' };
    const list = this.ready.get(labId) ?? [];
    list.push(entry);
    this.ready.set(labId, list);
    this.stats.built++;
    return entry;
  }

  /** The oldest ready entry young enough to hand out; `expired` are those found too old on the way. */
  take(labId: string): { entry?: PooledEntry<E>; expired: PooledEntry<E>[] } {
    const list = this.ready.get(labId);
    const expired: PooledEntry<E>[] = [];
    while (list?.length) {
      const entry = list.shift()!;
      if (entry.state !== 'ready') continue;
      if (this.tooOld(entry)) {
        entry.state = 'gone';
        this.stats.retired++;
        expired.push(entry);
        continue;
      }
      entry.state = 'taken';
      this.stats.handedOut++;
      return { entry, expired };
    }
    if (this.policy.target(labId) > 0) this.stats.misses++;
    return { expired };
  }

  /** A session is starting without a pooled environment: idle pooled ones (oldest first) make way under the cap. */
  makeRoom(active: number): PooledEntry<E>[] {
    const evicted: PooledEntry<E>[] = [];
    while (active + this.size > this.policy.maxSessions) {
      let oldest: PooledEntry<E> | undefined;
      for (const list of this.ready.values()) {
        for (const entry of list) if (!oldest || entry.createdAt < oldest.createdAt) oldest = entry;
      }
      if (!oldest) break;
      this.remove(oldest);
      this.stats.evicted++;
      evicted.push(oldest);
    }
    return evicted;
  }

  /** Ready entries past their maximum age. */
  retireOld(): PooledEntry<E>[] {
    const retired: PooledEntry<E>[] = [];
    for (const list of this.ready.values()) {
      for (const entry of [...list]) {
        if (!this.tooOld(entry)) continue;
        this.remove(entry);
        this.stats.retired++;
        retired.push(entry);
      }
    }
    return retired;
  }

  /** Ready entries beyond their lab's target (it was lowered, e.g. an override ended), oldest first. */
  retireSurplus(): PooledEntry<E>[] {
    const retired: PooledEntry<E>[] = [];
    for (const [labId, list] of this.ready) {
      const surplus = list.length - Math.max(0, this.policy.target(labId));
      for (const entry of [...list].sort((a, b) => a.createdAt - b.createdAt).slice(0, Math.max(0, surplus))) {
        this.remove(entry);
        this.stats.retired++;
        retired.push(entry);
      }
    }
    return retired;
  }

  /** A ready entry's environment was lost: true if it was still pooled (and is now out). */
  lose(entry: PooledEntry<E>): boolean {
    if (entry.state !== 'ready') return false;
    this.remove(entry);
    this.stats.lost++;
    return true;
  }

  /** Everything ready, out of the pool (shutdown). */
  removeAll(): PooledEntry<E>[] {
    const entries = [...this.ready.values()].flat();
    this.ready.clear();
    for (const entry of entries) entry.state = 'gone';
    return entries;
  }

  private tooOld(entry: PooledEntry<E>): boolean {
    return this.now() - entry.createdAt > this.policy.maxAgeMs;
  }

  private remove(entry: PooledEntry<E>): void {
    entry.state = 'gone';
    const list = this.ready.get(entry.labId);
    const index = list?.indexOf(entry) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }
}
