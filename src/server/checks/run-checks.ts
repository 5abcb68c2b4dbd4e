import type { CheckContext, CheckResult } from '../../labs/check-kit.js';
import type { StepResult } from '../../protocol/api.js';
import type { RunnableLab } from '../labs/catalogue.js';

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs a lab's checks (all steps, or one) against the live hosts. A check that throws or hangs
 * fails with a message; it never fails the request.
 */
export async function runChecks(lab: RunnableLab, context: CheckContext, timeoutMs: number, stepId?: string): Promise<StepResult[]> {
  const steps = lab.definition.steps.filter((s) => !stepId || s.id === stepId);
  return Promise.all(
    steps.map(async (step): Promise<StepResult> => {
      let result: CheckResult;
      try {
        result = await withTimeout(
          lab.checks[step.id]!(context),
          timeoutMs,
          `The check did not finish within ${timeoutMs / 1000} s. Is a command still holding a file it needs? Try again.`,
        );
      } catch (error) {
        result = { passed: false, message: `The check could not inspect the hosts: ${(error as Error).message}` };
      }
      const hint = result.passed ? undefined : (result.hint ?? step.hint);
      return { id: step.id, passed: result.passed, message: result.message, ...(hint ? { hint } : {}) };
    }),
  );
}
