/** The Performance page's tables: the machine of the run, every figure, the targets, and what was missed. */
import type { BenchBaseline, ReportRow as BenchRow } from '../../protocol/bench-report';
import { benchTargetIds, benchTargets, type BenchTarget, type BenchTargetId } from '../../protocol/bench-targets';
import { baseline, type DataProps } from './data';
import { baseUnit, formatNumber, formatValue, formatWhen, isNumber, MetBadge, Missing, tidyMetric } from './format';
import styles from './styles.module.css';

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
        <strong>Measured {formatWhen(data.generatedAt)}</strong>,{' '}
        {data.mode === 'full'
          ? 'a full run'
          : data.mode === 'quick'
            ? 'a quick run (fewer samples, some sections skipped)'
            : `a ${data.mode ?? 'run of unknown mode'}`}
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
      {data.leftovers && data.leftovers.length > 0 && (
        <p className={styles.missed}>
          The run left {data.leftovers.length} container(s) behind: {data.leftovers.join(', ')}.
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------- the table

/** A target written in a unit ("≤ 100 ms"), rather than a value ("no"). */
const hasUnit = (row: BenchRow) => row.targetId !== undefined && !('equals' in benchTargets[row.targetId].limit);

function RowCells({ row }: { row: BenchRow }) {
  const numericTarget = hasUnit(row);
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
            {formatNumber(row.ratio)}×{isNumber(row.floor) && <span className={styles.floorValue}> of {formatNumber(row.floor)}</span>}
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
  // Array.from, not spread: the site's Babel build spreads loosely, and `[...set]` would be `[set]` there.
  const groups = Array.from(new Set(rows.map((r) => r.group)));
  return (
    <table className={styles.table}>
      <caption className={styles.caption}>
        {group ? `Benchmark: ${group}` : 'Every figure of the run'}. Target and “met” only where the project set a target; × floor is the figure divided by the
        same thing done with plain Docker or plain OpenSSH in the same run.
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

// ---------------------------------------------------------------- targets (src/protocol/bench-targets.ts)

/** The rows of a run that measure a target, by the target id they carry. */
function targetRows(data: BenchBaseline, id: BenchTargetId): BenchRow[] {
  return (data.rows ?? []).filter((r) => r.targetId === id && r.met !== undefined);
}

/** A target measured many times (once per lab): how many met it, and the worst figure. */
function ManyRows({ id, rows }: { id: BenchTargetId; rows: BenchRow[] }) {
  const numeric = rows.filter((r) => isNumber(r.value));
  const atLeast = 'atLeast' in benchTargets[id].limit;
  const worst = numeric.reduce<BenchRow | undefined>(
    (w, r) => (!w ? r : (atLeast ? (r.value as number) < (w.value as number) : (r.value as number) > (w.value as number)) ? r : w),
    undefined,
  );
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
        {benchTargetIds.map((id) => {
          const t = benchTargets[id];
          const rows = targetRows(data, id);
          const status = rows.length ? rows.every((r) => r.met) : undefined;
          return (
            <tr key={id} data-target-id={id}>
              <td>{t.what}</td>
              <td className={styles.nowrap}>{t.goal}</td>
              <td>
                {rows.length > 3 ? (
                  <ManyRows id={id} rows={rows} />
                ) : rows.length ? (
                  <ul className={styles.compact}>
                    {rows.map((r, i) => (
                      <li key={i}>
                        {formatValue(r.value)} {r.unit}
                        {isNumber(r.floor) && (
                          <>
                            {' '}
                            against a floor of {formatNumber(r.floor)} {baseUnit(r.unit)}
                          </>
                        )}{' '}
                        <span className={styles.unit}>({tidyMetric(r.metric)})</span>
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
  if (!row.targetId || !isNumber(row.floor)) return '';
  const limit: BenchTarget['limit'] = benchTargets[row.targetId].limit;
  if ('equals' in limit) return '';
  const beyond = 'atMost' in limit ? row.floor > limit.atMost : row.floor < limit.atLeast;
  return beyond ? `; the floor alone is already ${'atMost' in limit ? 'above' : 'below'} the target on this machine` : '';
}

/** How far a missed figure is from its target: "by 12.3 ms (2.2× the target)". */
function shortfall(row: BenchRow): string {
  if (!row.targetId || !isNumber(row.value)) return '';
  const limit: BenchTarget['limit'] = benchTargets[row.targetId].limit;
  if ('equals' in limit) return '';
  const goal = 'atMost' in limit ? limit.atMost : limit.atLeast;
  const by = Math.abs(row.value - goal);
  const times = goal === 0 ? '' : ` (${formatNumber(row.value / goal)}× the target)`;
  return `, missed by ${formatNumber(by)} ${baseUnit(row.unit)}${times}`;
}

/** Targets this run missed (from the rows' "met"), and the targets it did not measure. */
export function BenchMissed({ data = baseline }: DataProps) {
  const rows = data.rows ?? [];
  const missed = rows.filter((r) => r.met === false);
  const measured = rows.filter((r) => r.met !== undefined).length;
  const unmeasured = benchTargetIds.filter((id) => targetRows(data, id).length === 0).map((id) => benchTargets[id]);
  return (
    <div>
      {missed.length ? (
        <ul>
          {missed.map((r, i) => (
            <li key={i}>
              <strong>{tidyMetric(r.metric)}</strong> ({r.group}): {formatValue(r.value)} {r.unit}, target {r.target}
              {hasUnit(r) ? ` ${baseUnit(r.unit)}` : ''}
              {shortfall(r)}
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
        <p className={styles.na}>Not measured in this run: {unmeasured.map((t) => `${t.what} (${t.goal})`).join('; ')}.</p>
      )}
    </div>
  );
}
