import type { StepResult } from '../protocol/api.js';
import type { ApiClient } from './api-client.js';
import type { LoadedLab } from './load.js';
import { replay } from './replay.js';
import type { ReplayAction } from './schema.js';
import type { TemplateValues } from './template.js';
import { TerminalClient } from './terminal-client.js';

export interface ValidationCase {
  name: string;
  ok: boolean;
  detail: string;
  steps?: StepResult[];
}

/** Fresh session → replay through the real terminal path → check → end. */
async function withSession<T>(
  api: ApiClient,
  lab: LoadedLab,
  work: (terminal: TerminalClient, values: TemplateValues, session: { id: string; token: string }) => Promise<T>,
): Promise<T> {
  const session = await api.createSession(lab.id);
  let terminal: TerminalClient | undefined;
  try {
    terminal = await TerminalClient.open(api.baseUrl, session);
    await terminal.waitForPrompt();
    // A client sees host names and fingerprints, not addresses: replays use what a learner could.
    const hosts = Object.fromEntries(
      session.hosts.map((h) => [h.name, { fingerprint: session.facts[`${h.name}.fingerprint`] ?? '', address: h.name, publicKey: '', port: h.ports[0] ?? 22 }]),
    );
    const values: TemplateValues = { password: session.password, user: session.user, hosts };
    return await work(terminal, values, session);
  } finally {
    await terminal?.close();
    await api.endSession(session);
  }
}

const summary = (steps: StepResult[]) => steps.map((s) => `${s.passed ? 'PASS' : 'FAIL'} ${s.id}: ${s.message}`).join('\n');

/** The reference solution, typed step by step, passes every step. */
export async function validateSolution(api: ApiClient, lab: LoadedLab): Promise<ValidationCase> {
  return withSession(api, lab, async (terminal, values, session) => {
    for (const step of lab.steps) await replay(terminal, lab.solution[step.id] as ReplayAction[], values);
    const steps = await api.check(session);
    return { name: 'solution passes every step', ok: steps.every((s) => s.passed), detail: summary(steps), steps };
  });
}

/** A fresh environment passes no step. */
export async function validateFresh(api: ApiClient, lab: LoadedLab): Promise<ValidationCase> {
  return withSession(api, lab, async (_terminal, _values, session) => {
    const steps = await api.check(session);
    return { name: 'a fresh environment fails every step', ok: steps.every((s) => !s.passed), detail: summary(steps), steps };
  });
}

/** Each listed mistake fails its step with the intended message. */
export async function validateMistake(api: ApiClient, lab: LoadedLab, index: number): Promise<ValidationCase> {
  const mistake = lab.mistakes[index]!;
  return withSession(api, lab, async (terminal, values, session) => {
    // Steps before the mistaken one are done right first, as a learner would have.
    for (const step of lab.steps) {
      if (step.id === mistake.step) break;
      await replay(terminal, lab.solution[step.id] as ReplayAction[], values);
    }
    await replay(terminal, mistake.commands, values);
    const [result] = await api.check(session, mistake.step);
    const ok = Boolean(result && !result.passed && result.message.includes(mistake.message));
    return {
      name: `mistake "${mistake.name}" fails ${mistake.step} with "${mistake.message}"`,
      ok,
      detail: result ? `${result.passed ? 'PASS' : 'FAIL'} ${result.id}: ${result.message}` : 'no result',
      ...(result ? { steps: [result] } : {}),
    };
  });
}
