import { useSyncExternalStore } from 'react';
import * as z from 'zod';
import { storageKeys, type StoredValue, storedValue } from '../../browser/storage';
import { type ChallengeAttempt, type ChallengeResult, type ChallengeResults, recordResult } from './challenge';

/** What challenges keep in the browser: the attempt under way and the best result, per lab id. No account. */

const resultSchema = z.object({ completedAt: z.string(), timeMs: z.number().nonnegative(), hintsUsed: z.number().int().nonnegative() });
const attemptSchema = z.object({ startedAt: z.number(), hintsUsed: z.number().int().nonnegative(), finished: resultSchema.optional() });

// One object each, so the server's snapshot stays the same between renders.
const noResults: ChallengeResults = {};
const noAttempts: Record<string, ChallengeAttempt> = {};

export const challengeResults = storedValue<ChallengeResults>({
  key: storageKeys.challengeResults,
  schema: z.record(z.string(), resultSchema),
  fallback: noResults,
});

export const challengeAttempts = storedValue<Record<string, ChallengeAttempt>>({
  key: storageKeys.challengeAttempts,
  schema: z.record(z.string(), attemptSchema),
  fallback: noAttempts,
});

/** A stored value as React state, the same in this tab and others; nothing stored while rendering on the server. */
function useStored<T>(value: StoredValue<T>, serverValue: T): T {
  return useSyncExternalStore(value.subscribe, value.read, () => serverValue);
}

export const useChallengeResults = (): ChallengeResults => useStored(challengeResults, noResults);
export const useChallengeAttempts = (): Record<string, ChallengeAttempt> => useStored(challengeAttempts, noAttempts);

/** Keeps this lab's result if it beats the best one stored. */
export function saveResult(labId: string, result: ChallengeResult): void {
  challengeResults.write(recordResult(challengeResults.read(), labId, result));
}

export function writeAttempt(labId: string, attempt: ChallengeAttempt | undefined): void {
  const { [labId]: _previous, ...others } = challengeAttempts.read();
  challengeAttempts.write(attempt ? { ...others, [labId]: attempt } : others);
}
