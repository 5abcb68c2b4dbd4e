import type { Progress } from '../Lab/storage';

/** One lab's standing in this browser: optional steps never count towards the required total. */
export interface LabStanding {
  required: number;
  requiredPassed: number;
  optional: number;
  optionalPassed: number;
  /** Every required step passed. */
  complete: boolean;
}

export function labStanding(lab: { id: string; steps: readonly { id: string; optional?: boolean }[] }, progress: Progress): LabStanding {
  const passed = progress[lab.id] ?? {};
  const required = lab.steps.filter((s) => !s.optional);
  const optional = lab.steps.filter((s) => s.optional);
  const requiredPassed = required.filter((s) => passed[s.id]).length;
  return {
    required: required.length,
    requiredPassed,
    optional: optional.length,
    optionalPassed: optional.filter((s) => passed[s.id]).length,
    complete: requiredPassed === required.length,
  };
}

/** The line under a lab's card, e.g. "2 of 3 steps done (and 1 optional)". */
export function standingText(standing: LabStanding): string {
  const extra = standing.optionalPassed ? ` (and ${standing.optionalPassed} optional)` : '';
  if (standing.complete) return `Completed ✓${extra}`;
  if (standing.requiredPassed) return `${standing.requiredPassed} of ${standing.required} steps done${extra}`;
  return standing.optionalPassed ? `0 of ${standing.required} steps done${extra}` : 'Not started';
}
