/**
 * In Chromium, against the production build served by the real backend: the CSP lets the site and
 * the terminal work (no violation anywhere), and terminal output cannot make the browser act —
 * no OSC 52 clipboard write, no report replies typed back into the shell.
 */
import type { Page } from '@playwright/test';
import { trackRequests, waitUntilHydrated } from '../helpers/browser.js';
import { test as base, expect } from '../e2e/fixtures.js';
import { pools } from './helpers.js';

/** Console errors and uncaught errors of the page, recorded from its first script on (an auto fixture: before any navigation). */
const test = base.extend<{ problems: string[] }>({
  problems: [
    async ({ page }, use) => {
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
      await use(problems);
    },
    { auto: true },
  ],
});

test.use({ siteEnv: { SSH_LAB_SUBNET_POOL: pools.browser } });

const violations = (page: Page) => page.evaluate('window.__csp || []') as Promise<string[]>;

test.describe('in the browser', () => {
  test('the CSP holds without breaking the site: no violation on the main pages', async ({ page, labPage, problems }) => {
    const requests = trackRequests(page);
    for (const path of ['/', '/labs', '/interview', labPage]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
      expect(csp, `${path}: ${csp}`).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/);
      // Every script has run and every request the page made has answered.
      await waitUntilHydrated(page);
      await requests.settled();
      expect(await violations(page), `${path}: CSP violations`).toEqual([]);
    }
    expect(problems).toEqual([]);
  });

  test('terminal output cannot write the clipboard or type replies into the shell', async ({ page, context, site, lab, problems }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
    await page.evaluate(`navigator.clipboard.writeText('sentinel-before')`);
    // OSC 52 "set clipboard to 'pwned'" (base64 cHduZWQ=), then a marker the shell computes: by
    // the time it shows, xterm has parsed the sequence before it.
    await lab.type(`printf '\\033]52;c;cHduZWQ=\\a'; echo "osc=$((50+2))"`);
    await lab.expectScreen(/osc=52/);
    expect(await page.evaluate('navigator.clipboard.readText()'), 'OSC 52 did not reach the clipboard').toBe('sentinel-before');

    // Report requests: device attributes (primary, secondary), status, cursor position, window
    // size, mode (DECRQM), OSC 10 colour query, DECRQSS. Whatever came back would be read here.
    await lab.type(
      `printf '\\033[c\\033[>c\\033[5n\\033[6n\\033[18t\\033[?1$p\\033]10;?\\007\\033P$qm\\033\\\\'; read -t 2 -r -n 300 x; echo "[got=$((0+\${#x}))]"`,
    );
    const [, got] = await lab.screenMatching(/\[got=(\d+)\]/);
    test.info().annotations.push({ type: 'bytes the shell received back after 8 report requests', description: got! });
    expect(got, 'no report reply was typed into the shell').toBe('0');
    expect(await violations(page), 'the running terminal caused no CSP violation').toEqual([]);
    expect(problems).toEqual([]);
    await lab.end();
  });
});
