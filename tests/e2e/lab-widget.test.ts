import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../src/server/main.js';
import { launchBrowser, typeInTerminal, waitForScreen } from '../helpers/browser.js';
import { labelledContainers, waitFor } from '../helpers/docker.js';
import { startSite } from '../helpers/site.js';

/** The keygen lab in its chapter, driven in Chromium against the production build served by the real backend. */
const labPage = '/docs/everyday-ssh';
let site: RunningServer;
let browser: Browser;

before(async () => {
  site = await startSite();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

describe('the keygen lab in the browser', () => {
  test('start, fail, pass, reload into the same shell, end', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const scripts: string[] = [];
    page.on('response', async (response) => {
      if (response.url().endsWith('.js')) scripts.push(await response.text().catch(() => ''));
    });

    await page.goto(`${site.url}${labPage}`);
    const lab = page.locator('[data-lab-id="keygen"]');
    await lab.getByTestId('lab-start').waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(!scripts.some((s) => s.includes('xterm-helper-textarea')), 'xterm.js is not loaded before a lab starts');

    await lab.getByTestId('lab-start').click();
    await lab.getByTestId('lab-terminal').waitFor({ timeout: 30_000 });
    await waitForScreen(page, 'learner@workstation');
    assert.ok(scripts.some((s) => s.includes('xterm-helper-textarea')), 'xterm.js arrives when the lab starts');
    const password = await lab.getByTestId('lab-password').innerText();
    assert.match(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

    const step = lab.getByTestId('lab-step-make-key');
    await step.getByTestId('lab-check').click();
    await step.locator('[data-status="failed"]').or(step.and(page.locator('[data-status="failed"]'))).first().waitFor();
    assert.equal(await step.getAttribute('data-status'), 'failed');
    assert.match(await step.getByTestId('lab-message').innerText(), /no private key at ~\/\.ssh\/id_ed25519/i);

    await typeInTerminal(page, 'ssh-keygen -q -t ed25519 -C "me@e2e" -N "" -f ~/.ssh/id_ed25519 && export E2E_MARK=survives-reload');
    await waitForScreen(page, /\$ \S*\s*$/);
    await page.waitForTimeout(300);
    await step.getByTestId('lab-check').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lab-step-make-key"]')?.getAttribute('data-status') === 'passed', null, { timeout: 15_000 });
    assert.match(await step.getByTestId('lab-message').innerText(), /is an ed25519 key/);

    await page.reload();
    await lab.getByTestId('lab-terminal').waitFor({ timeout: 30_000 });
    await waitForScreen(page, 'learner@workstation');
    await typeInTerminal(page, 'echo "mark=$E2E_MARK"');
    await waitForScreen(page, 'mark=survives-reload');
    // Steps passed earlier show as completed on the list.
    await page.goto(`${site.url}/labs`);
    await page.locator('[data-testid="lab-card"][data-lab-id="keygen"]').waitFor();

    await page.goto(`${site.url}${labPage}`);
    await page.waitForLoadState('networkidle');
    const stored = JSON.parse((await page.evaluate(`localStorage.getItem('ssh-lab:session:keygen')`)) as string) as { id: string };
    assert.equal(labelledContainers(stored.id).length, 1);
    await lab.getByTestId('lab-end').click();
    await lab.getByTestId('lab-start').waitFor();
    await waitFor(() => labelledContainers(stored.id).length === 0, 15_000, 'End to remove the environment');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('dark mode renders the terminal readable', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${site.url}${labPage}`);
    await page.waitForLoadState('networkidle');
    const lab = page.locator('[data-lab-id="keygen"]');
    await lab.getByTestId('lab-start').click();
    await waitForScreen(page, 'learner@workstation', 30_000);
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    // Read the colours in the page, compute the contrast here (functions passed to evaluate must stay free of bundler helpers).
    const [background, foreground] = await page.evaluate(`[
      getComputedStyle(document.querySelector('[data-testid="lab-terminal"] .xterm-scrollable-element') ?? document.querySelector('[data-testid="lab-terminal"] .xterm-viewport')).backgroundColor,
      getComputedStyle(document.querySelector('[data-testid="lab-terminal"] .xterm-rows')).color,
    ]`) as [string, string];
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map(Number).map((v) => v / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const [l1, l2] = [luminance(foreground), luminance(background)];
    const colours = { background, foreground, contrast: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05) };
    assert.ok(luminance(background) < 0.05, `a dark terminal background (${background})`);
    assert.ok(colours.contrast >= 7, `terminal contrast ${colours.contrast.toFixed(1)} (${colours.foreground} on ${colours.background})`);
    await page.screenshot({ path: 'test-results/lab-dark.png', fullPage: false }).catch(() => undefined);
    await lab.getByTestId('lab-end').click();
    await lab.getByTestId('lab-start').waitFor();
    await context.close();
  });
});

describe('every docs page', () => {
  test('renders with no console errors', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/docs/why-ssh`);
    const links = await page.$$eval('nav.menu a[href^="/docs/"]', (as) => [...new Set(as.map((a) => (a as HTMLAnchorElement).pathname))]);
    assert.ok(links.length >= 11, `sidebar lists ${links.length} pages`);
    for (const path of ['/', '/labs', '/interview', ...links]) {
      const errors: string[] = [];
      const onConsole = (m: { type(): string; text(): string }) => m.type() === 'error' && errors.push(m.text());
      const onError = (e: Error) => errors.push(e.message);
      page.on('console', onConsole);
      page.on('pageerror', onError);
      const response = await page.goto(`${site.url}${path}`);
      await page.waitForLoadState('networkidle');
      page.off('console', onConsole);
      page.off('pageerror', onError);
      assert.equal(response?.status(), 200, path);
      assert.deepEqual(errors, [], `console errors on ${path}`);
    }
    await page.close();
  });
});
