/**
 * How every Chromium this project drives is launched (browser tests, the benchmark, diagrams at
 * build time): Debian's package, never a downloaded browser, and no background connections
 * (this machine's network is closed to them, and tests send traffic to localhost only).
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
