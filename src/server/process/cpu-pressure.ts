import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/**
 * Whether this machine's CPUs are oversubscribed now. The kernel's CPU pressure (PSI: the share
 * of the last 10 s in which a runnable task waited for a CPU) answers within seconds; the 1-minute
 * load average, the fallback where PSI is missing, still counted a finished burst a minute later,
 * and slowed the pool's refills while the next class arrived on an idle machine. The two agree on
 * the threshold: three busy tasks on two CPUs are a load of 1.5 per CPU and about 50 % pressure.
 */
export function cpuOversubscribed(readPressure: () => string = () => readFileSync('/proc/pressure/cpu', 'utf8')): boolean {
  const pressure = someAvg10(readPressure);
  if (pressure !== undefined) return pressure > 50;
  return loadavg()[0]! > (cpus().length || 1) * 1.5;
}

/** The "some avg10" figure of /proc/pressure/cpu, or undefined where it cannot be read. */
export function someAvg10(readPressure: () => string): number | undefined {
  try {
    const match = /^some .*\bavg10=([\d.]+)/m.exec(readPressure());
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
