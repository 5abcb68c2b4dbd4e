/**
 * In Chromium, against the production build served by the real backend: the CSP lets the site and
 * the terminal work (no violation anywhere), and terminal output cannot make the browser act —
 * no OSC 52 clipboard write, no report replies typed back into the shell.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../src/server/main.js';
import { ensureSite } from '../../scripts/lib/site-build.js';
import { launchBrowser, typeInTerminal, waitForScreen } from '../helpers/browser.js';
import { startSite } from '../helpers/site.js';
import { pools } from './helpers.js';

const labPage = '/docs/everyday-ssh';
let site: RunningServer;
let browser: Browser;

before(async () => {
  await ensureSite();
  site = await startSite({ SSH_LAB_SUBNET_POOL: pools.browser });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

/** A page that records CSP violations and console errors from its first script on. */
async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // The refused eval probe (see below) is reported on the console too.
    if (m.type() === 'error' && !/Refused to evaluate a string as JavaScript/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // zod 4 probes once whether eval is allowed (new Function in a try/catch) and falls back to
  // its interpreter when it is not: that refused probe is the CSP doing its job, not a breakage.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    if (e.blockedURI === 'eval') {
      (window.__evalProbes = (window.__evalProbes || 0) + 1);
      return;
    }
    (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
  });`);
  return { page, problems };
}

describe('in the browser', { timeout: 600_000 }, () => {
  test('the CSP holds without breaking the site: no violation on the main pages', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    for (const path of ['/', '/labs', '/interview', labPage]) {
      const response = await page.goto(`${site.url}${path}`);
      assert.equal(response?.status(), 200, path);
      const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/, `${path}: ${csp}`);
      await page.waitForLoadState('networkidle');
      const violations = (await page.evaluate('window.__csp || []')) as string[];
      assert.deepEqual(violations, [], `${path}: CSP violations`);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('terminal output cannot write the clipboard or type replies into the shell', async (t) => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${site.url}${labPage}`);
    await page.waitForLoadState('networkidle');
    const lab = page.locator('[data-lab-id="keygen"]');
    await lab.getByTestId('lab-start').click();
    await waitForScreen(page, /learner@workstation/, 30_000);

    await page.evaluate(`navigator.clipboard.writeText('sentinel-before')`);
    // OSC 52 "set clipboard to 'pwned'" (base64 cHduZWQ=).
    await typeInTerminal(page, `printf '\\033]52;c;cHduZWQ=\\a'; echo "osc=$((50+2))"`);
    await waitForScreen(page, /osc=52/);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), 'sentinel-before', 'OSC 52 did not reach the clipboard');

    // Report requests: device attributes (primary, secondary), status, cursor position, window
    // size, mode (DECRQM), OSC 10 colour query, DECRQSS. Whatever came back would be read here.
    await typeInTerminal(page, `printf '\\033[c\\033[>c\\033[5n\\033[6n\\033[18t\\033[?1$p\\033]10;?\\007\\033P$qm\\033\\\\'; read -t 2 -r -n 300 x; echo "[got=$((0+\${#x}))]"`);
    const shown = await waitForScreen(page, /\[got=\d+\]/, 15_000);
    const got = /\[got=(\d+)\]/.exec(shown)![1];
    t.diagnostic(`bytes the shell received back after 8 report requests: ${got}`);
    assert.equal(got, '0', 'no report reply was typed into the shell');
    assert.equal((await page.evaluate('(window.__csp || []).length')) as number, 0, 'the running terminal caused no CSP violation');
    assert.deepEqual(problems, []);

    await lab.getByTestId('lab-end').click();
    await lab.getByTestId('lab-start').waitFor();
    await context.close();
  });
});
