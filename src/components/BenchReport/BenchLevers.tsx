import type { BenchLeversFile } from '../../protocol/bench-report';
import { formatNumber, formatWhen, Missing } from './format';
import styles from './styles.module.css';

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
export default function BenchLevers({ levers = committedLevers }: { levers?: BenchLeversFile }) {
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
