import type { LabPageData, LabPageStep } from '../../protocol/catalogue';
import type { StepState } from '../Lab/session-state';

/**
 * A lab played as a challenge, as pure functions: the hints it can reveal, how many goals the
 * last check met, the attempt under way (its clock and hints) and the best result kept per lab.
 */

/** What a challenge needs of a step: never its instructions or title, which it does not show. */
export type ChallengeStep = Pick<LabPageStep, 'id' | 'optional' | 'hint'>;
export interface ChallengeLab extends Pick<LabPageData, 'id' | 'difficulty'> {
  steps: ChallengeStep[];
}

export interface ChallengeResult {
  /** ISO time the last required goal passed. */
  completedAt: string;
  timeMs: number;
  hintsUsed: number;
}
/** The best result per lab id. */
export type ChallengeResults = Record<string, ChallengeResult>;

export interface ChallengeAttempt {
  /** When the environment of this attempt was first ready (ms since the epoch): the clock starts there, not while hosts boot. */
  startedAt: number;
  hintsUsed: number;
  /** Set once every required goal passed: the clock and the hints stop. */
  finished?: ChallengeResult;
}

/** The hints a challenge reveals, one at a time: the steps' hints in step order, steps without one skipped. */
export function challengeHints(lab: Pick<ChallengeLab, 'steps'>): string[] {
  return lab.steps.flatMap((step) => (step.hint ? [step.hint] : []));
}

export const beginAttempt = (now: number): ChallengeAttempt => ({ startedAt: now, hintsUsed: 0 });

/** One more hint, never more than there are, none once the challenge is solved. */
export function takeHint(attempt: ChallengeAttempt, available: number): ChallengeAttempt {
  if (attempt.finished || attempt.hintsUsed >= available) return attempt;
  return { ...attempt, hintsUsed: attempt.hintsUsed + 1 };
}

/** The attempt with its result, the first time it is solved; a solved attempt stays as it was. */
export function finishAttempt(attempt: ChallengeAttempt, now: number): ChallengeAttempt {
  if (attempt.finished) return attempt;
  const finished = { completedAt: new Date(now).toISOString(), timeMs: Math.max(0, now - attempt.startedAt), hintsUsed: attempt.hintsUsed };
  return { ...attempt, finished };
}

/** Time on the clock: up to now while under way, frozen at the result once solved. */
export const elapsedMs = (attempt: ChallengeAttempt, now: number): number => attempt.finished?.timeMs ?? Math.max(0, now - attempt.startedAt);

/** Fewer hints is better (solving on your own is the point); with as many hints, faster is better. */
export function isBetter(candidate: ChallengeResult, current: ChallengeResult | undefined): boolean {
  if (!current) return true;
  if (candidate.hintsUsed !== current.hintsUsed) return candidate.hintsUsed < current.hintsUsed;
  return candidate.timeMs < current.timeMs;
}

/** The results with this lab's new result, if it beats the one kept. */
export function recordResult(results: ChallengeResults, labId: string, result: ChallengeResult): ChallengeResults {
  return isBetter(result, results[labId]) ? { ...results, [labId]: result } : results;
}

export interface GoalFailure {
  stepId: string;
  optional: boolean;
  message: string;
}

export interface GoalCount {
  required: number;
  requiredMet: number;
  optional: number;
  optionalMet: number;
  /** Every required goal passed in this session's checks. */
  solved: boolean;
  /** What the checker says is still wrong, required goals first, in step order. */
  failures: GoalFailure[];
}

/** The goals met by this session's checks. A lab whose steps are all optional counts them all as required. */
export function countGoals(lab: Pick<ChallengeLab, 'steps'>, steps: Record<string, StepState>): GoalCount {
  const allOptional = lab.steps.every((step) => step.optional);
  const isRequired = (step: ChallengeStep) => allOptional || !step.optional;
  const passed = (id: string) => steps[id]?.status === 'passed';
  const required = lab.steps.filter(isRequired);
  const optional = lab.steps.filter((step) => !isRequired(step));
  const failures = [...required, ...optional].flatMap((step): GoalFailure[] => {
    const result = steps[step.id]?.result;
    return steps[step.id]?.status === 'failed' && result ? [{ stepId: step.id, optional: !isRequired(step), message: result.message }] : [];
  });
  const requiredMet = required.filter((step) => passed(step.id)).length;
  return {
    required: required.length,
    requiredMet,
    optional: optional.length,
    optionalMet: optional.filter((step) => passed(step.id)).length,
    solved: required.length > 0 && requiredMet === required.length,
    failures,
  };
}

/** "4:05", or "1:02:03" past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

export const hintsText = (hintsUsed: number): string => (hintsUsed === 0 ? 'no hints' : hintsUsed === 1 ? '1 hint' : `${hintsUsed} hints`);

export const difficulties = ['beginner', 'intermediate', 'advanced'] as const;
export type Difficulty = (typeof difficulties)[number];

/** The labs by difficulty, easiest first, each group in catalogue order; empty groups left out. */
export function byDifficulty<L extends Pick<ChallengeLab, 'difficulty'>>(labs: L[]): { difficulty: Difficulty; labs: L[] }[] {
  return difficulties.map((difficulty) => ({ difficulty, labs: labs.filter((lab) => lab.difficulty === difficulty) })).filter((group) => group.labs.length > 0);
}
