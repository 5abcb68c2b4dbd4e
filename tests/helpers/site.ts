import type { RunningServer } from '../../src/server/main.js';
import { startTestServer } from './server.js';

/**
 * The production build in build/ served by the real backend (as `npm start` serves it), on a free
 * 127.0.0.1 port. scripts/test.ts builds the site before e2e tests run.
 */
export async function startSite(overrides: Record<string, string> = {}): Promise<RunningServer> {
  return startTestServer({ SSH_LAB_SITE_DIR: 'build', ...overrides });
}
