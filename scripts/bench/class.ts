/**
 * A class starting together: learners open the same lab at seeded random moments within a
 * window, each types a command once the prompt appears; all from one address (the bench server
 * raises the per-address limits). Reports time to prompt, failures, pool hit rate and machine load.
 */
import { loadavg } from 'node:os';
import { seededRandom } from '../../src/interview/quiz-core.js';
import { type BenchServer, endAll, log, now, type Session, sleep, summarise, type Summary, timeToPrompt, type TimedTerminal } from './lib.js';

export interface ClassResult {
  labId: string;
  learners: number;
  withinSeconds: number;
  seed: number;
  /** "default pool", "adaptive pool", "warmed to 60 by the operator", … */
  pool: string;
  promptMs: Summary;
  /** The typed command's output after the prompt (ms from Enter). */
  commandMs: Summary;
  failed: number;
  /** Learners served from the pool ÷ learners. */
  poolHitRate: number;
  loadavg1Max: number;
  loadavgAtEnd: number[];
  /** Seconds from the first arrival until the last learner had a prompt. */
  seconds: number;
  /** First failure's message, if any. */
  firstError?: string;
}

export async function measureClass(
  server: BenchServer,
  options: { labId: string; learners: number; withinSeconds: number; seed: number; pool: string },
): Promise<ClassResult> {
  const random = seededRandom(options.seed);
  const arrivals = Array.from({ length: options.learners }, () => random() * options.withinSeconds * 1000).sort((a, b) => a - b);
  const before = (await server.pool())?.stats ?? {};
  const prompts: number[] = [];
  const commands: number[] = [];
  const open: { session: Session; terminal: TimedTerminal }[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let loadMax = loadavg()[0]!;
  const sampler = setInterval(() => (loadMax = Math.max(loadMax, loadavg()[0]!)), 1000);
  const t0 = now();
  log(`class: ${options.learners} learners within ${options.withinSeconds} s, ${options.labId}, ${options.pool}`);
  await Promise.all(
    arrivals.map(async (at) => {
      await sleep(Math.max(0, at - (now() - t0)));
      try {
        const timing = await timeToPrompt(server, options.labId);
        prompts.push(timing.promptMs);
        open.push({ session: timing.session, terminal: timing.terminal });
        const c0 = now();
        await timing.terminal.command('hostname', 30_000);
        commands.push(now() - c0);
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }),
  );
  const seconds = (now() - t0) / 1000;
  clearInterval(sampler);
  const after = (await server.pool())?.stats ?? {};
  const handedOut = (after.handedOut ?? 0) - (before.handedOut ?? 0);
  const result: ClassResult = {
    labId: options.labId,
    learners: options.learners,
    withinSeconds: options.withinSeconds,
    seed: options.seed,
    pool: options.pool,
    promptMs: summarise(prompts),
    commandMs: summarise(commands),
    failed,
    poolHitRate: Math.round((handedOut / options.learners) * 100) / 100,
    loadavg1Max: Math.round(loadMax * 100) / 100,
    loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    seconds: Math.round(seconds * 10) / 10,
    ...(firstError ? { firstError } : {}),
  };
  log(
    `class: prompt p50 ${result.promptMs.p50} / p95 ${result.promptMs.p95} ms, ${failed} failed, pool hit rate ${result.poolHitRate}, load max ${result.loadavg1Max}`,
  );
  // The class ends: every session goes, a few at a time, and the next scenario starts on a quiet machine.
  await endAll(server, open);
  return result;
}

/** PUT /api/admin/pool/:labId: the operator warms a lab ahead of a class. */
export async function warmPool(server: BenchServer, adminToken: string, labId: string, size: number, minutes: number): Promise<void> {
  const response = await fetch(`${server.url}/api/admin/pool/${labId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ size, until: new Date(Date.now() + minutes * 60_000).toISOString() }),
  });
  if (!response.ok) throw new Error(`warming the pool: ${response.status} ${await response.text()}`);
}
