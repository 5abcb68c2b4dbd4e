/**
 * Renders SSH Lab's committed benchmark baseline (bench/baseline.json, written by
 * `npm run bench -- --save-baseline`) on docs/performance.mdx. Every section of a run is optional:
 * a quick run or `--only=` leaves some out, and each component then says "not measured in this run".
 * Charts are hand-drawn SVG coloured with Infima variables, so they follow the light and dark themes.
 * The run's shape is src/protocol/bench-report.ts; the targets are src/protocol/bench-targets.ts.
 */
export type {
  BenchBaseline,
  BenchCapacity,
  BenchCapacityPoint,
  BenchFloor,
  BenchLeversFile,
  BenchMachineInfo,
  BenchPromptResult,
  BenchSite,
  BenchThroughput,
  ReportRow as BenchRow,
  Summary as BenchSummary,
} from '../../protocol/bench-report';
export { benchTargetIds, benchTargets } from '../../protocol/bench-targets';
export { default as BenchLevers } from './BenchLevers';
export { BenchMachine, BenchMissed, BenchTable, BenchTargets } from './BenchTables';
export { default as CapacityChart } from './CapacityChart';
export { baseline } from './data';
export { formatMs, formatNumber } from './format';
export { default as TimeToPromptChart } from './TimeToPromptChart';
