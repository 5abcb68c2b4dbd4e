import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { baselineSchema, leversFileSchema } from '../../src/protocol/bench-report';
import { benchTargetIds, benchTargets, judge } from '../../src/protocol/bench-targets';
import { migrateBaseline, targetOfOldRow } from '../../scripts/bench/migrate-baseline';

const committed = JSON.parse(readFileSync('bench/baseline.json', 'utf8')) as unknown;

describe('the benchmark report and its targets', () => {
  test('the committed baseline fits the shared schema the Performance page relies on', () => {
    const baseline = baselineSchema.parse(committed);
    assert.ok(baseline.rows.length > 0);
    assert.ok(
      baseline.rows.some((r) => r.targetId),
      'rows carry the targets they measure',
    );
  });

  test('the committed levers file fits the shared schema', () => {
    leversFileSchema.parse(JSON.parse(readFileSync('bench/levers.json', 'utf8')));
  });

  test("each committed row's target and verdict are what the one table of targets gives", () => {
    for (const row of baselineSchema.parse(committed).rows) {
      if (!row.targetId) {
        assert.equal(row.met, undefined, `${row.metric}: a verdict without a target`);
        continue;
      }
      assert.deepEqual({ target: row.target, met: row.met }, judge(row.targetId, row.value), row.metric);
    }
  });

  test('judging: at most, at least, equals', () => {
    assert.deepEqual(judge('warm-prompt-p50', 100), { target: '≤ 100', met: true });
    assert.deepEqual(judge('warm-prompt-p50', 100.01), { target: '≤ 100', met: false });
    assert.deepEqual(judge('throughput-fast-reader', 29.9), { target: '≥ 30', met: false });
    assert.deepEqual(judge('docs-page-without-xterm', false), { target: 'no', met: true });
    assert.deepEqual(judge('docs-page-without-xterm', true), { target: 'no', met: false });
    assert.equal(judge('echo-p50', 'n/a').met, false);
  });

  test('every target has a goal and a limit; ids are unique', () => {
    assert.equal(new Set(benchTargetIds).size, benchTargetIds.length);
    for (const id of benchTargetIds) assert.ok(benchTargets[id].what && benchTargets[id].goal && benchTargets[id].limit, id);
  });

  test('a format-1 file is migrated: rows get target ids, a quick run keeps no target of its own', () => {
    const migrated = migrateBaseline({
      version: 1,
      rows: [
        { group: 'time to prompt', metric: 'warm keygen (1 host)', value: 20, unit: 'ms p50', target: '≤ 100', met: true },
        { group: 'time to prompt', metric: 'cold keygen (1 host)', value: 1500, unit: 'ms p50' },
        { group: 'capacity', metric: 'sessions opened (cap 10)', value: 10, unit: 'sessions', target: '≥ 10', met: true },
        { group: 'site', metric: 'docs page without a lab ships xterm', value: false, unit: '', target: 'no', met: true },
      ],
    });
    assert.equal(migrated.version, 2);
    assert.deepEqual(
      migrated.rows.map((r) => [r.targetId, r.target, r.met]),
      [
        ['warm-prompt-p50', '≤ 100', true],
        [undefined, undefined, undefined],
        [undefined, undefined, undefined],
        ['docs-page-without-xterm', 'no', true],
      ],
    );
    assert.equal(targetOfOldRow({ group: 'checks', metric: 'full check, keygen', value: 1, unit: 'ms p95', target: '≤ 300' }), 'check-p95');
  });

  test('migrating a current file changes nothing', () => {
    assert.deepEqual(migrateBaseline(committed as { version: number }), baselineSchema.parse(committed));
  });
});
