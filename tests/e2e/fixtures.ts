import { test as base, expect } from '@playwright/test';
import type { RunningServer } from '../../src/server/main.js';
import { LabWidget } from '../helpers/browser.js';
import { startSite } from '../helpers/site.js';

/**
 * What the browser tests are given:
 * - `site` (one per worker): the production build served by the real backend with real lab
 *   containers, on a free 127.0.0.1 port; `siteEnv` overrides its settings per file
 *   (E2E_SITE_DIR serves another build directory, handy while developing).
 * - `labPage`, `labId`: where the lab under test lives (the keygen lab in its chapter by default).
 * - `labWidget`: that lab, its page not opened yet (`open()`), ended in teardown if a test started
 *   it. `lab`: the same with its page open, the lab started and its shell prompting.
 * - `pageErrors`: uncaught errors of the page, for tests to assert empty.
 */
interface WorkerFixtures {
  siteEnv: Record<string, string>;
  site: RunningServer;
}

interface TestFixtures {
  labPage: string;
  labId: string;
  pageErrors: string[];
  labWidget: LabWidget;
  lab: LabWidget;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  siteEnv: [{}, { option: true, scope: 'worker' }],
  site: [
    async ({ siteEnv }, use) => {
      const siteDir = process.env.E2E_SITE_DIR;
      const site = await startSite({ ...(siteDir ? { SSH_LAB_SITE_DIR: siteDir } : {}), ...siteEnv });
      await use(site);
      await site.close();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ site }, use) => use(site.url),
  labPage: ['/docs/everyday-ssh', { option: true }],
  labId: ['keygen', { option: true }],
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await use(errors);
  },
  labWidget: async ({ page, labPage, labId, pageErrors: _recordedFromTheStart }, use) => {
    const widget = new LabWidget(page, labId, labPage);
    await use(widget);
    await widget.endIfRunning();
  },
  lab: async ({ labWidget }, use) => {
    await labWidget.open();
    await labWidget.start();
    await use(labWidget);
  },
});

export { expect };
