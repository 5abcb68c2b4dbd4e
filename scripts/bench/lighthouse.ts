/**
 * Lighthouse on every docs page of a production build, with Lighthouse's default preset (mobile
 * form factor, simulated throttling), in Debian's Chromium launched here with its DevTools port on
 * 127.0.0.1. Pages run one after another in the same browser: the machine has 2 cores, and
 * parallel runs would measure each other.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import type { BenchLighthousePage } from '../../src/protocol/bench-report.js';
import { chromiumArgs, chromiumPath } from '../lib/chromium.js';
import { log } from './lib.js';

const categories = ['performance', 'accessibility', 'best-practices'] as const;

/** The docs pages of a build: /docs/<slug> for each build/docs/<slug>.html. */
export function docsPagesOf(buildDir: string): string[] {
  const docs = join(buildDir, 'docs');
  if (!existsSync(docs)) return [];
  return readdirSync(docs)
    .filter((f) => f.endsWith('.html'))
    .map((f) => `/docs/${f.slice(0, -'.html'.length)}`)
    .sort();
}

const score = (s: number | null | undefined) => (s === null || s === undefined ? 0 : Math.round(s * 100));

/** Attempts per page: on a loaded machine Chromium sometimes loses the trace (NO_NAVSTART, NO_FCP). */
const attempts = 3;

/** One page's report, or nothing (logged) when every attempt failed: one lost trace must not drop the other pages. */
async function audit(url: string, port: number) {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    log(`site: Lighthouse ${new URL(url).pathname}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const result = await lighthouse(url, { port, hostname: '127.0.0.1', output: 'json', logLevel: 'error', onlyCategories: [...categories] });
    const error = result ? result.lhr.runtimeError : { code: 'NO_RESULT', message: 'Lighthouse returned nothing' };
    if (result && !error) return result.lhr;
    log(`site: Lighthouse ${url}: ${error?.code} ${error?.message}`);
  }
  return undefined;
}

export async function lighthousePages(baseUrl: string, paths: string[]): Promise<BenchLighthousePage[]> {
  const chrome = await chromeLauncher.launch({
    chromePath: chromiumPath,
    chromeFlags: ['--headless=new', '--remote-debugging-address=127.0.0.1', ...chromiumArgs],
    logLevel: 'silent',
  });
  const pages: BenchLighthousePage[] = [];
  try {
    for (const path of paths) {
      const lhr = await audit(`${baseUrl}${path}`, chrome.port);
      if (!lhr) continue;
      // Audits that lost points, by category, so a missed score says what to fix.
      const failingAudits: Record<string, string[]> = {};
      for (const name of categories) {
        const failing = (lhr.categories[name]?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0)
          .map((ref) => lhr.audits[ref.id])
          .filter((audit) => audit && audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative')
          .map((audit) => audit!.id);
        if (failing.length) failingAudits[name] = failing;
      }
      pages.push({
        path,
        performance: score(lhr.categories.performance?.score),
        accessibility: score(lhr.categories.accessibility?.score),
        bestPractices: score(lhr.categories['best-practices']?.score),
        totalBlockingTimeMs: Math.round(lhr.audits['total-blocking-time']?.numericValue ?? Number.NaN),
        cumulativeLayoutShift: Math.round((lhr.audits['cumulative-layout-shift']?.numericValue ?? Number.NaN) * 1000) / 1000,
        largestContentfulPaintMs: Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? Number.NaN),
        failingAudits,
      });
    }
  } finally {
    chrome.kill();
  }
  return pages;
}
