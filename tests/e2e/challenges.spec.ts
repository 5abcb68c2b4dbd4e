import { loadLab } from '../../src/labs/load.js';
import { LabWidget, waitUntilHydrated } from '../helpers/browser.js';
import { labelledContainers } from '../helpers/docker.js';
import { expect, test } from './fixtures.js';

/**
 * The keygen lab played as a challenge, in Chromium against the production build served by the
 * real backend: the goal without the steps, a hint on request, the real checks failing then
 * passing, and the result kept in the browser and shown on /challenges.
 */

const keygen = loadLab('keygen');
/** The first line of a step's instructions as the guided lab renders it (Markdown code marks gone). */
const proseOf = (instructions: string): string => (instructions.split('\n')[0] ?? '').replaceAll('`', '');
const challengeSessionKey = 'ssh-lab:challenge-session:keygen:v1';
const resultsKey = 'ssh-lab:challenge-results:v1';

test('the keygen challenge: no steps shown, a hint, Check fails then passes, the result is kept', async ({ page, pageErrors }) => {
  await page.goto('/challenges');
  await waitUntilHydrated(page);
  const card = page.locator('[data-testid="challenge-card"][data-lab-id="keygen"]');
  await expect(page.getByTestId('challenges-beginner').locator(card)).toBeVisible();
  await expect(card).toHaveAttribute('data-solved', 'false');
  await expect(card).toContainText('Not solved yet');

  await card.getByRole('link', { name: keygen.title }).click();
  await expect(page).toHaveURL(/\/challenges\/keygen$/);
  await waitUntilHydrated(page);
  // The terminal helpers of the lab widget work on the challenge: same terminal, same test ids.
  const challenge = new LabWidget(page, 'keygen', '/challenges/keygen');
  await expect(challenge.root.getByTestId('challenge-goal')).toHaveText(keygen.summary);
  const body = challenge.root;
  for (const step of keygen.steps) {
    await expect(body, 'no step title').not.toContainText(step.title);
    await expect(body, 'no step instructions').not.toContainText(proseOf(step.instructions));
    await expect(body, 'no hint before asking').not.toContainText(step.hint);
  }
  await expect(body.locator('[data-testid^="lab-step-"], [data-testid="lab-solution"]')).toHaveCount(0);
  await expect(body.getByTestId('challenge-hint')).toBeDisabled();

  try {
    await body.getByTestId('challenge-start').click();
    await challenge.waitForShell();
    await expect(body.getByTestId('challenge-timer')).toHaveAttribute('data-running', 'true');
    expect(await page.evaluate(`localStorage.getItem('ssh-lab:session:keygen')`), 'the guided lab’s session is not touched').toBeNull();

    await body.getByTestId('challenge-hint').click();
    await expect(body.getByTestId('challenge-hint-text')).toHaveText([keygen.steps[0]?.hint ?? '']);
    await expect(body.getByTestId('challenge-hints-used')).toHaveAttribute('data-count', '1');

    const goals = body.getByTestId('challenge-goals');
    await body.getByTestId('challenge-check').click();
    await expect(goals).toHaveAttribute('data-checked', 'true');
    await expect(goals).toHaveAttribute('data-met', '0');
    await expect(goals).toHaveAttribute('data-required', '1');
    await expect(goals).toHaveText(/0 of 1 goals met/);
    await expect(body.getByTestId('challenge-failure').first()).toContainText(/no private key at ~\/\.ssh\/id_ed25519/i);
    await expect(body.getByTestId('challenge-result')).toHaveCount(0);

    // The marker is computed by the shell, so the typed line's echo cannot show it early.
    await challenge.type('ssh-keygen -q -t ed25519 -C "me@challenge" -N "" -f ~/.ssh/id_ed25519 && echo "made=$((40+2))"');
    await challenge.expectScreen('made=42');
    await body.getByTestId('challenge-check').click();
    await expect(goals).toHaveAttribute('data-solved', 'true');
    await expect(goals).toHaveText(/1 of 1 goals met/);
    const result = body.getByTestId('challenge-result');
    await expect(result).toHaveAttribute('data-solved-now', 'true');
    await expect(result).toContainText(/Solved in \d+:\d\d with 1 hint/);
    await expect(body.getByTestId('challenge-timer')).toHaveAttribute('data-running', 'false');
    // The optional goal is still open, in the checker's words.
    await expect(body.locator('[data-testid="challenge-failure"][data-optional="true"]')).toHaveCount(1);

    const stored = JSON.parse((await page.evaluate(`localStorage.getItem('${resultsKey}')`)) as string) as Record<
      string,
      { hintsUsed: number; timeMs: number }
    >;
    expect(stored.keygen?.hintsUsed).toBe(1);
    expect(stored.keygen?.timeMs).toBeGreaterThan(0);

    await page.goto('/challenges');
    await waitUntilHydrated(page);
    await expect(card).toHaveAttribute('data-solved', 'true');
    await expect(card).toContainText(/Solved in \d+:\d\d with 1 hint/);
  } finally {
    // End the environment from its page (the session resumes there) and see it go.
    const sessionId = await endChallenge(page, challenge);
    if (sessionId) await expect.poll(() => labelledContainers(sessionId).length, { message: 'End removes the environment', timeout: 15_000 }).toBe(0);
  }
  expect(pageErrors).toEqual([]);
});

async function endChallenge(page: LabWidget['page'], challenge: LabWidget): Promise<string | undefined> {
  if (page.isClosed()) return undefined;
  if (!page.url().endsWith(challenge.path)) {
    await page.goto(challenge.path);
    await waitUntilHydrated(page);
  }
  const raw = (await page.evaluate(`localStorage.getItem('${challengeSessionKey}')`)) as string | null;
  if (!raw) return undefined;
  const end = challenge.root.getByTestId('challenge-end');
  await expect(end).toBeVisible();
  await end.click();
  await expect(challenge.root.getByTestId('challenge-start')).toBeVisible();
  return (JSON.parse(raw) as { id: string }).id;
}
