/**
 * Moves a benchmark file of format 1 (rows matched to targets by their metric names) to format 2
 * (each row that measures a target names it by `targetId`, from src/protocol/bench-targets.ts).
 *   npx tsx scripts/bench/migrate-baseline.ts [file…]      default: bench/baseline.json
 * The name matching lives only here, once, for files written before format 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baselineSchema, baselineVersion, type ReportRow } from '../../src/protocol/bench-report.js';
import { judge, type BenchTargetId } from '../../src/protocol/bench-targets.js';

type OldRow = Omit<ReportRow, 'targetId'>;

/** The target a format-1 row measured, as the Performance page used to find it. */
export function targetOfOldRow(row: OldRow): BenchTargetId | undefined {
  const judged = row.target !== undefined;
  if (row.group === 'time to prompt' && judged) {
    const kind = row.metric.startsWith('warm ') ? 'warm' : row.metric.startsWith('cold ') ? 'cold' : undefined;
    if (kind === 'warm' && row.unit === 'ms p50') return 'warm-prompt-p50';
    if (kind === 'warm' && row.unit === 'ms p95') return 'warm-prompt-p95';
    if (kind === 'cold' && row.unit === 'ms p50') return 'cold-prompt-two-hosts-p50';
    if (kind === 'cold' && row.unit === 'ms p95') return 'cold-prompt-two-hosts-p95';
  }
  if (row.group === 'terminal' && row.metric === 'keystroke echo' && row.unit === 'ms p50') return 'echo-p50';
  if (row.group === 'terminal' && row.metric === 'keystroke echo' && row.unit === 'ms p99') return 'echo-p99';
  if (row.group === 'terminal' && row.unit === 'MB/s' && judged) return 'throughput-fast-reader';
  if (row.group === 'terminal' && row.metric.startsWith('backend RSS growth, slow')) return 'slow-reader-memory';
  if (row.group === 'checks' && judged) return 'check-p95';
  // A quick run's smaller capacity target ("≥ 10") is not the project's target of 100.
  if (row.group === 'capacity' && row.unit === 'sessions' && row.target === '≥ 100') return 'capacity-sessions';
  if (row.group === 'capacity' && row.unit === 'ms p99' && judged) return 'capacity-echo-p99';
  if (row.group === 'site' && row.target === 'no') return 'docs-page-without-xterm';
  return undefined;
}

export function migrateBaseline(old: { version?: number; rows?: OldRow[] } & Record<string, unknown>) {
  if (old.version === baselineVersion) return baselineSchema.parse(old);
  const rows = (old.rows ?? []).map((row): ReportRow => {
    const { target: _target, met: _met, ...rest } = row;
    const targetId = targetOfOldRow(row);
    // A target of its own (a quick run's capacity) is not one of the project's: the row keeps its figure only.
    return targetId ? { ...rest, targetId, ...judge(targetId, row.value) } : rest;
  });
  return baselineSchema.parse({ ...old, version: baselineVersion, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  for (const file of files.length ? files : [join('bench', 'baseline.json')]) {
    const migrated = migrateBaseline(JSON.parse(readFileSync(file, 'utf8')));
    writeFileSync(file, `${JSON.stringify(migrated, null, 2)}\n`);
    console.log(`${file}: format ${baselineVersion}, ${migrated.rows.filter((r) => r.targetId).length} rows measure a target`);
  }
}
