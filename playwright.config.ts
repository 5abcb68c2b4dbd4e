import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/lib/chromium.js';

/**
 * The browser tests (tests/e2e/*.spec.ts, tests/security/browser.spec.ts): Debian's Chromium,
 * never a downloaded browser, against the production build served by the real backend and real
 * lab containers (tests/e2e/fixtures.ts). One worker: the machine runs Docker for every lab, and
 * each test still stands alone (`npx playwright test --grep 'dark mode'`).
 * `npm test -- e2e` builds the lab image and the site first when stale; `npx playwright test`
 * runs against build/ as it is (E2E_SITE_DIR serves another build directory).
 */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export default defineConfig({
  testDir: 'tests',
  testMatch: ['e2e/**/*.spec.ts', 'security/browser.spec.ts'],
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // A lab's cold start is a few seconds on a quiet machine, much more on a busy one.
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
    actionTimeout: 20_000,
    navigationTimeout: 60_000,
    trace: 'retain-on-failure',
  },
});
