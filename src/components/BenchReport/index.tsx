/**
 * Renders SSH Lab's committed benchmark baseline (bench/baseline.json, written by
 * `npm run bench -- --save-baseline`) on docs/performance.mdx. Every section of a run is optional:
 * a quick run or `--only=` leaves some out, and each component then says "not measured in this run".
 * Charts are hand-drawn SVG coloured with Infima variables, so they follow the light and dark themes.
 */
import baselineJson from '@site/bench/baseline.json';
import clsx from 'clsx';
import { useId, type ReactNode } from 'react';
import type { ReportRow as BenchRow, Summary as BenchSummary } from '../../protocol/bench-report';
import styles from './styles.module.css';

// ---------------------------------------------------------------- the shape of a run

/** Percentiles of one measurement, and one line of the report: shared with scripts/bench. */
export type { ReportRow as BenchRow, Summary as BenchSummary } from '../../protocol/bench-report';

export interface BenchMachineInfo {
  cpus: number;
  cpuModel?: string;
  memoryGb?: number;
  /** 1, 5 and 15 minute load averages. */
  loadavg?: number[];
  node?: string;
  docker?: string;
  runtime?: string;
  kernel?: string;
}

export interface BenchFloor {
  dockerRunMs?: BenchSummary;
  providerStartOneHostMs?: BenchSummary;
  sshLoginMs?: BenchSummary;
  sshPromptMs?: BenchSummary;
  sshEchoMs?: BenchSummary;
  sshThroughputMBps?: number;
  idleHostMemoryMB?: number;
  idleHostShimMB?: number;
}

export interface BenchPromptResult {
  promptMs: BenchSummary;
  createMs?: BenchSummary;
  teardownMs?: BenchSummary;
  refillMs?: BenchSummary;
  misses?: number;
}

export interface BenchThroughput {
  megabytes: number;
  seconds: number;
  MBps: number;
  fastReaderRssGrowthMB?: number;
  slow?: { ackMBps: number; seconds: number; receivedMB: number; rssBeforeMB: number; rssMaxMB: number; rssGrowthMB: number };
}

export interface BenchCapacityPoint {
  sessions: number;
  echoMs: BenchSummary;
  containersMB?: number;
  shimsMB?: number;
  backendRssMB?: number;
  systemMB?: number;
  perSessionMB: { containers: number; shims: number; backend: number; system: number };
  loadavg1?: number;
}

export interface BenchCapacity {
  labId: string;
  cap: number;
  opened: number;
  startMs?: BenchSummary;
  startMsByDecile?: number[];
  points: BenchCapacityPoint[];
  capEnforced?: boolean;
  estimatedMachineLimit?: { sessions: number; by: string };
  teardownSeconds?: number;
}

export interface BenchSite {
  buildSeconds: number;
  docsPage: { path: string; jsKB: number; jsFiles?: number; xterm: boolean };
  labPage: { path: string; labId?: string; jsKB: number; jsFiles?: number; xterm?: boolean; afterStartJsKB: number; afterStartFiles?: number; xtermAfterStart: boolean; startToPromptMs: number };
}

/** bench/baseline.json (= bench/results/latest.json of the run that was saved). Sections a run skipped are absent. */
export interface BenchBaseline {
  version?: number;
  generatedAt?: string;
  mode?: 'quick' | 'full' | (string & {});
  minutes?: number;
  machine?: BenchMachineInfo;
  loadAtEnd?: number[];
  labs?: { oneHost?: string; twoHost?: string };
  rows?: BenchRow[];
  floor?: BenchFloor;
  timeToPrompt?: { cold?: Record<string, BenchPromptResult>; warm?: Record<string, BenchPromptResult> };
  echo?: BenchSummary;
  throughput?: BenchThroughput;
  checks?: Record<string, BenchSummary>;
  capacity?: BenchCapacity;
  site?: BenchSite;
  leftovers?: string[];
}

/** bench/levers.json (`npm run bench -- --levers --save-baseline`). */
export interface BenchLeversFile {
  generatedAt?: string;
  mode?: string;
  minutes?: number;
  machine?: BenchMachineInfo;
  levers: { name: string; question: string; verdict?: string; variants: { name: string; value: number | string; unit: string }[] }[];
}

