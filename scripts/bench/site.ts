/**
 * The site: production build time, and JavaScript transferred in Chromium for a docs page without
 * a lab and for a lab page before and after Start. The build runs in a copy of the sources (with
 * node_modules linked) so it never touches build/ or .docusaurus/ that others may be using.
 * Then Lighthouse on every docs page of that build (./lighthouse.ts), after the Chromium page
 * measurements so the two never share the CPU.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { BenchLighthousePage } from '../../src/protocol/bench-report.js';
import { projectRoot } from '../../src/server/environments/image.js';
import { chromiumArgs, chromiumPath } from '../lib/chromium.js';
import { compressSite } from '../lib/site-build.js';
import { BenchServer, log, now } from './lib.js';
import { docsPagesOf, lighthousePages } from './lighthouse.js';

export interface SiteResult {
  buildSeconds: number;
  docsPage: { path: string; jsKB: number; jsFiles: number; xterm: boolean };
  labPage: {
    path: string;
    labId: string;
    jsKB: number;
    jsFiles: number;
    xterm: boolean;
    afterStartJsKB: number;
    afterStartFiles: number;
    xtermAfterStart: boolean;
    startToPromptMs: number;
  };
  /** Lighthouse (mobile preset) on every docs page of the same build, served by the same backend. */
  lighthouse: BenchLighthousePage[];
}

// scripts/lib: the build's own plugins import from it (the mermaid renderer's Chromium flags).
const copied = ['docs', 'src', 'labs', 'static', 'bench', 'scripts/lib', 'docusaurus.config.ts', 'sidebars.ts', 'package.json', 'tsconfig.json'];

export async function buildSiteCopy(): Promise<{ dir: string; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-lab-bench-site-'));
  for (const item of copied) {
    if (existsSync(join(projectRoot, item))) cpSync(join(projectRoot, item), join(dir, item), { recursive: true });
  }
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  log('site: npx docusaurus build (in a copy of the sources)');
  const t0 = now();
  await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', ['docusaurus', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (c) => (c === 0 ? resolve(0) : reject(new Error(`docusaurus build failed (${c}):\n${err}`))));
  });
  const seconds = Math.round(((now() - t0) / 1000) * 10) / 10;
  compressSite(join(dir, 'build'));
  return { dir, seconds };
}

function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', ...chromiumArgs],
  });
}

export async function measureSite(options: { docsPath: string; labPath: string; labId: string }): Promise<SiteResult> {
  const { dir, seconds } = await buildSiteCopy();
  let server: BenchServer | undefined;
  const browser = await launch();
  try {
    server = await BenchServer.start({ SSH_LAB_SITE_DIR: join(dir, 'build') });
    const context = await browser.newContext();
    const page = await context.newPage();
    // Bytes come from the page's own Resource Timing (transferSize: what crossed the wire, after
    // compression); whether a script is xterm's is read from the response bodies.
    const xtermScripts = new Set<string>();
    let pending: Promise<void>[] = [];
    const track = (p: Page) =>
      p.on('requestfinished', (request) => {
        const read = (async () => {
          if (!request.url().endsWith('.js')) return;
          const body = (await (await request.response())?.text().catch(() => '')) ?? '';
          if (body.includes('xterm-helper-textarea')) xtermScripts.add(request.url());
        })();
        pending.push(read.catch(() => undefined));
      });
    track(page);
    const scripts = (p: Page) =>
      p.evaluate(() =>
        (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((e) => new URL(e.name).pathname.endsWith('.js'))
          .map((e) => ({ url: e.name, bytes: e.transferSize })),
      );
    const total = async (p: Page, except: Set<string> = new Set()) => {
      await Promise.all(pending);
      pending = [];
      const js = (await scripts(p)).filter((s) => !except.has(s.url));
      return {
        kb: Math.round(js.reduce((sum, j) => sum + j.bytes, 0) / 1024),
        files: js.length,
        xterm: js.some((j) => xtermScripts.has(j.url)),
        urls: new Set(js.map((j) => j.url)),
      };
    };

    log(`site: ${options.docsPath} in Chromium`);
    await page.goto(`${server.url}${options.docsPath}`, { waitUntil: 'networkidle' });
    await page.waitForTimeout(500);
    const docs = await total(page);

    log(`site: ${options.labPath}, then Start on ${options.labId}`);
    // A new context: nothing cached from the first page.
    await context.close();
    const context2 = await browser.newContext();
    const page2 = await context2.newPage();
    track(page2);
    await page2.goto(`${server.url}${options.labPath}`, { waitUntil: 'networkidle' });
    await page2.waitForTimeout(500);
    const lab = await total(page2);
    const widget = page2.locator(`[data-lab-id="${options.labId}"]`);
    const t0 = now();
    await widget.getByTestId('lab-start').click();
    await widget.getByTestId('lab-terminal').waitFor({ timeout: 60_000 });
    await widget.getByTestId('lab-terminal').scrollIntoViewIfNeeded(); // xterm renders only while visible
    await page2.waitForFunction(
      (id) => /learner@workstation/.test(document.querySelector(`[data-lab-id="${id}"] [data-testid="lab-terminal"] .xterm-rows`)?.textContent ?? ''),
      options.labId,
      { timeout: 60_000 },
    );
    const startToPromptMs = Math.round(now() - t0);
    await page2.waitForTimeout(500);
    const after = await total(page2, lab.urls);
    await widget
      .getByTestId('lab-end')
      .click()
      .catch(() => undefined);
    await widget
      .getByTestId('lab-start')
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    await context2.close();
    await browser.close();
    const lighthouse = await lighthousePages(server.url, docsPagesOf(join(dir, 'build')));
    return {
      buildSeconds: seconds,
      docsPage: { path: options.docsPath, jsKB: docs.kb, jsFiles: docs.files, xterm: docs.xterm },
      labPage: {
        path: options.labPath,
        labId: options.labId,
        jsKB: lab.kb,
        jsFiles: lab.files,
        xterm: lab.xterm,
        afterStartJsKB: after.kb,
        afterStartFiles: after.files,
        xtermAfterStart: after.xterm,
        startToPromptMs,
      },
      lighthouse,
    };
  } finally {
    await browser.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
