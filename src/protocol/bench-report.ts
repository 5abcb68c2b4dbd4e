/** What `npm run bench` writes (bench/baseline.json) and the Performance page reads. */

/** Percentiles of one measurement. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** One line of the report, as `npm run bench` prints it. */
export interface ReportRow {
  group: string;
  metric: string;
  value: number | string | boolean;
  unit: string;
  /** The project's target, e.g. "≤ 100" (in the row's unit) or "no". */
  target?: string;
  met?: boolean;
  /** The same thing done without SSH Lab (plain docker run, plain OpenSSH), measured in the same run. */
  floor?: number;
  /** value ÷ floor. */
  ratio?: number;
}
