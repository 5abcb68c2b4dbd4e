import * as z from 'zod';
import { benchTargetIds, type BenchTargetId } from './bench-targets';

/**
 * What `npm run bench` writes (bench/results/latest.json, bench/baseline.json, bench/levers.json)
 * and the Performance page reads: one schema for both. The benchmark validates what it writes;
 * a unit test validates the committed files, so the page can trust them without bundling zod.
 */

export const baselineVersion = 2;

/** Percentiles of one measurement. */
export const summarySchema = z.object({ n: z.number(), p50: z.number(), p95: z.number(), p99: z.number(), min: z.number(), max: z.number(), mean: z.number() });
export type Summary = z.infer<typeof summarySchema>;

export const targetIdSchema = z.enum(benchTargetIds as [BenchTargetId, ...BenchTargetId[]]);

/** One line of the report, as `npm run bench` prints it. */
export const reportRowSchema = z.object({
  group: z.string(),
  metric: z.string(),
  value: z.union([z.number(), z.string(), z.boolean()]),
  unit: z.string(),
  /** The target this row measures (src/protocol/bench-targets.ts); absent when it measures none. */
  targetId: targetIdSchema.optional(),
  /** The target as written in the row's unit, e.g. "≤ 100" or "no" (from the table, kept for reading the JSON). */
  target: z.string().optional(),
  met: z.boolean().optional(),
  /** The same thing done without SSH Lab (plain docker run, plain OpenSSH), measured in the same run. */
  floor: z.number().optional(),
  /** value ÷ floor. */
  ratio: z.number().optional(),
});
export type ReportRow = z.infer<typeof reportRowSchema>;

export const machineSchema = z.object({
  cpus: z.number(),
  cpuModel: z.string().optional(),
  memoryGb: z.number().optional(),
  /** 1, 5 and 15 minute load averages. */
  loadavg: z.array(z.number()).optional(),
  node: z.string().optional(),
  docker: z.string().optional(),
  runtime: z.string().optional(),
  kernel: z.string().optional(),
});
export type BenchMachineInfo = z.infer<typeof machineSchema>;

export const floorSchema = z.object({
  dockerRunMs: summarySchema.optional(),
  dockerRunPairMs: summarySchema.optional(),
  providerStartOneHostMs: summarySchema.optional(),
  providerStartTwoHostsMs: summarySchema.optional(),
  sshLoginMs: summarySchema.optional(),
  sshPromptMs: summarySchema.optional(),
  sshEchoMs: summarySchema.optional(),
  sshThroughputMBps: z.number().optional(),
  idleHostMemoryMB: z.number().optional(),
  idleHostShimMB: z.number().optional(),
});
export type BenchFloor = z.infer<typeof floorSchema>;

export const promptResultSchema = z.object({
  promptMs: summarySchema,
  createMs: summarySchema.optional(),
  teardownMs: summarySchema.optional(),
  refillMs: summarySchema.optional(),
  misses: z.number().optional(),
});
export type BenchPromptResult = z.infer<typeof promptResultSchema>;

export const throughputSchema = z.object({
  megabytes: z.number(),
  seconds: z.number(),
  MBps: z.number(),
  fastReaderRssGrowthMB: z.number().optional(),
  slow: z
    .object({ ackMBps: z.number(), seconds: z.number(), receivedMB: z.number(), rssBeforeMB: z.number(), rssMaxMB: z.number(), rssGrowthMB: z.number() })
    .optional(),
});
export type BenchThroughput = z.infer<typeof throughputSchema>;

export const capacityPointSchema = z.object({
  sessions: z.number(),
  echoMs: summarySchema,
  containersMB: z.number().optional(),
  shimsMB: z.number().optional(),
  backendRssMB: z.number().optional(),
  systemMB: z.number().optional(),
  perSessionMB: z.object({ containers: z.number(), shims: z.number(), backend: z.number(), system: z.number() }),
  loadavg1: z.number().optional(),
});
export type BenchCapacityPoint = z.infer<typeof capacityPointSchema>;

export const capacitySchema = z.object({
  labId: z.string(),
  cap: z.number(),
  opened: z.number(),
  startMs: summarySchema.optional(),
  startMsByDecile: z.array(z.number()).optional(),
  points: z.array(capacityPointSchema),
  capEnforced: z.boolean().optional(),
  estimatedMachineLimit: z.object({ sessions: z.number(), by: z.string() }).optional(),
  teardownSeconds: z.number().optional(),
});
export type BenchCapacity = z.infer<typeof capacitySchema>;

