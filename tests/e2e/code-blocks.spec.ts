import type { Page } from '@playwright/test';
import { themes } from 'prism-react-renderer';
import { expect, test } from './fixtures.js';

/**
 * Code blocks are highlighted at build time and coloured by class (src/plugins/prism-static.ts,
 * src/theme/CodeBlock/Content): they must take the Prism theme of the colour mode the learner
 * has, at load and when it is toggled, and no page may load Prism's grammars to get there.
 */

/** '#282A36' or 'rgb(40, 42, 54)' as 'rgb(40, 42, 54)'. */
function rgb(color: string): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return hex
    ? `rgb(${hex
        .slice(1)
        .map((h) => Number.parseInt(h, 16))
        .join(', ')})`
    : color;
}

const codeBackground = (page: Page) =>
  page.evaluate(`getComputedStyle(document.querySelector('article .theme-code-block pre.prism-code')).backgroundColor`) as Promise<string>;
/** The distinct colours the page's code tokens are shown in, sorted. */
const tokenColours = (page: Page) =>
  page.evaluate(`[...new Set([...document.querySelectorAll('article .theme-code-block .token')].map((t) => getComputedStyle(t).color))].sort()`) as Promise<
    string[]
  >;

for (const [scheme, theme, other] of [
  ['light', themes.github, themes.dracula],
  ['dark', themes.dracula, themes.github],
] as const) {
  test.describe(`in ${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    test("code blocks take this mode's Prism theme at load, and the other one's when the mode is toggled", async ({ page }) => {
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto('/docs/scp');
      await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
      await expect.poll(() => codeBackground(page)).toBe(rgb(theme.plain.backgroundColor!));
      expect((await tokenColours(page)).length, 'tokens are coloured, not all in one colour').toBeGreaterThan(2);
      const before = await tokenColours(page);

      // The toggle cycles through the learner's choices (system, light, dark): press until the mode changes.
      const toggled = scheme === 'light' ? 'dark' : 'light';
      for (let press = 0; press < 3 && (await page.locator('html').getAttribute('data-theme')) !== toggled; press++) {
        await page.getByRole('button', { name: /switch between dark and light mode/i }).click();
      }
      await expect(page.locator('html')).toHaveAttribute('data-theme', toggled);
      await expect.poll(() => codeBackground(page)).toBe(rgb(other.plain.backgroundColor!));
      expect(await tokenColours(page)).not.toEqual(before);
      expect(errors, 'no hydration or other console errors').toEqual([]);
    });
  });
}

test('a chapter comes highlighted from the build, and no script the page loads carries a Prism grammar', async ({ page, request }) => {
  const html = await (await request.get('/docs/scp')).text();
  expect(html, 'the served HTML has Prism tokens').toMatch(/<span class="token (function|comment)">/);

  const scripts: string[] = [];
  page.on('response', (response) => response.request().resourceType() === 'script' && scripts.push(response.url()));
  await page.goto('/docs/scp', { waitUntil: 'networkidle' });
  expect(scripts.length, 'the page loaded its scripts').toBeGreaterThan(2);
  for (const url of scripts) {
    const body = await (await request.get(url)).text();
    expect(body.includes('languages.bash'), `${url} carries Prism's bash grammar`).toBe(false);
  }
});
