import * as z from 'zod';

/** Every setting, read from the environment and validated in one place. */

const bool = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SSH_LAB_SITE_DIR: z.string().default('build'),
  /** Where lab environments run: the provider chosen in the composition root. */
  SSH_LAB_PROVIDER: z.enum(['docker']).default('docker'),
  /** Comma-separated origins allowed to open terminals; empty means the site's own origin only. */
  SSH_LAB_ALLOWED_ORIGINS: z.string().default(''),
  SSH_LAB_TRUST_PROXY: bool.default(false),
  SSH_LAB_SESSION_LIFETIME_SECONDS: int(10, 24 * 3600).default(1800),
  SSH_LAB_IDLE_TIMEOUT_SECONDS: int(10, 24 * 3600).default(900),
  SSH_LAB_RECONNECT_GRACE_SECONDS: int(5, 3600).default(300),
  SSH_LAB_MAX_SESSIONS: int(1, 10_000).default(60),
  SSH_LAB_MAX_SESSIONS_PER_CLIENT: int(1, 1000).default(3),
  SSH_LAB_SESSION_CREATE_PER_MINUTE: int(1, 10_000).default(10),
  SSH_LAB_CHECK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  SSH_LAB_STARTUP_TIMEOUT_MS: int(1000, 300_000).default(30_000),
  SSH_LAB_HOST_MEMORY_MB: int(32, 8192).default(160),
  SSH_LAB_HOST_CPUS: z.coerce.number().min(0.05).max(16).default(0.5),
  SSH_LAB_HOST_PIDS: int(16, 4096).default(96),
  SSH_LAB_HOST_HOME_MB: int(1, 4096).default(32),
  SSH_LAB_HOST_TMP_MB: int(1, 4096).default(16),
  /** An alternative OCI runtime such as runsc (gVisor); empty uses Docker's default. */
  SSH_LAB_RUNTIME: z.string().default(''),
  SSH_LAB_SUBNET_POOL: z.string().default('172.29.0.0/16'),
  SSH_LAB_SUBNET_PREFIX: int(16, 29).default(28),
  SSH_LAB_HOST_FIREWALL: bool.default(true),
  SSH_LAB_REAP_INTERVAL_SECONDS: int(5, 3600).default(60),
  /** Ready environments kept per lab (0 disables the warm pool): one each makes every first Start instant. */
  SSH_LAB_POOL_SIZE: int(0, 50).default(1),
  /** Per-lab pool sizes overriding SSH_LAB_POOL_SIZE, e.g. "keygen=2,copy-id=1". */
  SSH_LAB_POOL_SIZES: z.string().default(''),
  /** A pooled environment nobody took within this time is replaced by a new one. */
  SSH_LAB_POOL_MAX_AGE_SECONDS: int(60, 24 * 3600).default(900),
  /** Open the learner's login shell before the terminal attaches (pooled and cold environments). */
  SSH_LAB_EARLY_SHELL: bool.default(true),
  /** Terminal flow control: pause the shell above this many unacknowledged bytes, resume below the low mark. */
  SSH_LAB_FLOW_HIGH_BYTES: int(16 * 1024, 64 * 1024 * 1024).default(1024 * 1024),
  SSH_LAB_FLOW_LOW_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
  /** A terminal client that stays above the high mark (reads nothing) this long is disconnected. */
  SSH_LAB_SLOW_CLIENT_SECONDS: int(2, 3600).default(60),
  /** API requests per minute per client address, for every /api route without a limit of its own. */
  SSH_LAB_API_PER_MINUTE: int(10, 1_000_000).default(600),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  logLevel: RawConfig['LOG_LEVEL'];
  siteDir: string;
  provider: RawConfig['SSH_LAB_PROVIDER'];
  allowedOrigins: string[];
  trustProxy: boolean;
  sessionLifetimeSeconds: number;
  idleTimeoutSeconds: number;
  reconnectGraceSeconds: number;
  maxSessions: number;
  maxSessionsPerClient: number;
  sessionCreatePerMinute: number;
  checkTimeoutMs: number;
  startupTimeoutMs: number;
  hostLimits: { memoryMb: number; cpus: number; pids: number; homeMb: number; tmpMb: number; runtime?: string };
  subnetPool: string;
  subnetPrefix: number;
  hostFirewall: boolean;
  reapIntervalSeconds: number;
  poolSize: number;
  /** Lab id -> pool size, for the labs named in SSH_LAB_POOL_SIZES. */
  poolSizes: Record<string, number>;
  poolMaxAgeSeconds: number;
  earlyShell: boolean;
  flow: { highBytes: number; lowBytes: number };
  slowClientSeconds: number;
  apiPerMinute: number;
}