const pageSchema = z.object({ path: z.string(), jsKB: z.number(), jsFiles: z.number().optional() });
/** One docs page through Lighthouse's default (mobile) preset: scores 0–100, TBT in ms, CLS unitless; failing audit ids by category. */
export const lighthousePageSchema = z.object({
  path: z.string(),
  performance: z.number(),
  accessibility: z.number(),
  bestPractices: z.number(),
  totalBlockingTimeMs: z.number(),
  cumulativeLayoutShift: z.number(),
  largestContentfulPaintMs: z.number().optional(),
  failingAudits: z.record(z.string(), z.array(z.string())).optional(),
});
export type BenchLighthousePage = z.infer<typeof lighthousePageSchema>;
export const siteSchema = z.object({
  buildSeconds: z.number(),
  docsPage: pageSchema.extend({ xterm: z.boolean() }),
  labPage: pageSchema.extend({
    labId: z.string().optional(),
    xterm: z.boolean().optional(),
    afterStartJsKB: z.number(),
    afterStartFiles: z.number().optional(),
    xtermAfterStart: z.boolean(),
    startToPromptMs: z.number(),
  }),
  lighthouse: z.array(lighthousePageSchema).optional(),
});
export type BenchSite = z.infer<typeof siteSchema>;

const loopReadingSchema = z.object({ p50: z.number(), p99: z.number(), max: z.number(), cpuPercent: z.number() });
/** scripts/bench/load.ts: the terminal on a busy machine, once per CPU policy. */
export const loadSchema = z.object({
  labId: z.string(),
  policy: z.string(),
  aloneMBps: z.number(),
  idleEchoMs: summarySchema,
  printing: z.object({ echoMs: summarySchema, printerMBps: z.array(z.number()), loop: loopReadingSchema, loadavg1: z.number() }),
  hogs: z.object({
    echoMs: summarySchema,
    cores: z.array(z.number()),
    evenness: z.number(),
    seconds: z.number(),
    loop: loopReadingSchema,
    loadavg1: z.number(),
  }),
  loadavgAtStart: z.array(z.number()),
});
export type BenchLoad = z.infer<typeof loadSchema>;

/** scripts/bench/class.ts: a class starting together, one scenario each. */
export const classSchema = z.object({
  labId: z.string(),
  learners: z.number(),
  withinSeconds: z.number(),
  seed: z.number(),
  pool: z.string(),
  promptMs: summarySchema,
  commandMs: summarySchema,
  failed: z.number(),
  poolHitRate: z.number(),
  loadavg1Max: z.number(),
  loadavgAtEnd: z.array(z.number()),
  seconds: z.number(),
  firstError: z.string().optional(),
});
export type BenchClass = z.infer<typeof classSchema>;

/** bench/baseline.json (= bench/results/latest.json of the run that was saved). Sections a run skipped are absent. */
export const baselineSchema = z.object({
  version: z.literal(baselineVersion),
  generatedAt: z.string().optional(),
  mode: z.string().optional(),
  minutes: z.number().optional(),
  machine: machineSchema.optional(),
  loadAtEnd: z.array(z.number()).optional(),
  labs: z.object({ oneHost: z.string().optional(), twoHost: z.string().optional() }).optional(),
  rows: z.array(reportRowSchema).default([]),
  floor: floorSchema.optional(),
  timeToPrompt: z.object({ cold: z.record(z.string(), promptResultSchema).optional(), warm: z.record(z.string(), promptResultSchema).optional() }).optional(),
  echo: summarySchema.optional(),
  throughput: throughputSchema.optional(),
  checks: z.record(z.string(), summarySchema).optional(),
  capacity: capacitySchema.optional(),
  site: siteSchema.optional(),
  load: z.array(loadSchema).optional(),
  classes: z.array(classSchema).optional(),
  leftovers: z.array(z.string()).optional(),
  /** `--merge-baseline`: when each section was last replaced. */
  updated: z.record(z.string(), z.string()).optional(),
});
export type BenchBaseline = z.infer<typeof baselineSchema>;

/** bench/levers.json (`npm run bench -- --levers --save-baseline`). */
export const leversFileSchema = z.object({
  version: z.number().optional(),
  generatedAt: z.string().optional(),
  mode: z.string().optional(),
  minutes: z.number().optional(),
  machine: machineSchema.optional(),
  levers: z.array(
    z.object({
      name: z.string(),
      question: z.string(),
      verdict: z.string().optional(),
      variants: z.array(z.object({ name: z.string(), value: z.union([z.number(), z.string()]), unit: z.string(), detail: z.unknown().optional() })),
    }),
  ),
});
export type BenchLeversFile = z.infer<typeof leversFileSchema>;