/** The committed baseline; every component takes `data` to render another run instead. */
export const baseline = baselineJson as unknown as BenchBaseline;

interface DataProps {
  data?: BenchBaseline;
}

// ---------------------------------------------------------------- formatting (deterministic: the same on the server and in the browser)

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** 1234.5 -> "1,234.5"; at most `decimals` decimals, trailing zeros dropped. */
export function formatNumber(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) return '—';
  let text = Math.abs(value).toFixed(decimals);
  if (text.includes('.')) text = text.replace(/\.?0+$/, '');
  const [whole = '0', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 && text !== '0' ? '−' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** Milliseconds with sensible precision: "0.37 ms", "42.2 ms", "807 ms", "1.16 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${formatNumber(ms / 1000, 2)} s`;
  return `${formatNumber(ms, ms >= 100 ? 0 : ms >= 10 ? 1 : 2)} ms`;
}

function formatValue(value: BenchRow['value']): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

/** "ms p50" -> "ms": the unit a target is written in. */
const baseUnit = (unit: string) => unit.split(' ')[0] ?? '';

/** Baselines saved before bench.ts learnt the singular say "(1 hosts)". */
const tidyMetric = (metric: string) => metric.replace(/\(1 hosts\)/g, '(1 host)');

function formatWhen(iso: string | undefined): string {
  if (!iso) return 'at an unrecorded time';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function Missing({ children }: { children: ReactNode }) {
  return <p className={styles.missing}>{children}</p>;
}

function MetBadge({ met }: { met: boolean | undefined }) {
  if (met === undefined) return <span className={styles.na}>—</span>;
  return met ? <span className={styles.met}>✔ met</span> : <span className={styles.missed}>✘ missed</span>;
}

// ---------------------------------------------------------------- the machine

/** When, how and on what the run was made, with the load average at its start and end. */
export function BenchMachine({ data = baseline }: DataProps) {
  const m = data.machine;
  const load = (l: number[] | undefined) => (l?.length ? l.map((v) => formatNumber(v)).join(' / ') : 'not recorded');
  const peak = Math.max(...(m?.loadavg ?? []).slice(0, 1), ...(data.loadAtEnd ?? []).slice(0, 1));
  const busy = m && isNumber(m.cpus) && Number.isFinite(peak) && peak > m.cpus;
  return (
    <div className={styles.machine} role="note" aria-label="The machine this run was measured on">
      <p>
        <strong>Measured {formatWhen(data.generatedAt)}</strong>, {data.mode === 'full' ? 'a full run' : data.mode === 'quick' ? 'a quick run (fewer samples, some sections skipped)' : `a ${data.mode ?? 'run of unknown mode'}`}
        {isNumber(data.minutes) && <> taking {formatNumber(data.minutes, 1)} min</>}.
      </p>
      {m ? (
        <p>
          {m.cpus} CPU{m.cpus === 1 ? '' : 's'}
          {m.cpuModel && <> ({m.cpuModel})</>}
          {isNumber(m.memoryGb) && <>, {formatNumber(m.memoryGb, 0)} GB memory</>}
          {m.kernel && <>, Linux {m.kernel}</>}
          {m.docker && <>; Docker {m.docker}</>}
          {m.runtime && <> with the {m.runtime} runtime</>}
          {m.node && <>; Node {m.node}</>}.
          <br />
          Load average (1 / 5 / 15 min): {load(m.loadavg)} at the start, {load(data.loadAtEnd)} at the end.
        </p>
      ) : (
        <p>The machine was not recorded in this run.</p>
      )}
      <p className={styles.noisy}>
        {busy
          ? `A load above the number of CPUs (${m.cpus}) means work was queueing for a CPU: this machine was shared with other jobs while it measured, so read every figure below as noisy, and compare ratios to the floor rather than absolute times.`
          : 'These are shared, noisy machines: single figures move from run to run, which is why each one is compared with a floor measured in the same run.'}
      </p>
      {data.leftovers && data.leftovers.length > 0 && <p className={styles.missed}>The run left {data.leftovers.length} container(s) behind: {data.leftovers.join(', ')}.</p>}
    </div>
  );
}

// ---------------------------------------------------------------- the table

function RowCells({ row }: { row: BenchRow }) {
  const numericTarget = row.target !== undefined && /^[≤≥<>]/.test(row.target);
  return (
    <tr>
      <td>{tidyMetric(row.metric)}</td>
      <td className={styles.number}>
        {formatValue(row.value)} <span className={styles.unit}>{row.unit}</span>
      </td>
      <td className={styles.nowrap}>{row.target === undefined ? '' : numericTarget ? `${row.target} ${baseUnit(row.unit)}` : row.target}</td>
      <td className={styles.nowrap}>{row.met === undefined ? '' : <MetBadge met={row.met} />}</td>
      <td className={styles.number}>
        {isNumber(row.ratio) ? (
          <>
            {formatNumber(row.ratio)}×
            {isNumber(row.floor) && <span className={styles.floorValue}> of {formatNumber(row.floor)}</span>}
          </>
        ) : (
          ''
        )}
      </td>
    </tr>
  );
}

/** Every row of the run (grouped), or one group's rows. */
export function BenchTable({ group, data = baseline }: DataProps & { group?: string }) {
  const rows = (data.rows ?? []).filter((r) => group === undefined || r.group === group);
  if (!rows.length) return <Missing>{group ? `“${group}” was not measured in this run.` : 'This run recorded no figures.'}</Missing>;
  const groups = [...new Set(rows.map((r) => r.group))];
  return (
    <table className={styles.table}>
      <caption className={styles.caption}>
        {group ? `Benchmark: ${group}` : 'Every figure of the run'}. Target and “met” only where the project set a target; × floor is the figure divided by the same thing done with
        plain Docker or plain OpenSSH in the same run.
      </caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Value</th>
          <th scope="col">Target</th>
          <th scope="col">Met</th>
          <th scope="col">× floor</th>
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g}>
          {!group && (
            <tr className={styles.groupRow}>
              <th colSpan={5} scope="colgroup">
                {g}
              </th>
            </tr>
          )}
          {rows
            .filter((r) => r.group === g)
            .map((row, i) => (
              <RowCells key={`${row.metric}|${row.unit}|${i}`} row={row} />
            ))}
        </tbody>
      ))}
    </table>
  );
}

