/**
 * How much each lab is in demand, and the extra warm environments that demand calls for; pure,
 * time from `now`. The extra is Little's law: recent starts per second × how long one
 * environment takes to build, so that while a class arrives, environments started ahead meet
 * the learners who come next. Both the rate and the build time decay or average over time, so
 * the pool grows while a lab is in demand and shrinks back to its configured size once it is not.
 */

export interface DemandPolicy {
  /** The rate forgets a start with this half-life. */
  halfLifeMs: number;
  /** At most this many extra environments per lab, whatever the demand. */
  maxExtraPerLab: number;
  /** The build time assumed before one was measured. */
  initialBuildMs: number;
  /** The lead time is never planned below this: what is built must be ready before the learner comes (default 1 s). */
  minLeadMs?: number;
}

interface LabRate {
  /** Starts, each weighted 2^(-age / half-life), as of `at`. */
  weight: number;
  at: number;
}

export class LabDemand {
  private readonly rates = new Map<string, LabRate>();
  /** Exponential moving average of how long a pooled environment takes to build. */
  private buildMs: number;

  constructor(
    private readonly policy: DemandPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.buildMs = policy.initialBuildMs;
  }

  /** A session of this lab started (from the pool or cold). */
  recordStart(labId: string): void {
    const t = this.now();
    this.rates.set(labId, { weight: this.weightAt(labId, t) + 1, at: t });
  }

  /** A pooled environment was built in this time: the lead time the pool must plan for. */
  recordBuild(ms: number): void {
    this.buildMs = 0.7 * this.buildMs + 0.3 * ms;
  }

  /** Recent starts per second (a steady rate r reads r once it lasted a few half-lives). */
  startsPerSecond(labId: string): number {
    return (this.weightAt(labId, this.now()) * Math.LN2) / (this.policy.halfLifeMs / 1000);
  }

  /** Extra environments wanted for a lab beyond its configured size: rate × build time, rounded, capped. */
  extra(labId: string): number {
    const wanted = Math.round(this.startsPerSecond(labId) * (this.expectedBuildMs / 1000));
    return Math.min(this.policy.maxExtraPerLab, Math.max(0, wanted));
  }

  /** The lead time in use (ms). */
  get expectedBuildMs(): number {
    return Math.max(this.policy.minLeadMs ?? 1_000, this.buildMs);
  }

  /** Labs whose demand has not decayed to nothing: the pool re-reads their targets as they fall. */
  inDemand(): string[] {
    return [...this.rates.keys()].filter((labId) => this.extra(labId) > 0);
  }

  private weightAt(labId: string, t: number): number {
    const rate = this.rates.get(labId);
    if (!rate) return 0;
    const weight = rate.weight * 2 ** (-(t - rate.at) / this.policy.halfLifeMs);
    // Forgotten once it is worth less than a hundredth of a start.
    if (weight < 0.01) this.rates.delete(labId);
    return weight < 0.01 ? 0 : weight;
  }
}
