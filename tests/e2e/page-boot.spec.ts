import { expect, test } from './fixtures.js';

/**
 * How a built page starts its scripts (src/plugins/ssr-template.ts, src/browser/no-viewport-prefetch.ts):
 * the scripts are asked for only after the first paint, and still hydrate the page; a link does
 * not prefetch its page when it comes into view, but does when the pointer reaches it. And what
 * src/plugins/page-boot.ts changes in the bundle: main.js carries Chromium's compile hint, and the
 * two post-hydration updates of src/browser/after-hydration/ still take effect.
 */
const scriptStarts = () =>
  performance
    .getEntriesByType('resource')
    .filter((entry) => /\/assets\/js\/(runtime~)?main\.[0-9a-f]+\.js$/.test(entry.name))
    .map((entry) => entry.startTime);

test('a docs page paints before it asks for its scripts, then hydrates', async ({ page }) => {
  const html = await (await page.request.get('/docs/scp')).text();
  expect(html, 'the HTML itself asks for no script file').not.toMatch(/<script[^>]*\ssrc=/);
  await page.goto('/docs/scp');
  await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
  const firstPaint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
  const starts = await page.evaluate(scriptStarts);
  expect(firstPaint, 'a first contentful paint').toBeGreaterThan(0);
  expect(starts).toHaveLength(2);
  for (const start of starts) expect(start).toBeGreaterThanOrEqual(firstPaint!);
});

test('main.js opens with the compile hint and carries the replaced window-size hook', async ({ page }) => {
  await page.goto('/docs/scp');
  await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
  const main = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => /\/assets\/js\/main\.[0-9a-f]+\.js$/.test(e.name))?.name);
  const source = await (await page.request.get(main!)).text();
  expect(source.startsWith('//# allFunctionsCalledOnLoad\n')).toBe(true);
  expect(source).toContain('windowSizeNow() runs only after hydration');
  expect(source).not.toContain('getWindowSize() should only be called after React hydration');
});

test('after hydration every code block gets its copy button, and the colour mode toggle works', async ({ page }) => {
  await page.goto('/docs/scp');
  await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
  const blocks = await page.locator('article .theme-code-block').count();
  expect(blocks).toBeGreaterThan(3);
  await expect(page.locator('article .theme-code-block button[aria-label="Copy code to clipboard"]')).toHaveCount(blocks);
  // The toggle is disabled until isBrowser turns true (now in a transition).
  const toggle = page.locator('.navbar button[aria-label^="Switch between dark and light mode"]').first();
  await expect(toggle).toBeEnabled();
  const before = await toggle.getAttribute('aria-label');
  await toggle.click();
  await expect(toggle).not.toHaveAttribute('aria-label', before!);
});

test('links do not prefetch on sight; a link the pointer reaches loads its page', async ({ page }) => {
  await page.goto('/docs/scp');
  await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
  await page.mouse.wheel(0, 4000);
  await page.waitForTimeout(500);
  expect(await page.locator('link[rel="prefetch"]').count(), 'nothing prefetched for links in view').toBe(0);

  const next = page.locator('a.pagination-nav__link--next');
  const target = new URL((await next.getAttribute('href'))!, page.url()).pathname;
  const scriptsSince = (count: number) =>
    performance
      .getEntriesByType('resource')
      .slice(count)
      .filter((e) => e.name.includes('/assets/js/')).length;
  const before = await page.evaluate(() => performance.getEntriesByType('resource').length);
  await next.hover();
  await expect.poll(async () => page.evaluate(scriptsSince, before)).toBeGreaterThan(0);
  await next.click();
  await expect(page).toHaveURL(new RegExp(`${target}$`));
  await expect(page.locator('article h1')).toBeVisible();
});

test('the search box still finds a chapter, with lunr loaded by the search worker only', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto('/docs/scp');
  await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
  await page.locator('.navbar__search-input').fill('ProxyJump');
  await expect(page.locator('[class*="suggestion"]').first()).toContainText(/ProxyJump/);
  expect(errors).toEqual([]);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });

  test('the page takes its phone layout after hydration: no desktop sidebar or table of contents', async ({ page }) => {
    await page.goto('/docs/scp');
    await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
    await expect(page.locator('.theme-doc-toc-desktop')).toHaveCount(0);
    await expect(page.locator('.theme-doc-sidebar-menu')).toHaveCount(0);
    await page.locator('.theme-doc-toc-mobile button').click();
    await expect(page.locator('.theme-doc-toc-mobile').getByRole('link').first()).toBeVisible();
  });

  test('the menu is built when it first opens, and then shows the tutorial', async ({ page }) => {
    await page.goto('/docs/scp');
    await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
    await expect(page.locator('.navbar-sidebar')).toHaveCount(0);
    await page.getByRole('button', { name: /toggle navigation bar/i }).click();
    await expect(page.locator('.navbar-sidebar')).toBeVisible();
    await expect(page.locator('.navbar-sidebar').getByRole('link', { name: 'Copying files with SCP' })).toBeVisible();
  });

  test('a code block wider than the screen gets its wrap toggle, which wraps it', async ({ page }) => {
    await page.goto('/docs/scp');
    await expect(page.locator('html[data-has-hydrated="true"]')).toHaveCount(1);
    const block = page
      .locator('article .theme-code-block')
      .filter({ has: page.locator('button[aria-label="Toggle word wrap"]') })
      .first();
    await expect(block).toBeVisible();
    const pre = block.locator('pre');
    expect(await pre.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await block.hover();
    await block.locator('button[aria-label="Toggle word wrap"]').click();
    await expect.poll(() => pre.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(false);
  });
});
