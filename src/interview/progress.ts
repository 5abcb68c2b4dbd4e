import { useSyncExternalStore } from 'react';
import * as z from 'zod';
import { storageKeys, storedValue } from '../browser/storage';
import { percent } from './quiz';

/**
 * The learner's progress, kept in localStorage (no account) through the site's one storage
 * helper (src/browser/storage.ts). Every access to `window` happens inside a function that
 * runs in the browser only: during the static build (Node) the hook returns EMPTY_PROGRESS via
 * getServerSnapshot, and React swaps in the stored progress right after hydration.
 */

export const STORAGE_KEY = storageKeys.interviewProgress;

const bestScoreSchema = z.object({
  correct: z.number().int().min(0),
  total: z.number().int().min(1),
  /** ISO date of the attempt. */
  at: z.string(),
});
export type BestScore = z.infer<typeof bestScoreSchema>;

const progressSchema = z.object({
  version: z.literal(1),
  /** Best quiz result per scope: a category id, or "mix". */
  best: z.record(z.string(), bestScoreSchema),
  /** Flash-card marks per question id. */
  cards: z.record(z.string(), z.enum(['known', 'review'])),
  /** Completed quizzes (not counting mistake reviews). */
  quizzesTaken: z.number().int().min(0),
});
export type Progress = z.infer<typeof progressSchema>;
export type CardMark = Progress['cards'][string];

export const EMPTY_PROGRESS: Progress = Object.freeze({ version: 1, best: {}, cards: {}, quizzesTaken: 0 }) as Progress;

const stored = storedValue<Progress>({ key: STORAGE_KEY, schema: progressSchema, fallback: EMPTY_PROGRESS });

function update(change: (p: Progress) => Progress): void {
  stored.write(change(stored.read()));
}

/** The current progress; EMPTY_PROGRESS while rendering on the server and during hydration. */
export function useProgress(): Progress {
  return useSyncExternalStore(stored.subscribe, stored.read, () => EMPTY_PROGRESS);
}

/** Is `a` a better result than `b`? Higher percentage first, then more questions. */
export function isBetter(a: { correct: number; total: number }, b: { correct: number; total: number } | undefined): boolean {
  if (!b) return true;
  const pa = a.correct / a.total;
  const pb = b.correct / b.total;
  return pa > pb || (pa === pb && a.total > b.total);
}

/** Records a finished quiz; returns true when it is a new best for that scope. */
export function recordQuizResult(scope: string, correct: number, total: number): boolean {
  if (total < 1) return false;
  let improved = false;
  update((p) => {
    const entry = { correct, total, at: new Date().toISOString() };
    improved = isBetter(entry, p.best[scope]);
    return {
      ...p,
      quizzesTaken: p.quizzesTaken + 1,
      best: improved ? { ...p.best, [scope]: entry } : p.best,
    };
  });
  return improved;
}

export function markCard(questionId: string, mark: CardMark): void {
  update((p) => ({ ...p, cards: { ...p.cards, [questionId]: mark } }));
}

export function resetProgress(): void {
  stored.write(undefined);
}

export function formatBest(best: BestScore | undefined): string {
  return best ? `${best.correct}/${best.total} (${percent(best.correct, best.total)}%)` : '';
}
