import type { Page } from '@playwright/test';
import { tsImport } from 'tsx/esm/api';
import type { ChoiceQuestion } from '../../src/interview/bank.js';
import { expect, test } from './fixtures.js';

// The bank imports its JSON files the bundler's way (no import attribute), which Playwright's
// loader refuses: tsx loads them, as it does for the node:test suites.
const { categories, getCategory, getQuestion, isChoice }: typeof import('../../src/interview/bank.js') = await tsImport(
  '../../src/interview/bank.ts',
  import.meta.url,
);
const { STORAGE_KEY }: typeof import('../../src/interview/progress.js') = await tsImport('../../src/interview/progress.ts', import.meta.url);

/**
 * /interview in a real (headless) Chromium against the production build, served by the `site`
 * fixture. Right answers come from the bank data, never from the page.
 */

const CATEGORY = 'scp-sftp-rsync';
/** Every third question (positions 1, 4, 7, …) is answered wrongly on purpose. */
const answerWrongly = (position: number) => position % 3 === 1;

test.beforeEach(async ({ page }) => {
  await page.goto('/interview');
  await waitUntilReady(page);
});

async function waitUntilReady(page: Page) {
  await expect(page.locator('form[aria-label="Quiz settings"][data-ready="true"]')).toBeVisible();
}

function choiceQuestion(id: string | null): ChoiceQuestion {
  expect(id, 'quiz-question has a data-question-id').toBeTruthy();
  const q = getQuestion(id!);
  expect(q && isChoice(q), `unknown or open question ${id}`).toBe(true);
  return q as ChoiceQuestion;
}

