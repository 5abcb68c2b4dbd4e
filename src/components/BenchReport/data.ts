import baselineJson from '@site/bench/baseline.json';
import type { BenchBaseline } from '../../protocol/bench-report';

/**
 * The committed baseline (bench/baseline.json). It is checked against the shared schema by
 * tests/unit/bench-targets.test.ts and by the benchmark before it writes, so the page reads it as
 * it is instead of bundling zod to check it again.
 */
export const baseline = baselineJson as unknown as BenchBaseline;

/** Every component takes `data` to render another run than the committed one. */
export interface DataProps {
  data?: BenchBaseline;
}
