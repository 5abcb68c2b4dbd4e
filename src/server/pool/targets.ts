/**
 * Each lab's warm-pool target: the configured size (SSH_LAB_POOL_SIZE / SSH_LAB_POOL_SIZES) unless
 * an operator set an override for a while (a class is coming). Pure: no timers; time comes from
 * `now`, so an override ends by itself the moment its `until` passes.
 */

export interface PoolOverride {
  size: number;
  /** Epoch milliseconds; from then on the configured size applies again. */
  until: number;
}

export class PoolTargets {
  private readonly overrides = new Map<string, PoolOverride>();

  constructor(
    private readonly configuredSize: (labId: string) => number,
    private readonly now: () => number = Date.now,
  ) {}

  configured(labId: string): number {
    return this.configuredSize(labId);
  }

  /** The override in force for a lab, if any (an ended one is forgotten here). */
  override(labId: string): PoolOverride | undefined {
    const override = this.overrides.get(labId);
    if (override && override.until <= this.now()) {
      this.overrides.delete(labId);
      return undefined;
    }
    return override;
  }

  /** What the pool holds ready for a lab now. */
  target(labId: string): number {
    return this.override(labId)?.size ?? this.configured(labId);
  }

  /** Sets a lab's target to `size` until `until`; an `until` already past clears the override instead. */
  set(labId: string, size: number, until: number): PoolOverride | undefined {
    if (until <= this.now()) {
      this.overrides.delete(labId);
      return undefined;
    }
    const override = { size, until };
    this.overrides.set(labId, override);
    return override;
  }

  /** When the next override ends (the pool then retires what it no longer needs), or none. */
  nextChange(): number | undefined {
    let next: number | undefined;
    for (const labId of [...this.overrides.keys()]) {
      const until = this.override(labId)?.until;
      if (until !== undefined && (next === undefined || until < next)) next = until;
    }
    return next;
  }
}

/** What warming one lab would take, next to what the machine has; the admin route refuses a plan that does not fit. */
export interface PoolPlanInput {
  size: number;
  hostsPerEnvironment: number;
  /** SSH_LAB_HOST_MEMORY_MB: each host's memory limit (swap adds none). */
  hostMemoryMb: number;
  /** This lab's environments pooled now (ready or being made): they are already spent. */
  pooledForLab: number;
  /** Other labs' environments pooled now (ready or being made). */
  pooledForOtherLabs: number;
  /** Live sessions and sessions starting. */
  activeSessions: number;
  maxSessions: number;
  availableMemoryMb: number;
}

export interface PoolPlan {
  /** The override's environments at their memory limit: the upper bound of what they can take. */
  memoryLimitMb: number;
  /** What is not spent yet: environments still to make, at their limit. */
  additionalMemoryLimitMb: number;
  availableMemoryMb: number;
  /** The largest size that fits both the session cap and the memory. */
  maxSize: number;
  /** Why the size does not fit, in words for the operator; none when it fits. */
  refusal?: { reason: 'sessions' | 'memory'; message: string };
}

export function planPoolSize(input: PoolPlanInput): PoolPlan {
  const perEnvironmentMb = input.hostsPerEnvironment * input.hostMemoryMb;
  const memoryLimitMb = input.size * perEnvironmentMb;
  const additionalMemoryLimitMb = Math.max(0, input.size - input.pooledForLab) * perEnvironmentMb;
  const roomForSessions = Math.max(0, input.maxSessions - input.activeSessions - input.pooledForOtherLabs);
  const roomForMemory = input.pooledForLab + Math.floor(input.availableMemoryMb / perEnvironmentMb);
  const maxSize = Math.min(roomForSessions, roomForMemory);
  const plan: PoolPlan = { memoryLimitMb, additionalMemoryLimitMb, availableMemoryMb: input.availableMemoryMb, maxSize };
  if (input.size > roomForSessions) {
    plan.refusal = {
      reason: 'sessions',
      message:
        `${input.size} pooled environments do not fit under SSH_LAB_MAX_SESSIONS=${input.maxSessions}: ` +
        `${input.activeSessions} sessions are live and ${input.pooledForOtherLabs} environments are pooled for other labs, ` +
        `which leaves room for ${roomForSessions}. Raise SSH_LAB_MAX_SESSIONS (restart) or ask for at most ${maxSize}.`,
    };
  } else if (additionalMemoryLimitMb > input.availableMemoryMb) {
    plan.refusal = {
      reason: 'memory',
      message:
        `${input.size} environments of ${input.hostsPerEnvironment} host(s) at SSH_LAB_HOST_MEMORY_MB=${input.hostMemoryMb} need up to ` +
        `${additionalMemoryLimitMb} MB more (${input.pooledForLab} already pooled), and the machine has ${input.availableMemoryMb} MB available. ` +
        `Ask for at most ${maxSize}.`,
    };
  }
  return plan;
}
