import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with the flags this closed network needs. Never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** What a lab widget's terminal shows, read from xterm's DOM rows. */
export async function terminalScreen(page: Page): Promise<string> {
  // xterm renders only while visible.
  await page.locator('[data-testid="lab-terminal"]').scrollIntoViewIfNeeded();
  return page.locator('[data-testid="lab-terminal"] .xterm-rows').innerText();
}

/** Waits until the terminal shows the text (a substring or a pattern); returns what it shows then. */
export async function waitForScreen(page: Page, text: string | RegExp, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = await terminalScreen(page).catch(() => '');
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
    if (Date.now() > deadline) throw new Error(`terminal never showed ${text}; it shows:\n${shown}`);
    await page.waitForTimeout(100);
  }
}

/** Clicks into the terminal, types a line as a learner would, and presses Enter. */
export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('[data-testid="lab-terminal"]').click();
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press('Enter');
}
