import clsx from 'clsx';
import { useId } from 'react';
import { benchTargets } from '../../protocol/bench-targets';
import { baseline, type DataProps } from './data';
import { formatMs, isNumber, Missing } from './format';
import styles from './styles.module.css';

// ---------------------------------------------------------------- time to prompt

interface PromptBar {
  label: string;
  detail?: string;
  p50?: number;
  p95?: number;
  floor: boolean;
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
export default function TimeToPromptChart({ data = baseline }: DataProps) {
  const id = useId();
  const { oneHost, twoHost } = data.labs ?? {};
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

  const warmTarget = benchTargets['warm-prompt-p50'].limit.atMost;
  const coldTarget = benchTargets['cold-prompt-two-hosts-p50'].limit.atMost;
  const references = [
    { value: warmTarget, label: 'warm p50 target' },
    { value: coldTarget, label: 'cold p50 target' },
  ];
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, warmTarget)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, coldTarget)));
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
    .map(
      (b) =>
        `${b.label}${b.detail ? ` (${b.detail})` : ''}: ${isNumber(b.p50) ? `median ${formatMs(b.p50)}${isNumber(b.p95) ? `, p95 ${formatMs(b.p95)}` : ''}` : 'not measured in this run'}`,
    )
    .join('; ');

  return (
    <figure className={styles.figure}>
      <svg className={styles.chart} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Time to prompt, median and 95th percentile, log scale</title>
        <desc id={`${id}-d`}>
          {describe}. Targets: warm median {formatMs(warmTarget)} or less, cold two-host median {formatMs(coldTarget)} or less.
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
                    <rect
                      className={b.floor ? styles.floorP95 : styles.barP95}
                      x={x(b.p50)}
                      y={y}
                      width={Math.max(1, x(b.p95) - x(b.p50))}
                      height={barHeight}
                    />
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
