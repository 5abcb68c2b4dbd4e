import { categories, choiceQuestions, getCategory, type CategoryId, type ChoiceQuestion } from './bank';
import { type AnswerRecord, type CategoryTitles, type QuizSummary, seededRandom, shuffle, summarize as summarizeWith } from './quiz-core';

/** Quiz logic over the question bank: picking questions, scoring against its categories. The rest is in quiz-core.ts. */

export * from './quiz-core';

/** A quiz over one category, or a random mix across all of them. */
export type QuizScope = CategoryId | 'mix';
export const MIX: QuizScope = 'mix';

/** The bank's category titles, in display order. */
export const categoryTitles: CategoryTitles = Object.fromEntries(categories.map((c) => [c.id, c.title]));

/**
 * The questions for a quiz: every choice question of a category (shuffled), or
 * `count` questions drawn from all categories for a mix.
 */
export function pickQuestions(scope: QuizScope, count: number | 'all', random: () => number = Math.random): ChoiceQuestion[] {
  const pool = scope === MIX ? choiceQuestions : (getCategory(scope)?.choiceQuestions ?? []);
  const shuffled = shuffle(pool, random);
  return count === 'all' ? shuffled : shuffled.slice(0, Math.max(1, count));
}

/**
 * A few questions for an embedded self-check. Deterministic for a given seed so
 * the server-rendered HTML matches the first client render; easier questions first.
 */
export function pickSelfCheck(category: CategoryId, count: number, seed: number): ChoiceQuestion[] {
  const pool = getCategory(category)?.choiceQuestions ?? [];
  const rank = { easy: 0, medium: 1, hard: 2 } as const;
  const picked = shuffle(pool, seededRandom(seed)).slice(0, Math.max(1, Math.min(count, pool.length)));
  return picked.sort((a, b) => rank[a.difficulty] - rank[b.difficulty]);
}

export function summarize(answers: readonly AnswerRecord[]): QuizSummary {
  return summarizeWith(answers, categoryTitles);
}
