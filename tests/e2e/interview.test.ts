import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { categories, getCategory, getQuestion, isChoice, type ChoiceQuestion } from '../../src/interview/bank';
import { STORAGE_KEY } from '../../src/interview/progress';
import { startSite } from '../helpers/site';
import { launchBrowser } from '../helpers/browser';

/**
 * /interview in a real (headless) Chromium against the production build, served by
 * tests/helpers/site.ts. Right answers come from the bank data, never from the page.
 * INTERVIEW_E2E_SITE_DIR serves another build directory (handy while developing).
 */

const CATEGORY = 'scp-sftp-rsync';
/** Every third question (positions 1, 4, 7, …) is answered wrongly on purpose. */
const answerWrongly = (position: number) => position % 3 === 1;

let site: { url: string; close(): Promise<void> };
let browser: Browser;

before(async () => {
  const dir = process.env.INTERVIEW_E2E_SITE_DIR;
  site = await startSite(dir ? { SSH_LAB_SITE_DIR: dir } : {});
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

async function openInterview(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${site.url}/interview`);
  await waitUntilHydrated(page);
  return page;
}

async function waitUntilHydrated(page: Page) {
  await page.locator('form[aria-label="Quiz settings"][data-ready="true"]').waitFor();
}

function choiceQuestion(id: string | null): ChoiceQuestion {
  assert.ok(id, 'quiz-question has a data-question-id');
  const q = getQuestion(id);
  assert.ok(q && isChoice(q), `unknown or open question ${id}`);
  return q;
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
  await page.getByTestId('quiz-feedback').waitFor({ state: 'detached' });
  const form = page.getByTestId('quiz-question');
  const q = choiceQuestion(await form.getAttribute('data-question-id'));
  const rightIdx = q.options.flatMap((o, i) => (o.correct ? [i] : []));
  const wrongIdx = q.options.flatMap((o, i) => (o.correct ? [] : [i]));
  const pick = right ? rightIdx : [wrongIdx[0]!];

  assert.equal(await page.getByTestId('quiz-option').count(), q.options.length);
  assert.equal(await page.getByTestId('quiz-submit').isDisabled(), true, 'submit is disabled until an option is chosen');
  for (const i of pick) await form.locator(`[data-testid="quiz-option"][data-option-index="${i}"]`).click();
  await page.getByTestId('quiz-submit').click();

  const feedback = page.getByTestId('quiz-feedback');
  await feedback.waitFor();
  assert.equal(await feedback.getAttribute('data-correct'), String(right), `feedback for ${q.id}`);
  const text = (await feedback.innerText()).replace(/\s+/g, ' ');
  assert.ok(text.includes(explanationSnippet(q)), `feedback shows the explanation of ${q.id}`);
  return q;
}

describe('/interview', () => {
  test('lists every category with its question count', async () => {
    const context = await browser.newContext();
    const page = await openInterview(context);
    const cards = page.getByTestId('interview-category');
    assert.equal(await cards.count(), categories.length);
    for (const c of categories) {
      const card = page.locator(`[data-testid="interview-category"][data-category="${c.id}"]`);
      assert.equal(await card.getAttribute('data-count'), String(c.questions.length));
      assert.match(await card.innerText(), new RegExp(`${c.questions.length}\\s+questions`));
    }
    await context.close();
  });

  test('category quiz: score, feedback, review of exactly the missed questions, best score kept after reload', async () => {
    const context = await browser.newContext();
    const page = await openInterview(context);
    const category = getCategory(CATEGORY)!;
    const total = category.choiceQuestions.length;

    await page.getByTestId('quiz-scope').selectOption(CATEGORY);
    await page.getByTestId('quiz-start').click();

    const asked: string[] = [];
    const missed: string[] = [];
    for (let position = 0; position < total; position++) {
      const right = !answerWrongly(position);
      const q = await answer(page, right);
      assert.equal(q.category, CATEGORY);
      asked.push(q.id);
      if (!right) missed.push(q.id);
      await page.getByTestId('quiz-next').click();
    }
    assert.equal(new Set(asked).size, total, 'every question of the category asked once');
    assert.ok(missed.length > 0 && missed.length < total);

    const correct = total - missed.length;
    const score = page.getByTestId('quiz-score');
    await score.waitFor();
    assert.equal(await score.getAttribute('data-correct-count'), String(correct));
    assert.equal(await score.getAttribute('data-total'), String(total));
    assert.match(await score.innerText(), new RegExp(`${correct}\\s*/\\s*${total}`));
    const row = page.locator(`[data-testid="quiz-category-result"][data-category="${CATEGORY}"]`);
    assert.match(await row.innerText(), new RegExp(`${correct}\\s*/\\s*${total}`));

    // Review mode replays exactly the missed questions, in order.
    await page.getByTestId('quiz-review').click();
    const reviewed: string[] = [];
    for (let i = 0; i < missed.length; i++) {
      reviewed.push((await answer(page, true)).id);
      await page.getByTestId('quiz-next').click();
    }
    await score.waitFor();
    assert.deepEqual(reviewed, missed);
    assert.equal(await score.getAttribute('data-correct-count'), String(missed.length));
    assert.equal(await score.getAttribute('data-total'), String(missed.length));
    assert.equal(await page.getByTestId('quiz-review').count(), 0, 'nothing left to review');

    // The best score is kept in localStorage and shown again after a reload (the review did not change it).
    await page.reload();
    await waitUntilHydrated(page);
    const card = page.locator(`[data-testid="interview-category"][data-category="${CATEGORY}"]`);
    await page
      .locator(`[data-testid="interview-category"][data-category="${CATEGORY}"][data-best="${correct}/${total}"]`)
      .waitFor({ timeout: 5000 });
    assert.match(await card.innerText(), new RegExp(`${correct}/${total}`));
    const stored = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)) ?? '{}');
    assert.deepEqual(
      { correct: stored.best?.[CATEGORY]?.correct, total: stored.best?.[CATEGORY]?.total },
      { correct, total },
    );

    // Reset clears it.
    await page.getByTestId('progress-reset').click();
    await page.getByTestId('progress-reset-confirm').click();
    await page.locator(`[data-testid="interview-category"][data-category="${CATEGORY}"][data-best=""]`).waitFor();
    assert.deepEqual((page as Page & { errors: string[] }).errors, []);
    await context.close();
  });

  test('random mix of N from several categories', async () => {
    const context = await browser.newContext();
    const page = await openInterview(context);
    await page.getByTestId('quiz-count').selectOption('5');
    await page.getByTestId('quiz-start').click();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push((await answer(page, true)).id);
      await page.getByTestId('quiz-next').click();
    }
    assert.equal(new Set(seen).size, 5);
    const score = page.getByTestId('quiz-score');
    assert.equal(await score.getAttribute('data-correct-count'), '5');
    assert.equal(await page.getByTestId('quiz-review').count(), 0);
    const rows = await page.getByTestId('quiz-category-result').count();
    assert.equal(rows, new Set(seen.map((id) => getQuestion(id)!.category)).size, 'one result row per category asked');
    await context.close();
  });

  test('timed mode shows a countdown per question', async () => {
    const context = await browser.newContext();
    const page = await openInterview(context);
    await page.getByTestId('quiz-scope').selectOption('troubleshooting');
    await page.getByTestId('quiz-timed').check();
    await page.getByTestId('quiz-start').click();
    const timer = page.getByRole('timer');
    await timer.waitFor();
    const first = Number((await timer.innerText()).replace(/\D/g, ''));
    assert.ok(first > 0 && first <= 45, `timer starts at ≤45 s (got ${first})`);
    await page.waitForTimeout(1500);
    const later = Number((await timer.innerText()).replace(/\D/g, ''));
    assert.ok(later < first, 'timer counts down');
    await answer(page, true);
    assert.equal(await timer.count(), 0, 'timer stops once answered');
    await context.close();
  });

  test('flash cards: reveal the answer, mark it, the mark survives a reload', async () => {
    const context = await browser.newContext();
    const page = await openInterview(context);
    await page.locator('[data-testid="interview-category"][data-category="basics"] [data-testid="category-cards"]').click();
    const card = page.getByTestId('flash-card');
    await card.waitFor();
    const q = getQuestion((await card.getAttribute('data-question-id'))!)!;
    assert.equal(q.category, 'basics');
    assert.equal(await page.getByTestId('card-answer').count(), 0, 'answer hidden until revealed');
    await page.getByTestId('card-reveal').click();
    assert.ok((await page.getByTestId('card-answer').innerText()).includes(q.answer.replace(/`/g, '').slice(0, 30)));
    await page.getByTestId('card-known').click();
    await page.reload();
    await waitUntilHydrated(page);
    await page.getByText(`Cards known: 1 / ${getCategory('basics')!.questions.length}`).waitFor({ timeout: 5000 });
    await context.close();
  });
});
