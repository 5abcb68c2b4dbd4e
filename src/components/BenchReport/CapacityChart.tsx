import { useId } from 'react';
import { benchTargets } from '../../protocol/bench-targets';
import { baseline, type DataProps } from './data';
import { formatMs, formatNumber, isNumber, Missing } from './format';
import styles from './styles.module.css';

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
export default function CapacityChart({ data = baseline }: DataProps) {
  const capacity = data.capacity;
  const points = (capacity?.points ?? []).filter((p) => isNumber(p.sessions)).sort((a, b) => a.sessions - b.sessions);
  if (!capacity || !points.length) return <Missing>Capacity (many idle sessions at once) was not measured in this run.</Missing>;
  const floor = data.floor;
  const echo = points.filter((p) => isNumber(p.echoMs?.p99)).map((p) => ({ x: p.sessions, y: p.echoMs.p99 }));
  const memory = points.filter((p) => isNumber(p.perSessionMB?.system)).map((p) => ({ x: p.sessions, y: p.perSessionMB.system }));
  const echoRefs: PanelProps['references'] = [];
  if (isNumber(floor?.sshEchoMs?.p99)) echoRefs.push({ value: floor.sshEchoMs.p99, label: 'floor: plain ssh, p99', kind: 'floor' });
  const sessionsTarget = benchTargets['capacity-sessions'].limit.atLeast;
  if (points.some((p) => p.sessions >= sessionsTarget)) {
    echoRefs.push({ value: benchTargets['capacity-echo-p99'].limit.atMost, label: `target at ${sessionsTarget} sessions`, kind: 'target' });
  }
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
          <LinePanel
            title="Memory per session (whole system)"
            unit="MB"
            points={memory}
            references={memRefs}
            format={(v) => `${formatNumber(v, v < 10 ? 1 : 0)} MB`}
          />
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
          {isNumber(capacity.teardownSeconds) && <>; ending them all took {formatNumber(capacity.teardownSeconds, 1)} s</>}. Memory is the drop in the system’s
          available memory divided by the sessions open: containers, containerd shims, Docker and the backend together.
        </span>
      </figcaption>
    </figure>
  );
}
