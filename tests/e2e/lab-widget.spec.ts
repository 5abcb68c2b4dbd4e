import { labelledContainers } from '../helpers/docker.js';
import { trackRequests, waitUntilHydrated } from '../helpers/browser.js';
import { expect, test } from './fixtures.js';

/** The keygen lab in its chapter, driven in Chromium against the production build served by the real backend. */

/** xterm.js's bundle is the one script that contains this class name. */
const xtermMarker = 'xterm-helper-textarea';

test.describe('the keygen lab in the browser', () => {
  test('start, fail, pass, reload into the same shell, end', async ({ page, labWidget: lab, pageErrors }) => {
    // Each script with whether it was requested before or after Start was clicked.
    let startClicked = false;
    const scripts: { afterStart: boolean; text: string }[] = [];
    page.on('response', async (response) => {
      if (!response.url().endsWith('.js')) return;
      const afterStart = startClicked;
      scripts.push({ afterStart, text: await response.text().catch(() => '') });
    });
    const requests = trackRequests(page);

    await lab.open();
    await requests.settled();
    startClicked = true;
    await lab.start();
    expect(
      scripts.filter((s) => !s.afterStart && s.text.includes(xtermMarker)),
      'xterm.js is not loaded before a lab starts',
    ).toEqual([]);
    await expect.poll(() => scripts.some((s) => s.afterStart && s.text.includes(xtermMarker)), { message: 'xterm.js arrives when the lab starts' }).toBe(true);
    await expect(lab.root.getByTestId('lab-password')).toHaveText(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

    const step = lab.step('make-key');
    await step.getByTestId('lab-check').click();
    await expect(step).toHaveAttribute('data-status', 'failed');
    await expect(step.getByTestId('lab-message')).toContainText(/no private key at ~\/\.ssh\/id_ed25519/i);

    // The marker is computed by the shell, so the typed line's echo cannot show it early.
    await lab.type('ssh-keygen -q -t ed25519 -C "me@e2e" -N "" -f ~/.ssh/id_ed25519 && export E2E_MARK=survives-reload && echo "keygen=$((40+2))"');
    await lab.expectScreen('keygen=42');
    await step.getByTestId('lab-check').click();
    await expect(step).toHaveAttribute('data-status', 'passed');
    await expect(step.getByTestId('lab-message')).toContainText(/is an ed25519 key/);

    await page.reload();
    await lab.waitForShell();
    await lab.type('echo "mark=$E2E_MARK"');
    await lab.expectScreen('mark=survives-reload');
    // The list of labs shows the lab that was worked on.
    await page.goto('/labs');
    await expect(page.locator('[data-testid="lab-card"][data-lab-id="keygen"]')).toBeVisible();

    await page.goto(lab.path);
    await waitUntilHydrated(page);
    const stored = JSON.parse((await page.evaluate(`localStorage.getItem('ssh-lab:session:keygen')`)) as string) as { id: string };
    expect(labelledContainers(stored.id)).toHaveLength(1);
    await lab.end();
    await expect.poll(() => labelledContainers(stored.id).length, { message: 'End removes the environment', timeout: 15_000 }).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  test.describe('dark mode', () => {
    test.use({ colorScheme: 'dark' });

    test('dark mode renders the terminal readable', async ({ page, lab }) => {
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
      // Read the colours in the page, compute the contrast here (functions passed to evaluate must stay free of bundler helpers).
      const [background, foreground] = (await page.evaluate(`[
        getComputedStyle(document.querySelector('[data-testid="lab-terminal"] .xterm-scrollable-element') ?? document.querySelector('[data-testid="lab-terminal"] .xterm-viewport')).backgroundColor,
        getComputedStyle(document.querySelector('[data-testid="lab-terminal"] .xterm-rows')).color,
      ]`)) as [string, string];
      const luminance = (css: string) => {
        const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0'])
          .slice(0, 3)
          .map(Number)
          .map((v) => v / 255)
          .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const [l1, l2] = [luminance(foreground), luminance(background)];
      const contrast = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      expect(luminance(background), `a dark terminal background (${background})`).toBeLessThan(0.05);
      expect(contrast, `terminal contrast ${contrast.toFixed(1)} (${foreground} on ${background})`).toBeGreaterThanOrEqual(7);
      await page.screenshot({ path: test.info().outputPath('lab-dark.png') });
      await lab.end();
    });
  });
});

test.describe('every docs page', () => {
  test('renders with no console errors', async ({ page }) => {
    await page.goto('/docs/why-ssh');
    const links = await page.$$eval('nav.menu a[href^="/docs/"]', (as) => [...new Set(as.map((a) => (a as HTMLAnchorElement).pathname))]);
    expect(links.length, `sidebar lists ${links.length} pages`).toBeGreaterThanOrEqual(11);
    const requests = trackRequests(page);
    for (const path of ['/', '/labs', '/interview', ...links]) {
      const errors: string[] = [];
      const onConsole = (m: { type(): string; text(): string }) => m.type() === 'error' && errors.push(m.text());
      const onError = (e: Error) => errors.push(e.message);
      page.on('console', onConsole);
      page.on('pageerror', onError);
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      // Hydrated (a mismatch is reported by then) and every request the page made has answered.
      await waitUntilHydrated(page);
      await requests.settled();
      page.off('console', onConsole);
      page.off('pageerror', onError);
      expect(errors, `console errors on ${path}`).toEqual([]);
    }
  });
});