// ---------------------------------------------------------------- targets

interface TargetDef {
  what: string;
  goal: string;
  match: (row: BenchRow) => boolean;
}

const ttp = (kind: 'warm' | 'cold', unit: string) => (r: BenchRow) => r.group === 'time to prompt' && r.metric.startsWith(`${kind} `) && r.unit === unit && r.target !== undefined;

/** The project's performance targets and the rows of a run that measure them. */
export const benchTargets: readonly TargetDef[] = [
  { what: 'Time to prompt, warm pool, p50', goal: '≤ 100 ms', match: ttp('warm', 'ms p50') },
  { what: 'Time to prompt, warm pool, p95', goal: '≤ 250 ms', match: ttp('warm', 'ms p95') },
  { what: 'Time to prompt, cold start of a two-host lab, p50', goal: '≤ 1.0 s', match: ttp('cold', 'ms p50') },
  { what: 'Time to prompt, cold start of a two-host lab, p95', goal: '≤ 1.5 s', match: ttp('cold', 'ms p95') },
  { what: 'Keystroke echo, p50', goal: '≤ 2 ms', match: (r) => r.group === 'terminal' && r.metric === 'keystroke echo' && r.unit === 'ms p50' },
  { what: 'Keystroke echo, p99', goal: '≤ 10 ms', match: (r) => r.group === 'terminal' && r.metric === 'keystroke echo' && r.unit === 'ms p99' },
  { what: 'Terminal throughput, fast reader', goal: '≥ 30 MB/s', match: (r) => r.group === 'terminal' && r.unit === 'MB/s' && r.target !== undefined },
  { what: 'Backend memory with a slow reader', goal: 'bounded (RSS growth ≤ 50 MB)', match: (r) => r.group === 'terminal' && r.metric.startsWith('backend RSS growth, slow') },
  { what: 'Full check of a lab, p95', goal: '≤ 300 ms', match: (r) => r.group === 'checks' && r.target !== undefined },
  // A run with --cap below 100 (a quick run) sets its own smaller target here: that is not this one.
  { what: '100 idle two-host sessions open at once', goal: '100 sessions', match: (r) => r.group === 'capacity' && r.unit === 'sessions' && r.target === '≥ 100' },
  { what: 'Keystroke echo with 100 idle two-host sessions, p99', goal: '≤ 20 ms', match: (r) => r.group === 'capacity' && r.unit === 'ms p99' && r.target !== undefined },
  { what: 'A docs page without a lab ships no xterm.js code', goal: 'no xterm', match: (r) => r.group === 'site' && r.target === 'no' },
];

