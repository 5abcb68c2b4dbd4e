/**
 * SSH Lab's performance targets: the one table both the benchmark (scripts/bench.ts, which judges
 * each figure against it) and the Performance page (which lists them) read. A report row that
 * measures a target carries its `targetId`; nothing is matched by metric names. No zod here, so
 * the page can import the table without the schema library.
 */

export interface BenchTarget {
  /** What is measured, as the page lists it. */
  what: string;
  /** The goal in words, e.g. "≤ 100 ms". */
  goal: string;
  /** A number the figure must stay at or under (`atMost`) or reach (`atLeast`), or a value it must be (`equals`). */
  limit: { atMost: number } | { atLeast: number } | { equals: boolean };
}

export const benchTargets = {
  'warm-prompt-p50': { what: 'Time to prompt, warm pool, p50', goal: '≤ 100 ms', limit: { atMost: 100 } },
  'warm-prompt-p95': { what: 'Time to prompt, warm pool, p95', goal: '≤ 250 ms', limit: { atMost: 250 } },
  'cold-prompt-two-hosts-p50': { what: 'Time to prompt, cold start of a two-host lab, p50', goal: '≤ 1.0 s', limit: { atMost: 1000 } },
  'cold-prompt-two-hosts-p95': { what: 'Time to prompt, cold start of a two-host lab, p95', goal: '≤ 1.5 s', limit: { atMost: 1500 } },
  'cold-two-hosts-vs-floor': {
    what: 'Cold start of a two-host lab, p50, against the one-host floor (docker run + ssh login)',
    goal: '≤ 1.3×',
    limit: { atMost: 1.3 },
  },
  'echo-p50': { what: 'Keystroke echo, p50', goal: '≤ 2 ms', limit: { atMost: 2 } },
  'echo-p99': { what: 'Keystroke echo, p99', goal: '≤ 10 ms', limit: { atMost: 10 } },
  'throughput-fast-reader': { what: 'Terminal throughput, fast reader', goal: '≥ 30 MB/s', limit: { atLeast: 30 } },
  'slow-reader-memory': { what: 'Backend memory with a slow reader', goal: 'bounded (RSS growth ≤ 50 MB)', limit: { atMost: 50 } },
  'check-p95': { what: 'Full check of a lab, p95', goal: '≤ 300 ms', limit: { atMost: 300 } },
  'capacity-sessions': { what: '100 idle two-host sessions open at once', goal: '100 sessions', limit: { atLeast: 100 } },
  'capacity-echo-p99': { what: 'Keystroke echo with 100 idle two-host sessions, p99', goal: '≤ 20 ms', limit: { atMost: 20 } },
  'load-throughput-alone': {
    what: 'Terminal throughput of one session alone on the machine (CPU shares, no ceiling)',
    goal: '≥ 25 MB/s',
    limit: { atLeast: 25 },
  },
  'load-echo-p99': { what: 'Keystroke echo while 3 other sessions print at full speed, p99', goal: '≤ 10 ms', limit: { atMost: 10 } },
  'load-hogs-even': { what: 'Two CPU hogs in two sessions share the cores evenly (smaller ÷ larger)', goal: '≥ 0.8', limit: { atLeast: 0.8 } },
  'load-hogs-echo-p99': { what: 'Keystroke echo of a third session beside two CPU hogs, p99', goal: '≤ 10 ms', limit: { atMost: 10 } },
  'class-30-in-60-p95': {
    what: 'Class start: 30 learners within 60 s on a two-host lab, no warning, time to prompt p95',
    goal: '≤ 2 s',
    limit: { atMost: 2000 },
  },
  'class-60-in-30-p95': {
    what: 'Class start: 60 learners within 30 s, no warning (the pool adapts), time to prompt p95',
    goal: '≤ 5 s',
    limit: { atMost: 5000 },
  },
  'class-warm-60-in-30-p95': {
    what: 'Class start: 60 learners within 30 s, pool warmed by the operator, time to prompt p95',
    goal: '≤ 500 ms',
    limit: { atMost: 500 },
  },
  'class-failed': { what: 'Class start: learners who got no prompt', goal: 'none', limit: { atMost: 0 } },
  'docs-page-without-xterm': { what: 'A docs page without a lab ships no xterm.js code', goal: 'no xterm', limit: { equals: false } },
  'lighthouse-performance': { what: 'Lighthouse performance score per docs page (mobile preset)', goal: '≥ 90', limit: { atLeast: 90 } },
  'lighthouse-accessibility': { what: 'Lighthouse accessibility score per docs page', goal: '100', limit: { atLeast: 100 } },
  'lighthouse-best-practices': { what: 'Lighthouse best-practices score per docs page', goal: '100', limit: { atLeast: 100 } },
  'lighthouse-total-blocking-time': { what: 'Total blocking time per docs page (Lighthouse, mobile preset)', goal: '≤ 200 ms', limit: { atMost: 200 } },
  'lighthouse-cumulative-layout-shift': { what: 'Cumulative layout shift per docs page (Lighthouse, mobile preset)', goal: '≤ 0.1', limit: { atMost: 0.1 } },
} as const satisfies Record<string, BenchTarget>;

export type BenchTargetId = keyof typeof benchTargets;

/** Every target, in the order the page lists them. */
export const benchTargetIds = Object.keys(benchTargets) as BenchTargetId[];

export function isBenchTargetId(id: string): id is BenchTargetId {
  return Object.hasOwn(benchTargets, id);
}

/** A figure judged against its target: the target as the report row writes it ("≤ 100", "≥ 30", "no"), and whether it was met. */
export function judge(id: BenchTargetId, value: number | boolean | string): { target: string; met: boolean } {
  const limit: BenchTarget['limit'] = benchTargets[id].limit;
  if ('equals' in limit) return { target: limit.equals ? 'yes' : 'no', met: value === limit.equals };
  if (typeof value !== 'number') return { target: 'atMost' in limit ? `≤ ${limit.atMost}` : `≥ ${limit.atLeast}`, met: false };
  return 'atMost' in limit ? { target: `≤ ${limit.atMost}`, met: value <= limit.atMost } : { target: `≥ ${limit.atLeast}`, met: value >= limit.atLeast };
}
