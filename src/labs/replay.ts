import type { ReplayAction } from './schema.js';
import { fillTemplate, type TemplateValues } from './template.js';
import type { TerminalClient } from './terminal-client.js';

/**
 * Types a lab's solution (or a mistake) into a real terminal, as a learner would:
 * a command is typed with Enter and followed to the next prompt (or to `expect`);
 * `{ expect, send }` waits for text such as a password prompt and answers it.
 */
export async function replay(terminal: TerminalClient, actions: ReplayAction[], values: TemplateValues, timeoutMs = 30_000): Promise<void> {
  let cursor = terminal.text().length;
  const waitFor = async (needle: string) => {
    const from = cursor;
    await terminal.waitUntil((text) => text.indexOf(needle, from) >= 0, timeoutMs, JSON.stringify(needle));
    cursor = terminal.text().indexOf(needle, from) + needle.length;
  };
  let atPrompt = true;
  for (const action of actions) {
    if (typeof action === 'string' || 'run' in action) {
      const command = typeof action === 'string' ? action : action.run;
      const expect = typeof action === 'string' ? undefined : action.expect;
      if (!atPrompt) {
        await terminal.waitForPrompt(cursor, timeoutMs);
        cursor = terminal.text().length;
      }
      cursor = terminal.text().length;
      terminal.type(`${fillTemplate(command, values)}\r`);
      if (expect) {
        await waitFor(expect);
        atPrompt = false;
      } else {
        await terminal.waitForPrompt(cursor, timeoutMs);
        cursor = terminal.text().length;
        atPrompt = true;
      }
    } else {
      await waitFor(action.expect);
      terminal.type(fillTemplate(action.send, values));
      atPrompt = false;
    }
  }
  if (!atPrompt) await terminal.waitForPrompt(cursor, timeoutMs);
}
