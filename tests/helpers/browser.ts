import { expect, type Locator, type Page, type Request } from '@playwright/test';

/**
 * A lab widget in a page, as a learner sees it. Terminal text is read from xterm's rendered rows
 * (the widget does not expose its Terminal object) through a locator, so every read is a
 * web-first assertion that retries until the text is there or the timeout says what was shown.
 */
export class LabWidget {
  readonly root: Locator;
  readonly terminal: Locator;
  /** What the terminal shows now: xterm's visible rows. */
  readonly screen: Locator;
  #running = false;

  constructor(
    readonly page: Page,
    readonly id: string,
    /** The page (a path under the test's baseURL) that holds this lab. */
    readonly path: string,
  ) {
    this.root = page.locator(`[data-lab-id="${id}"]`);
    this.terminal = this.root.getByTestId('lab-terminal');
    this.screen = this.terminal.locator('.xterm-rows');
  }

  get startButton(): Locator {
    return this.root.getByTestId('lab-start');
  }

  get endButton(): Locator {
    return this.root.getByTestId('lab-end');
  }

  step(stepId: string): Locator {
    return this.root.getByTestId(`lab-step-${stepId}`);
  }

  /** Opens the lab's page and waits until its widget can be started (or resumed). */
  async open(): Promise<void> {
    await this.page.goto(this.path);
    await waitUntilHydrated(this.page);
    await expect(this.startButton.or(this.endButton)).toBeVisible();
  }

  /** Clicks Start and waits for the workstation's prompt. */
  async start(): Promise<void> {
    await this.startButton.click();
    this.#running = true;
    await this.waitForShell();
  }

  /** The terminal is attached and the shell prompts (after a start, a reload or a resume). */
  async waitForShell(): Promise<void> {
    await expect(this.terminal).toBeVisible({ timeout: 60_000 });
    this.#running = true;
    await expect(this.root.getByTestId('lab-connection')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
    await this.expectScreen('learner@workstation');
  }

  /** Waits until the terminal shows the text (a substring or a pattern). */
  async expectScreen(text: string | RegExp, timeout?: number): Promise<void> {
    // xterm renders rows only while its element is visible.
    await this.terminal.scrollIntoViewIfNeeded();
    await expect(this.screen).toContainText(text, { useInnerText: true, timeout });
  }

  /** What the terminal shows once it matches the pattern (for reading a value out of it). */
  async screenMatching(pattern: RegExp, timeout?: number): Promise<RegExpExecArray> {
    await this.expectScreen(pattern, timeout);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, what a learner sees, is what is asserted.
    const match = pattern.exec(await this.screen.innerText());
    expect(match, `terminal shows ${pattern}`).not.toBeNull();
    return match!;
  }

  /** Clicks into the terminal, types a line as a learner would, and presses Enter. */
  async type(line: string): Promise<void> {
    await this.terminal.click();
    await this.page.keyboard.type(line, { delay: 5 });
    await this.page.keyboard.press('Enter');
  }

  /** Clicks End and waits for the widget to offer a fresh start. */
  async end(): Promise<void> {
    await this.endButton.click();
    await expect(this.startButton).toBeVisible();
    this.#running = false;
  }

  /** Fixture teardown: ends a lab the test left running. The backend's close removes the rest. */
  async endIfRunning(): Promise<void> {
    if (!this.#running || this.page.isClosed()) return;
    await this.end().catch(() => undefined);
  }
}

/** React has hydrated the page: Docusaurus enables its colour-mode toggle only in the browser. */
export async function waitUntilHydrated(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: /switch between dark and light mode/i }).first()).toBeEnabled();
}

/**
 * Counts the page's requests in flight; `settled()` waits until every request made so far has
 * finished: a condition to wait for, where `networkidle` would wait for a quiet half second.
 */
export function trackRequests(page: Page): { settled(): Promise<void> } {
  const inflight = new Set<Request>();
  page.on('request', (r) => inflight.add(r));
  page.on('requestfinished', (r) => inflight.delete(r));
  page.on('requestfailed', (r) => inflight.delete(r));
  return {
    settled: () => expect.poll(() => [...inflight].map((r) => r.url()), { message: 'requests still in flight' }).toEqual([]),
  };
}
