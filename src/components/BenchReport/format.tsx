/** Formatting for the Performance page: deterministic, so the server render and the browser agree. */
import type { ReactNode } from 'react';
import type { ReportRow as BenchRow } from '../../protocol/bench-report';
import styles from './styles.module.css';

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

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

export function formatValue(value: BenchRow['value']): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

/** "ms p50" -> "ms": the unit a target is written in. */
export const baseUnit = (unit: string) => unit.split(' ')[0] ?? '';

/** Baselines saved before bench.ts learnt the singular say "(1 hosts)". */
export const tidyMetric = (metric: string) => metric.replace(/\(1 hosts\)/g, '(1 host)');

export function formatWhen(iso: string | undefined): string {
  if (!iso) return 'at an unrecorded time';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function Missing({ children }: { children: ReactNode }) {
  return <p className={styles.missing}>{children}</p>;
}

export function MetBadge({ met }: { met: boolean | undefined }) {
  if (met === undefined) return <span className={styles.na}>—</span>;
  return met ? <span className={styles.met}>✔ met</span> : <span className={styles.missed}>✘ missed</span>;
}
