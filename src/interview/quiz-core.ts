import type { CategoryId, ChoiceQuestion } from './schema';

/**
 * Pure quiz logic that needs no question bank: seeding, shuffling, grading, scoring. The quiz
 * widgets import this, not quiz.ts, so a page with a self-check does not ship the whole bank.
 */

/** Deterministic PRNG (mulberry32), so a seed reproduces a quiz and server and client render alike. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string (FNV-1a). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Fisher–Yates on a copy. */
export function shuffle<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The order to show a question's options in (indices into `q.options`), stable per seed. */
export function optionOrder(q: ChoiceQuestion, seed: number): number[] {
  return shuffle(
    q.options.map((_, i) => i),
    seededRandom(hashString(q.id) ^ seed),
  );
}

export function correctIndices(q: ChoiceQuestion): number[] {
  return q.options.flatMap((o, i) => (o.correct ? [i] : []));
}

/** Right only if the selection is exactly the set of correct options. */
export function isAnswerCorrect(q: ChoiceQuestion, selected: Iterable<number>): boolean {
  const chosen = new Set(selected);
  const right = correctIndices(q);
  return chosen.size === right.length && right.every((i) => chosen.has(i));
}

export interface AnswerRecord {
  questionId: string;
  category: CategoryId;
  /** Indices into the question's options. */
  selected: number[];
  correct: boolean;
  /** Timed mode: the time ran out before the learner submitted. */
  timedOut?: boolean;
}

export interface CategoryResult {
  category: CategoryId;
  title: string;
  correct: number;
  total: number;
}

export interface QuizSummary {
  correct: number;
  total: number;
  /** 0–100, rounded. */
  percent: number;
  byCategory: CategoryResult[];
  /** Ids of the missed questions, in the order they were asked. */
  missed: string[];
}

export function percent(correct: number, total: number): number {
  return total === 0 ? 0 : Math.round((correct / total) * 100);
}

/** Category titles by id, in display order: what a summary groups answers under. */
export type CategoryTitles = Readonly<Record<string, string>>;

export function summarize(answers: readonly AnswerRecord[], titles: CategoryTitles): QuizSummary {
  const correct = answers.filter((a) => a.correct).length;
  const byCategory = Object.entries(titles)
    .map(([id, title]) => {
      const mine = answers.filter((a) => a.category === id);
      return { category: id as CategoryId, title, correct: mine.filter((a) => a.correct).length, total: mine.length };
    })
    .filter((r) => r.total > 0);
  return {
    correct,
    total: answers.length,
    percent: percent(correct, answers.length),
    byCategory,
    missed: answers.filter((a) => !a.correct).map((a) => a.questionId),
  };
}