function targetRows(data: BenchBaseline, target: TargetDef): BenchRow[] {
  return (data.rows ?? []).filter((r) => r.met !== undefined && target.match(r));
}

/** A target measured many times (once per lab): how many met it, and the worst figure. */
function ManyRows({ rows }: { rows: BenchRow[] }) {
  const numeric = rows.filter((r) => isNumber(r.value));
  const atLeast = rows[0]?.target?.startsWith('≥');
  const worst = numeric.reduce<BenchRow | undefined>((w, r) => (!w ? r : (atLeast ? (r.value as number) < (w.value as number) : (r.value as number) > (w.value as number)) ? r : w), undefined);
  return (
    <>
      {rows.filter((r) => r.met).length} of {rows.length} met
      {worst && (
        <>
          ; worst {formatValue(worst.value)} {worst.unit} <span className={styles.unit}>({tidyMetric(worst.metric)})</span>
        </>
      )}
    </>
  );
}

/** The project's targets, each with this run's figures: met, missed, or not measured. */
export function BenchTargets({ data = baseline }: DataProps) {
  return (
    <table className={styles.table}>
      <caption className={styles.caption}>The project’s targets and this run’s figures for them.</caption>
      <thead>
        <tr>
          <th scope="col">Target</th>
          <th scope="col">Goal</th>
          <th scope="col">This run</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {benchTargets.map((t) => {
          const rows = targetRows(data, t);
          const status = rows.length ? rows.every((r) => r.met) : undefined;
          return (
            <tr key={t.what}>
              <td>{t.what}</td>
              <td className={styles.nowrap}>{t.goal}</td>
              <td>
                {rows.length > 3 ? (
                  <ManyRows rows={rows} />
                ) : rows.length ? (
                  <ul className={styles.compact}>
                    {rows.map((r, i) => (
                      <li key={i}>
                        {formatValue(r.value)} {r.unit} <span className={styles.unit}>({tidyMetric(r.metric)})</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className={styles.na}>not measured in this run</span>
                )}
              </td>
              <td className={styles.nowrap}>{status === undefined ? <span className={styles.na}>—</span> : <MetBadge met={status} />}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** When the floor itself is on the wrong side of a missed target, say so: that part is the machine, not SSH Lab. */
function floorVerdict(row: BenchRow): string {
  const m = /^([≤≥])\s*([\d.]+)/.exec(row.target ?? '');
  if (!m || !isNumber(row.floor)) return '';
  const limit = Number(m[2]);
  const beyond = m[1] === '≤' ? row.floor > limit : row.floor < limit;
  return beyond ? `; the floor alone is already ${m[1] === '≤' ? 'above' : 'below'} the target on this machine` : '';
}

/** Targets this run missed (from the rows' "met"), and the targets it did not measure. */
export function BenchMissed({ data = baseline }: DataProps) {
  const rows = data.rows ?? [];
  const missed = rows.filter((r) => r.met === false);
  const measured = rows.filter((r) => r.met !== undefined).length;
  const unmeasured = benchTargets.filter((t) => targetRows(data, t).length === 0);
  return (
    <div>
      {missed.length ? (
        <ul>
          {missed.map((r, i) => (
            <li key={i}>
              <strong>{tidyMetric(r.metric)}</strong> ({r.group}): {formatValue(r.value)} {r.unit}, target {r.target}
              {r.target && /^[≤≥<>]/.test(r.target) ? ` ${baseUnit(r.unit)}` : ''}
              {isNumber(r.ratio) && isNumber(r.floor) && (
                <>
                  {' '}
                  — {formatNumber(r.ratio)}× the floor of {formatNumber(r.floor)} {baseUnit(r.unit)} measured in the same run
                </>
              )}
              {floorVerdict(r)}.
            </li>
          ))}
        </ul>
      ) : (
        <p>
          {measured
            ? `This run missed none of the ${measured} figures it measured against a target.`
            : 'This run measured none of the figures the project set targets for (a quick or partial run): nothing to report as met or missed.'}
        </p>
      )}
      {measured > 0 && unmeasured.length > 0 && (
        <p className={styles.na}>
          Not measured in this run: {unmeasured.map((t) => `${t.what} (${t.goal})`).join('; ')}.
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------- time to prompt

interface PromptBar {
  label: string;
  detail?: string;
  p50?: number;
  p95?: number;
  floor: boolean;
}

/** The one-host and two-host labs of the run (from `labs`, else from the row names). */
function labsOf(data: BenchBaseline): { oneHost?: string; twoHost?: string } {
  if (data.labs?.oneHost || data.labs?.twoHost) return data.labs;
  const found: { oneHost?: string; twoHost?: string } = {};
  for (const r of data.rows ?? []) {
    const m = /^(?:cold|warm) (\S+) \((\d) hosts?\)/.exec(r.metric);
    if (m?.[2] === '1') found.oneHost ??= m[1];
    if (m?.[2] === '2') found.twoHost ??= m[1];
  }
  return found;
}

/** 1-2-5 ticks between two powers of ten. */
function logTicks(lo: number, hi: number): { value: number; major: boolean }[] {
  const ticks: { value: number; major: boolean }[] = [];
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) if (decade * m <= hi * 1.0001) ticks.push({ value: decade * m, major: m === 1 });
  }
  return ticks;
}

/** Time from "Start" to the shell's prompt, warm and cold, one and two hosts, next to plain Docker and OpenSSH. */
export function TimeToPromptChart({ data = baseline }: DataProps) {
  const id = useId();
  const { oneHost, twoHost } = labsOf(data);
  const result = (kind: 'warm' | 'cold', lab: string | undefined) => (lab ? data.timeToPrompt?.[kind]?.[lab]?.promptMs : undefined);
  const floor = data.floor;
  const coldFloor = isNumber(floor?.dockerRunMs?.p50) && isNumber(floor?.sshPromptMs?.p50) ? floor.dockerRunMs.p50 + floor.sshPromptMs.p50 : undefined;
  const bars: PromptBar[] = [
    { label: 'Warm, one host', detail: oneHost, p50: result('warm', oneHost)?.p50, p95: result('warm', oneHost)?.p95, floor: false },
    { label: 'Warm, two hosts', detail: twoHost, p50: result('warm', twoHost)?.p50, p95: result('warm', twoHost)?.p95, floor: false },
    { label: 'Cold, one host', detail: oneHost, p50: result('cold', oneHost)?.p50, p95: result('cold', oneHost)?.p95, floor: false },
    { label: 'Cold, two hosts', detail: twoHost, p50: result('cold', twoHost)?.p50, p95: result('cold', twoHost)?.p95, floor: false },
    { label: 'Floor: ssh -tt', detail: 'plain OpenSSH to the prompt', p50: floor?.sshPromptMs?.p50, p95: floor?.sshPromptMs?.p95, floor: true },
    { label: 'Floor: docker run + ssh', detail: 'the two medians added', p50: coldFloor, floor: true },
  ];
  const values = bars.flatMap((b) => [b.p50, b.p95]).filter((v): v is number => isNumber(v) && v > 0);
  if (!bars.slice(0, 4).some((b) => isNumber(b.p50))) {
    const floors = bars.filter((b) => b.floor && isNumber(b.p50)).map((b) => `${b.label.replace('Floor: ', '')} ${formatMs(b.p50!)}`);
    return <Missing>Time to prompt was not measured in this run{floors.length ? ` (only its floor, at the median: ${floors.join('; ')})` : ''}.</Missing>;
  }

  const references = [
    { value: 100, label: 'warm p50 target' },
    { value: 1000, label: 'cold p50 target' },
  ];
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 100)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 1000)));
  const width = 720;
  const x0 = 210;
  const x1 = 560;
  const top = 34;
  const rowHeight = 38;
  const barHeight = 16;
  const height = top + bars.length * rowHeight + 30;
  const x = (v: number) => x0 + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (x1 - x0);
  const ticks = logTicks(lo, hi);
  const labelMinor = Math.log10(hi / lo) <= 2;
  const describe = bars
    .map((b) => `${b.label}${b.detail ? ` (${b.detail})` : ''}: ${isNumber(b.p50) ? `median ${formatMs(b.p50)}${isNumber(b.p95) ? `, p95 ${formatMs(b.p95)}` : ''}` : 'not measured in this run'}`)
    .join('; ');

  return (
    <figure className={styles.figure}>
      <svg className={styles.chart} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Time to prompt, median and 95th percentile, log scale</title>
        <desc id={`${id}-d`}>
          {describe}. Targets: warm median 100 ms or less, cold two-host median 1 s or less.
        </desc>
        {ticks.map((t) => (
          <g key={t.value}>
            <line className={t.major ? styles.grid : styles.gridMinor} x1={x(t.value)} x2={x(t.value)} y1={top - 6} y2={height - 26} />
            {(t.major || labelMinor) && (
              <text className={styles.axisText} x={x(t.value)} y={height - 10} textAnchor="middle">
                {formatMs(t.value)}
              </text>
            )}
          </g>
        ))}
        {references
          .filter((r) => r.value >= lo && r.value <= hi)
          .map((r) => (
            <g key={r.value}>
              <line className={styles.reference} x1={x(r.value)} x2={x(r.value)} y1={top - 10} y2={height - 26} />
              <text className={styles.referenceText} x={x(r.value)} y={top - 14} textAnchor="middle">
                {r.label}
              </text>
            </g>
          ))}
        {bars.map((b, i) => {
          const cy = top + i * rowHeight + rowHeight / 2;
          const y = cy - barHeight / 2;
          const end = Math.max(isNumber(b.p50) ? x(b.p50) : x0, isNumber(b.p95) ? x(b.p95) : x0);
          return (
            <g key={b.label}>
              <text className={styles.barLabel} x={x0 - 10} y={b.detail ? cy - 2 : cy + 4} textAnchor="end">
                {b.label}
              </text>
              {b.detail && (
                <text className={styles.axisText} x={x0 - 10} y={cy + 12} textAnchor="end">
                  {b.detail}
                </text>
              )}
              {isNumber(b.p50) ? (
                <>
                  {isNumber(b.p95) && b.p95 > b.p50 && (
                    <rect className={b.floor ? styles.floorP95 : styles.barP95} x={x(b.p50)} y={y} width={Math.max(1, x(b.p95) - x(b.p50))} height={barHeight} />
                  )}
                  <rect className={b.floor ? styles.floorBar : styles.bar} x={x0} y={y} width={Math.max(1, x(b.p50) - x0)} height={barHeight} />
                  <text className={styles.valueText} x={end + 6} y={cy + 4}>
                    {formatMs(b.p50)}
                    {isNumber(b.p95) ? ` · p95 ${formatMs(b.p95)}` : ''}
                  </text>
                </>
              ) : (
                <text className={styles.axisText} x={x0 + 6} y={cy + 4}>
                  not measured in this run
                </text>
              )}
            </g>
          );
        })}
        <line className={styles.axis} x1={x0} x2={x0} y1={top - 6} y2={height - 26} />
      </svg>
      <figcaption className={styles.legend}>
        <span>
          <i className={clsx(styles.swatch, styles.swatchBar)} /> SSH Lab, median (p50)
        </span>
        <span>
          <i className={clsx(styles.swatch, styles.swatchP95)} /> up to p95
        </span>
        <span>
          <i className={clsx(styles.swatch, styles.swatchFloor)} /> floor: plain Docker and OpenSSH, same run
        </span>
        <span>Logarithmic time axis; dashed lines are the median targets.</span>
      </figcaption>
    </figure>
  );
}

// ---------------------------------------------------------------- capacity

/** A "nice" number at or above v: 1, 2 or 5 times a power of ten. */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v * 0.9999) ?? 10) * p;
}

interface PanelProps {
  title: string;
  unit: string;
  points: { x: number; y: number }[];
  references: { value: number; label: string; kind: 'floor' | 'target' }[];
  format: (v: number) => string;
}

function LinePanel({ title, unit, points, references, format }: PanelProps) {
  const id = useId();
  const width = 340;
  const height = 230;
  const left = 52;
  const right = 20;
  const top = 26;
  const bottom = 40;
  const xMax = Math.max(...points.map((p) => p.x), 1);
  // Zero is always on the axis; a negative reading (it happens with memory on a busy machine) extends it downwards.
  const ys = [0, ...points.map((p) => p.y), ...references.map((r) => r.value)];
  const yStep = niceCeil(((Math.max(...ys) - Math.min(...ys)) * 1.15) / 4);
  const yMin = Math.floor(Math.min(...ys) / yStep) * yStep;
  const yMax = Math.max(yMin + 4 * yStep, Math.ceil((Math.max(...ys) * 1.15) / yStep) * yStep);
  const x = (v: number) => left + (v / xMax) * (width - left - right);
  const y = (v: number) => height - bottom - ((v - yMin) / (yMax - yMin)) * (height - top - bottom);
  const yTicks = Array.from({ length: Math.round((yMax - yMin) / yStep) + 1 }, (_, i) => yMin + i * yStep);
  const xTicks = [0, ...points.map((p) => p.x)];
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
  return (
    <svg className={styles.panel} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>
        {points.map((p) => `${p.x} sessions: ${format(p.y)}`).join('; ')}
        {references.length ? `. ${references.map((r) => `${r.label}: ${format(r.value)}`).join('; ')}` : ''}.
      </desc>
      <text className={styles.barLabel} x={left} y={14}>
        {title}
      </text>
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line className={styles.grid} x1={left} x2={width - right} y1={y(t)} y2={y(t)} />
          <text className={styles.axisText} x={left - 6} y={y(t) + 4} textAnchor="end">
            {formatNumber(t, 2)}
          </text>
        </g>
      ))}
      {xTicks.map((t) => (
        <text key={`x${t}`} className={styles.axisText} x={x(t)} y={height - bottom + 16} textAnchor="middle">
          {formatNumber(t, 0)}
        </text>
      ))}
      <text className={styles.axisText} x={(left + width - right) / 2} y={height - 6} textAnchor="middle">
        idle two-host sessions open
      </text>
      <text className={styles.axisText} x={12} y={(top + height - bottom) / 2} textAnchor="middle" transform={`rotate(-90 12 ${(top + height - bottom) / 2})`}>
        {unit}
      </text>
      {references.map((r) => (
        <g key={r.label}>
          <line className={r.kind === 'target' ? styles.reference : styles.floorLine} x1={left} x2={width - right} y1={y(r.value)} y2={y(r.value)} />
          <text className={r.kind === 'target' ? styles.referenceText : styles.axisText} x={left + 4} y={y(r.value) - 4}>
            {r.label}
          </text>
        </g>
      ))}
      <path className={styles.line} d={path} />
      {points.map((p) => (
        <g key={p.x}>
          <circle className={styles.point} cx={x(p.x)} cy={y(p.y)} r={3.5} />
          <text className={styles.valueText} x={x(p.x)} y={y(p.y) - 8} textAnchor={x(p.x) > width - right - 20 ? 'end' : 'middle'}>
            {format(p.y)}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** Keystroke echo p99 and memory per session as idle two-host sessions pile up. */
export function CapacityChart({ data = baseline }: DataProps) {
  const capacity = data.capacity;
  const points = (capacity?.points ?? []).filter((p) => isNumber(p.sessions)).sort((a, b) => a.sessions - b.sessions);
  if (!capacity || !points.length) return <Missing>Capacity (many idle sessions at once) was not measured in this run.</Missing>;
  const floor = data.floor;
  const echo = points.filter((p) => isNumber(p.echoMs?.p99)).map((p) => ({ x: p.sessions, y: p.echoMs.p99 }));
  const memory = points.filter((p) => isNumber(p.perSessionMB?.system)).map((p) => ({ x: p.sessions, y: p.perSessionMB.system }));
  const echoRefs: PanelProps['references'] = [];
  if (isNumber(floor?.sshEchoMs?.p99)) echoRefs.push({ value: floor.sshEchoMs.p99, label: 'floor: plain ssh, p99', kind: 'floor' });
  if (points.some((p) => p.sessions >= 100)) echoRefs.push({ value: 20, label: 'target at 100 sessions', kind: 'target' });
  const memRefs: PanelProps['references'] = [];
  if (isNumber(floor?.idleHostMemoryMB) && isNumber(floor.idleHostShimMB) && floor.idleHostMemoryMB + floor.idleHostShimMB > 0) {
    memRefs.push({ value: 2 * (floor.idleHostMemoryMB + floor.idleHostShimMB), label: 'floor: two idle hosts', kind: 'floor' });
  }
  return (
    <figure className={styles.figure}>
      <div className={styles.panels}>
        {echo.length ? (
          <LinePanel title="Keystroke echo, p99" unit="ms" points={echo} references={echoRefs} format={formatMs} />
        ) : (
          <Missing>Echo under load was not measured in this run.</Missing>
        )}
        {memory.length ? (
          <LinePanel title="Memory per session (whole system)" unit="MB" points={memory} references={memRefs} format={(v) => `${formatNumber(v, v < 10 ? 1 : 0)} MB`} />
        ) : (
          <Missing>Memory per session was not measured in this run.</Missing>
        )}
      </div>
      <figcaption className={styles.legend}>
        <span>
          {capacity.opened} of {capacity.cap} {capacity.labId} sessions opened (two hosts each)
          {capacity.capEnforced !== undefined && <>; one more was {capacity.capEnforced ? 'refused, as the cap requires' : 'not refused'}</>}
          {capacity.estimatedMachineLimit && capacity.estimatedMachineLimit.sessions > 0 && (
            <>
              ; this machine would hold about {formatNumber(capacity.estimatedMachineLimit.sessions, 0)} ({capacity.estimatedMachineLimit.by})
            </>
          )}
          {isNumber(capacity.teardownSeconds) && <>; ending them all took {formatNumber(capacity.teardownSeconds, 1)} s</>}. Memory is the drop in the system’s available memory
          divided by the sessions open: containers, containerd shims, Docker and the backend together.
        </span>
      </figcaption>
    </figure>
  );
}

// ---------------------------------------------------------------- levers (optional file)

// webpack's require.context: an empty context when bench/levers.json does not exist, so the page builds either way.
declare const require: { context(directory: string, recursive: boolean, filter: RegExp): { keys(): string[]; (key: string): unknown } };

function loadLevers(): BenchLeversFile | undefined {
  try {
    const context = require.context('@site/bench', false, /^\.\/levers\.json$/);
    const key = context.keys()[0];
    const file = key ? (context(key) as BenchLeversFile | { default: BenchLeversFile }) : undefined;
    const levers = file && 'default' in file ? file.default : file;
    return levers && Array.isArray(levers.levers) ? levers : undefined;
  } catch {
    return undefined;
  }
}

const committedLevers = loadLevers();

/** Each design lever measured on and off (bench/levers.json), when that file is committed. */
export function BenchLevers({ levers = committedLevers }: { levers?: BenchLeversFile }) {
  if (!levers?.levers.length) {
    return <Missing>The levers have not been measured one by one for this page yet.</Missing>;
  }
  return (
    <div>
      <p className={styles.na}>
        Measured {formatWhen(levers.generatedAt)} ({levers.mode ?? 'unknown'} run
        {levers.machine ? `, ${levers.machine.cpus} CPUs, load ${(levers.machine.loadavg ?? []).map((v) => formatNumber(v)).join(' / ')} at the start` : ''}).
      </p>
      {levers.levers.map((lever, i) => (
        <table key={`${lever.name}-${i}`} className={styles.table}>
          <caption className={styles.caption}>
            <strong>{lever.name}.</strong> {lever.question}
            {lever.verdict ? ` ${lever.verdict}` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {lever.variants.map((v, j) => (
              <tr key={j}>
                <td>{v.name}</td>
                <td className={styles.number}>
                  {typeof v.value === 'number' ? formatNumber(v.value) : String(v.value)} <span className={styles.unit}>{v.unit}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
