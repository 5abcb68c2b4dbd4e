import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';

/** The machine's MemAvailable in MB (what the kernel can give without swapping); os.freemem() where there is no /proc. */
export function machineAvailableMemoryMb(): number {
  try {
    const kb = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kb) return Math.floor(Number(kb) / 1024);
  } catch {
    // No /proc (not Linux): the less precise figure below.
  }
  return Math.floor(freemem() / (1024 * 1024));
}
