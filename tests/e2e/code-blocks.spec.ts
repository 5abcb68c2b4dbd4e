import type { Page } from '@playwright/test';
import { themes } from 'prism-react-renderer';
import { expect, test } from './fixtures.js';

/**
 * Code blocks are hydrated, not rebuilt, after the page loads (src/theme/CodeBlock): they must
 * still take the Prism theme of the colour mode the learner has, at load and when it is toggled.
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
/** Up to five distinct colours of the page's code tokens that have one of their own. */
const tokenColours = (page: Page) =>
  page.evaluate(
    `[...new Set([...document.querySelectorAll('article .theme-code-block .token')].map((t) => t.style.color).filter(Boolean))].slice(0, 5)`,
  ) as Promise<string[]>;

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
      expect(await tokenColours(page), 'tokens are coloured').not.toEqual([]);
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