export class ConfigError extends Error {}

/** Parses settings; the error lists one line per bad value, naming the variable and what it takes. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(Object.keys(configSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.SSH_LAB_FLOW_LOW_BYTES >= c.SSH_LAB_FLOW_HIGH_BYTES) problems.push('  SSH_LAB_FLOW_LOW_BYTES must be below SSH_LAB_FLOW_HIGH_BYTES');
  if (c.SSH_LAB_MAX_SESSIONS_PER_CLIENT > c.SSH_LAB_MAX_SESSIONS) problems.push('  SSH_LAB_MAX_SESSIONS_PER_CLIENT must not exceed SSH_LAB_MAX_SESSIONS');
  const tmpfsMb = c.SSH_LAB_HOST_HOME_MB + c.SSH_LAB_HOST_TMP_MB * 1.5 + 8;
  if (tmpfsMb > c.SSH_LAB_HOST_MEMORY_MB * 0.6) {
    problems.push(`  SSH_LAB_HOST_HOME_MB + SSH_LAB_HOST_TMP_MB take ${tmpfsMb} MB of tmpfs, which counts against SSH_LAB_HOST_MEMORY_MB=${c.SSH_LAB_HOST_MEMORY_MB}: keep them under 60 % of it`);
  }
  const origins = c.SSH_LAB_ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) problems.push(`  SSH_LAB_ALLOWED_ORIGINS: "${origin}" is not an origin such as https://labs.example.org`);
  }
  const poolSizes: Record<string, number> = {};
  for (const item of c.SSH_LAB_POOL_SIZES.split(',').map((i) => i.trim()).filter(Boolean)) {
    const match = /^([a-z0-9][a-z0-9-]*)=(\d{1,2})$/.exec(item);
    if (!match || Number(match[2]) > 50) problems.push(`  SSH_LAB_POOL_SIZES: "${item}" is not lab-id=size (size 0-50), as in keygen=2,copy-id=1`);
    else poolSizes[match[1]!] = Number(match[2]);
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return {
    port: c.PORT,
    host: c.HOST,
    logLevel: c.LOG_LEVEL,
    siteDir: c.SSH_LAB_SITE_DIR,
    provider: c.SSH_LAB_PROVIDER,
    allowedOrigins: origins,
    trustProxy: c.SSH_LAB_TRUST_PROXY,
    sessionLifetimeSeconds: c.SSH_LAB_SESSION_LIFETIME_SECONDS,
    idleTimeoutSeconds: c.SSH_LAB_IDLE_TIMEOUT_SECONDS,
    reconnectGraceSeconds: c.SSH_LAB_RECONNECT_GRACE_SECONDS,
    maxSessions: c.SSH_LAB_MAX_SESSIONS,
    maxSessionsPerClient: c.SSH_LAB_MAX_SESSIONS_PER_CLIENT,
    sessionCreatePerMinute: c.SSH_LAB_SESSION_CREATE_PER_MINUTE,
    checkTimeoutMs: c.SSH_LAB_CHECK_TIMEOUT_MS,
    startupTimeoutMs: c.SSH_LAB_STARTUP_TIMEOUT_MS,
    hostLimits: {
      memoryMb: c.SSH_LAB_HOST_MEMORY_MB,
      cpus: c.SSH_LAB_HOST_CPUS,
      pids: c.SSH_LAB_HOST_PIDS,
      homeMb: c.SSH_LAB_HOST_HOME_MB,
      tmpMb: c.SSH_LAB_HOST_TMP_MB,
      ...(c.SSH_LAB_RUNTIME ? { runtime: c.SSH_LAB_RUNTIME } : {}),
    },
    subnetPool: c.SSH_LAB_SUBNET_POOL,
    subnetPrefix: c.SSH_LAB_SUBNET_PREFIX,
    hostFirewall: c.SSH_LAB_HOST_FIREWALL,
    reapIntervalSeconds: c.SSH_LAB_REAP_INTERVAL_SECONDS,
    poolSize: c.SSH_LAB_POOL_SIZE,
    poolSizes,
    poolMaxAgeSeconds: c.SSH_LAB_POOL_MAX_AGE_SECONDS,
    earlyShell: c.SSH_LAB_EARLY_SHELL,
    flow: { highBytes: c.SSH_LAB_FLOW_HIGH_BYTES, lowBytes: c.SSH_LAB_FLOW_LOW_BYTES },
    slowClientSeconds: c.SSH_LAB_SLOW_CLIENT_SECONDS,
    apiPerMinute: c.SSH_LAB_API_PER_MINUTE,
  };
}