/** Plain text of the first line of the explanation, as the page renders it. */
function explanationSnippet(q: ChoiceQuestion): string {
  const first = q.explanation.split('\n').find((l) => l.trim())!;
  return first
    .replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
    .replace(/`|\*\*/g, '')
    .slice(0, 60)
    .trim();
}

/** Answers the current question right or wrong, checks the feedback, returns the question. */
async function answer(page: Page, right: boolean): Promise<ChoiceQuestion> {
  // The previous question's feedback is gone once the next question is on screen.
  await expect(page.getByTestId('quiz-feedback')).toHaveCount(0);
  const form = page.getByTestId('quiz-question');
  const q = choiceQuestion(await form.getAttribute('data-question-id'));
  const rightIdx = q.options.flatMap((o, i) => (o.correct ? [i] : []));
  const wrongIdx = q.options.flatMap((o, i) => (o.correct ? [] : [i]));
  const pick = right ? rightIdx : [wrongIdx[0]!];

  await expect(page.getByTestId('quiz-option')).toHaveCount(q.options.length);
  await expect(page.getByTestId('quiz-submit'), 'submit is disabled until an option is chosen').toBeDisabled();
  for (const i of pick) await form.locator(`[data-testid="quiz-option"][data-option-index="${i}"]`).click();
  await page.getByTestId('quiz-submit').click();

  const feedback = page.getByTestId('quiz-feedback');
  await expect(feedback, `feedback for ${q.id}`).toHaveAttribute('data-correct', String(right));
  // The page's text with runs of white space as one space, as the snippet is written.
  await expect
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, what a learner sees, is what is asserted.
    .poll(async () => (await feedback.innerText()).replace(/\s+/g, ' '), { message: `feedback shows the explanation of ${q.id}` })
    .toContain(explanationSnippet(q));
  return q;
}

test.describe('/interview', () => {
  test('lists every category with its question count', async ({ page }) => {
    await expect(page.getByTestId('interview-category')).toHaveCount(categories.length);
    for (const c of categories) {
      const card = page.locator(`[data-testid="interview-category"][data-category="${c.id}"]`);
      await expect(card).toHaveAttribute('data-count', String(c.questions.length));
      await expect(card).toContainText(new RegExp(`${c.questions.length}\\s+questions`), { useInnerText: true });
    }
  });

  test('category quiz: score, feedback, review of exactly the missed questions, best score kept after reload', async ({ page, pageErrors }) => {
    const category = getCategory(CATEGORY)!;
    const total = category.choiceQuestions.length;

    await page.getByTestId('quiz-scope').selectOption(CATEGORY);
    await page.getByTestId('quiz-start').click();

    const asked: string[] = [];
    const missed: string[] = [];
    for (let position = 0; position < total; position++) {
      const right = !answerWrongly(position);
      const q = await answer(page, right);
      expect(q.category).toBe(CATEGORY);
      asked.push(q.id);
      if (!right) missed.push(q.id);
      await page.getByTestId('quiz-next').click();
    }
    expect(new Set(asked).size, 'every question of the category asked once').toBe(total);
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.length).toBeLessThan(total);

    const correct = total - missed.length;
    const score = page.getByTestId('quiz-score');
    await expect(score).toHaveAttribute('data-correct-count', String(correct));
    await expect(score).toHaveAttribute('data-total', String(total));
    await expect(score).toContainText(new RegExp(`${correct}\\s*/\\s*${total}`), { useInnerText: true });
    const row = page.locator(`[data-testid="quiz-category-result"][data-category="${CATEGORY}"]`);
    await expect(row).toContainText(new RegExp(`${correct}\\s*/\\s*${total}`), { useInnerText: true });

    // Review mode replays exactly the missed questions, in order.
    await page.getByTestId('quiz-review').click();
    const reviewed: string[] = [];
    for (let i = 0; i < missed.length; i++) {
      reviewed.push((await answer(page, true)).id);
      await page.getByTestId('quiz-next').click();
    }
    await expect(score).toBeVisible();
    expect(reviewed).toEqual(missed);
    await expect(score).toHaveAttribute('data-correct-count', String(missed.length));
    await expect(score).toHaveAttribute('data-total', String(missed.length));
    await expect(page.getByTestId('quiz-review'), 'nothing left to review').toHaveCount(0);

    // The best score is kept in localStorage and shown again after a reload (the review did not change it).
    await page.reload();
    await waitUntilReady(page);
    const card = page.locator(`[data-testid="interview-category"][data-category="${CATEGORY}"]`);
    await expect(card).toHaveAttribute('data-best', `${correct}/${total}`);
    await expect(card).toContainText(`${correct}/${total}`, { useInnerText: true });
    const stored = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)) ?? '{}');
    expect({ correct: stored.best?.[CATEGORY]?.correct, total: stored.best?.[CATEGORY]?.total }).toEqual({ correct, total });

    // Reset clears it.
    await page.getByTestId('progress-reset').click();
    await page.getByTestId('progress-reset-confirm').click();
    await expect(card).toHaveAttribute('data-best', '');
    expect(pageErrors).toEqual([]);
  });

  test('random mix of N from several categories', async ({ page }) => {
    await page.getByTestId('quiz-count').selectOption('5');
    await page.getByTestId('quiz-start').click();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push((await answer(page, true)).id);
      await page.getByTestId('quiz-next').click();
    }
    expect(new Set(seen).size).toBe(5);
    await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-correct-count', '5');
    await expect(page.getByTestId('quiz-review')).toHaveCount(0);
    const categoriesAsked = new Set(seen.map((id) => getQuestion(id)!.category)).size;
    await expect(page.getByTestId('quiz-category-result'), 'one result row per category asked').toHaveCount(categoriesAsked);
  });

  test('timed mode shows a countdown per question', async ({ page }) => {
    // The page's clock is ours: the countdown moves when the test moves time, not by waiting.
    await page.clock.install();
    await page.reload();
    await waitUntilReady(page);
    await page.getByTestId('quiz-scope').selectOption('troubleshooting');
    await page.getByTestId('quiz-timed').check();
    await page.getByTestId('quiz-start').click();
    const timer = page.getByRole('timer');
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, what a learner sees, is what is asserted.
    const secondsShown = async () => Number((await timer.innerText()).replace(/\D/g, ''));
    await expect(timer).toBeVisible();
    const first = await secondsShown();
    expect(first, `timer starts at ≤45 s (got ${first})`).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(45);
    await page.clock.runFor(2_000);
    await expect.poll(secondsShown, { message: 'timer counts down' }).toBeLessThan(first);
    await answer(page, true);
    await expect(timer, 'timer stops once answered').toHaveCount(0);
  });

  test("a card's example code is shown at once, then coloured by the Prism chunk it loads", async ({ page }) => {
    await page.locator('[data-testid="interview-category"][data-category="basics"] [data-testid="category-cards"]').click();
    const card = page.getByTestId('flash-card');
    // The deck's order is the bank's: mark cards known until one with example code comes up.
    for (let n = 0; n < getCategory('basics')!.questions.length; n++) {
      await expect(card).toBeVisible();
      if (getQuestion((await card.getAttribute('data-question-id'))!)!.code) break;
      await page.getByTestId('card-reveal').click();
      await page.getByTestId('card-known').click();
    }
    const q = getQuestion((await card.getAttribute('data-question-id'))!)!;
    expect(q.code, 'the basics deck has a card with example code').toBeDefined();
    await page.getByTestId('card-reveal').click();
    const code = card.locator('pre.prism-code code');
    await expect(code).toContainText(q.code!.source.split('\n')[0]!.slice(0, 20), { useInnerText: true });
    await expect(code.locator('.token:not(.plain)').first(), 'highlighted once Prism has loaded').toBeAttached();
  });

  test('flash cards: reveal the answer, mark it, the mark survives a reload', async ({ page }) => {
    await page.locator('[data-testid="interview-category"][data-category="basics"] [data-testid="category-cards"]').click();
    const card = page.getByTestId('flash-card');
    await expect(card).toBeVisible();
    const q = getQuestion((await card.getAttribute('data-question-id'))!)!;
    expect(q.category).toBe('basics');
    await expect(page.getByTestId('card-answer'), 'answer hidden until revealed').toHaveCount(0);
    await page.getByTestId('card-reveal').click();
    await expect(page.getByTestId('card-answer')).toContainText(q.answer.replace(/`/g, '').slice(0, 30), { useInnerText: true });
    await page.getByTestId('card-known').click();
    await page.reload();
    await waitUntilReady(page);
    await expect(page.getByText(`Cards known: 1 / ${getCategory('basics')!.questions.length}`)).toBeVisible();
  });
});
