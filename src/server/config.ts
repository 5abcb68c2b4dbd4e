import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { projectRoot } from '../labs/project-root.js';
import { parseCidr } from './environments/subnets.js';

/**
 * Every setting, read from the environment and validated in one place: one zod schema whose
 * transform produces the Config the server uses, so the type cannot drift from the checks.
 */

const bool = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const origins = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const items = list(value);
    for (const origin of items) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin such as https://labs.example.org` });
    }
    return items;
  });

const poolSizes = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const sizes: Record<string, number> = {};
    for (const item of list(value)) {
      const [, labId, size] = /^([a-z0-9][a-z0-9-]*)=(\d{1,2})$/.exec(item) ?? [];
      if (labId === undefined || Number(size) > 50)
        ctx.addIssue({ code: 'custom', message: `"${item}" is not lab-id=size (size 0-50), as in keygen=2,copy-id=1` });
      else sizes[labId] = Number(size);
    }
    return sizes;
  });

function cidrPrefix(value: string): number | undefined {
  try {
    return parseCidr(value).prefix;
  } catch {
    return undefined;
  }
}

const cidr = z
  .string()
  .default('172.29.0.0/16')
  .superRefine((value, ctx) => {
    try {
      parseCidr(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

// --- shared session directory (several replicas) ---
const redisUrl = z
  .string()
  .optional()
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {}
    if (!url || !['redis:', 'rediss:'].includes(url.protocol) || !url.hostname)
      ctx.addIssue({ code: 'custom', message: 'is not a Redis URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)' });
  });

/** The variables as they come (strings or absent); each says what it takes. */
const variables = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SSH_LAB_SITE_DIR: z.string().default('build'),
  /** Where lab environments run: the provider chosen in the composition root. */
  SSH_LAB_PROVIDER: z.enum(['docker', 'kubernetes']).default('docker'),
  /** Comma-separated origins allowed to open terminals; empty means the site's own origin only. */
  SSH_LAB_ALLOWED_ORIGINS: origins,
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
  /** Optional hard CPU ceiling per host (CFS quota, in CPUs); unset, a host may burst to every core when they are idle. */
  SSH_LAB_HOST_CPUS: z.coerce.number().min(0.05).max(16).optional(),
  /**
   * Each host's CPU weight among Docker's containers (cgroup v1 cpu.shares; v2 maps it to cpu.weight):
   * equal for every host, so busy learners share evenly; below Docker's default 1024, so a backend
   * that runs in a container of its own (default weight) outweighs each host several times.
   */
  SSH_LAB_HOST_CPU_SHARES: int(2, 262_144).default(256),
  /**
   * The backend's own nice value, below the hosts' 0 so that it runs as soon as it has work when
   * learners keep every core busy (under three full-speed printers: loop delay p99 75-178 ms -> 5 ms,
   * echo p99 366-713 ms -> 52 ms; docs/performance.mdx).
   * Needs root or CAP_SYS_NICE; without, the backend says so once and runs at its inherited value.
   */
  SSH_LAB_BACKEND_NICE: int(-20, 19).default(-10),
  /**
   * Opt-in: all lab hosts run under this parent cgroup, whose weight (SSH_LAB_HOSTS_CPU_SHARES) the
   * backend sets below its own, so echo and terminal output win the CPU over learners' busy loops.
   * Only for a machine that runs SSH Lab alone: every other process there outweighs the hosts too.
   * Unset: Docker's default parent. Needs root and Docker's cgroupfs driver.
   */
  SSH_LAB_HOST_CGROUP_PARENT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'takes a cgroup name such as "ssh-lab-hosts"')
    .optional(),
  /** The CPU weight of all lab hosts together (cgroup v1 cpu.shares; a process outside weighs 1024). */
  SSH_LAB_HOSTS_CPU_SHARES: int(2, 262_144).default(128),
  SSH_LAB_HOST_PIDS: int(16, 4096).default(96),
  SSH_LAB_HOST_HOME_MB: int(1, 4096).default(32),
  SSH_LAB_HOST_TMP_MB: int(1, 4096).default(16),
  /** An alternative OCI runtime such as runsc (gVisor); empty uses Docker's default. */
  SSH_LAB_RUNTIME: z.string().default(''),
  SSH_LAB_SUBNET_POOL: cidr,
  SSH_LAB_SUBNET_PREFIX: int(16, 29).default(28),
  SSH_LAB_HOST_FIREWALL: bool.default(true),
  /**
   * Session networks: "bridge" (default), a bridge per session that the backend makes itself with
   * hosts outside Docker's networking, which halves a host's start-up CPU; "docker", a Docker
   * internal network per session (needs no root for the network itself; the one for SSH_LAB_RUNTIME).
   */
  SSH_LAB_SESSION_NETWORK: z.enum(['bridge', 'docker']).optional(),
  SSH_LAB_REAP_INTERVAL_SECONDS: int(5, 3600).default(60),
  /** Ready environments kept per lab (0 disables the warm pool): one each makes every first Start instant. */
  SSH_LAB_POOL_SIZE: int(0, 50).default(1),
  /** Per-lab pool sizes overriding SSH_LAB_POOL_SIZE, e.g. "keygen=2,copy-id=1". */
  SSH_LAB_POOL_SIZES: poolSizes,
  /** A pooled environment nobody took within this time is replaced by a new one. */
  SSH_LAB_POOL_MAX_AGE_SECONDS: int(60, 24 * 3600).default(900),
  /** Open the learner's login shell before the terminal attaches (pooled and cold environments). */
  SSH_LAB_EARLY_SHELL: bool.default(true),
  /**
   * Environment starts (cold starts and pool builds) under way at once; more wait in arrival order,
   * learners first. Default: twice the machine's CPUs. 0: no limit.
   */
  SSH_LAB_MAX_CONCURRENT_STARTS: int(0, 1024).optional(),
  /**
   * Adaptive pool: a lab in demand gets up to this many extra ready environments (recent starts per
   * second × the time one takes to build), which go again as the demand fades; 0 turns it off.
   */
  SSH_LAB_POOL_ADAPTIVE_MAX: int(0, 500).default(20),
  /** How fast the adaptive pool forgets a start (its half-life). */
  SSH_LAB_POOL_ADAPTIVE_HALF_LIFE_SECONDS: int(2, 3600).default(15),
  /** Terminal flow control: pause the shell above this many unacknowledged bytes, resume below the low mark. */
  SSH_LAB_FLOW_HIGH_BYTES: int(16 * 1024, 64 * 1024 * 1024).default(1024 * 1024),
  SSH_LAB_FLOW_LOW_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
  /**
   * While two or more terminals stream (over 1 MiB/s each), each may send about this many KiB a
   * second (some 6,500 lines of 80 columns: more than anyone reads); a terminal alone is never
   * held (terminal/output-share.ts). 0 turns the share off.
   */
  SSH_LAB_OUTPUT_SHARE_KIB_PER_SECOND: int(0, 1024 * 1024).default(512),
  /** A terminal client that stays above the high mark (reads nothing) this long is disconnected. */
  SSH_LAB_SLOW_CLIENT_SECONDS: int(2, 3600).default(60),
  /** API requests per minute per client address and route, for every /api route without a limit of its own. */
  SSH_LAB_API_PER_MINUTE: int(10, 1_000_000).default(600),
  /** GET /metrics answers only to "Authorization: Bearer <this>"; unset, /metrics does not exist. */
  SSH_LAB_METRICS_TOKEN: z.string().min(16, 'use at least 16 characters, e.g. from "openssl rand -hex 32"').optional(),
  /** The operator's /api/admin routes (warming the pool) answer only to "Authorization: Bearer <this>"; unset, they do not exist. */
  SSH_LAB_ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters, e.g. from "openssl rand -hex 32"').optional(),
  // Kubernetes provider (SSH_LAB_PROVIDER=kubernetes); deploy/kubernetes sets these.
  /** The namespace lab pods run in (the backend's ServiceAccount has a Role there). */
  SSH_LAB_K8S_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name (lowercase letters, digits, dashes; at most 63)')
    .default('ssh-lab'),
  /** A RuntimeClass for lab pods, e.g. gvisor; empty uses the nodes' default runtime. */
  SSH_LAB_K8S_RUNTIME_CLASS: z
    .string()
    .regex(/^$|^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a RuntimeClass name')
    .default(''),
  /** The lab-host image as the cluster pulls it (e.g. registry.example.org/ssh-lab/lab-host:<tag>); empty: the local tag. */
  SSH_LAB_K8S_IMAGE: z.string().default(''),
  /** This backend pod's address (the Deployment sets it from status.podIP): lab hosts accept the backend's key from it only. */
  SSH_LAB_K8S_POD_IP: z.union([z.ipv4(), z.ipv6()]).optional(),
  // --- SSH gateway ---
  /** Port of the SSH gateway learners' own clients log in to, on HOST; 0 turns it off. */
  SSH_LAB_GATEWAY_PORT: int(0, 65535).default(2222),
  /** The host name learners are told to connect to (behind a load balancer); unset, the name the browser used. */
  SSH_LAB_GATEWAY_PUBLIC_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, 'use a host name or address, e.g. labs.example.org')
    .optional(),
  /** Where the gateway keeps its host key (shared by replicas on one machine). */
  SSH_LAB_DATA_DIR: z.string().default(join(projectRoot, '.ssh-lab-data')),
  // --- shared session directory (several replicas) ---
  /** Replicas sharing sessions through this Redis; unset, sessions live in this process alone. */
  SSH_LAB_REDIS_URL: redisUrl,
  /** A replica whose heartbeat is older than this is gone: others adopt its sessions and reap its pool. */
  SSH_LAB_REPLICA_TTL_SECONDS: int(3, 600).default(10),
});

/** Rules between variables; they run once every variable passed its own check (see `when` below). */
function checkTogether(c: z.output<typeof variables>, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof typeof c, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  if (c.SSH_LAB_FLOW_LOW_BYTES >= c.SSH_LAB_FLOW_HIGH_BYTES)
    problem('SSH_LAB_FLOW_LOW_BYTES', `must be below SSH_LAB_FLOW_HIGH_BYTES (${c.SSH_LAB_FLOW_HIGH_BYTES})`);
  if (c.SSH_LAB_MAX_SESSIONS_PER_CLIENT > c.SSH_LAB_MAX_SESSIONS)
    problem('SSH_LAB_MAX_SESSIONS_PER_CLIENT', `must not exceed SSH_LAB_MAX_SESSIONS (${c.SSH_LAB_MAX_SESSIONS})`);
  const tmpfsMb = c.SSH_LAB_HOST_HOME_MB + c.SSH_LAB_HOST_TMP_MB * 1.5 + 8;
  if (tmpfsMb > c.SSH_LAB_HOST_MEMORY_MB * 0.6) {
    problem(
      'SSH_LAB_HOST_HOME_MB',
      `SSH_LAB_HOST_HOME_MB + SSH_LAB_HOST_TMP_MB take ${tmpfsMb} MB of tmpfs, which counts against SSH_LAB_HOST_MEMORY_MB=${c.SSH_LAB_HOST_MEMORY_MB}: keep them under 60 % of it`,
    );
  }
  if (c.SSH_LAB_PROVIDER === 'kubernetes' && !c.SSH_LAB_K8S_POD_IP)
    problem('SSH_LAB_K8S_POD_IP', "is required with SSH_LAB_PROVIDER=kubernetes: set it from the pod's status.podIP (deploy/kubernetes does)");
  if (c.SSH_LAB_SESSION_NETWORK === 'bridge' && c.SSH_LAB_RUNTIME)
    problem(
      'SSH_LAB_SESSION_NETWORK',
      `must be "docker" with SSH_LAB_RUNTIME=${c.SSH_LAB_RUNTIME}: a sandboxed runtime does not see an interface added after start`,
    );
  const poolPrefix = cidrPrefix(c.SSH_LAB_SUBNET_POOL);
  if (poolPrefix !== undefined && c.SSH_LAB_SUBNET_PREFIX < poolPrefix)
    problem('SSH_LAB_SUBNET_PREFIX', `must not be below the prefix of SSH_LAB_SUBNET_POOL (/${poolPrefix})`);
}

// A variable that failed its own check would only add noise to the rules between variables.
export const configSchema = variables.superRefine(checkTogether, { when: (payload) => payload.issues.length === 0 }).transform((c) => ({
  port: c.PORT,
  host: c.HOST,
  logLevel: c.LOG_LEVEL,
  siteDir: c.SSH_LAB_SITE_DIR,
  provider: c.SSH_LAB_PROVIDER,
  allowedOrigins: c.SSH_LAB_ALLOWED_ORIGINS,
  trustProxy: c.SSH_LAB_TRUST_PROXY,
  sessionLifetimeSeconds: c.SSH_LAB_SESSION_LIFETIME_SECONDS,
  idleTimeoutSeconds: c.SSH_LAB_IDLE_TIMEOUT_SECONDS,
  reconnectGraceSeconds: c.SSH_LAB_RECONNECT_GRACE_SECONDS,
  maxSessions: c.SSH_LAB_MAX_SESSIONS,
  maxSessionsPerClient: c.SSH_LAB_MAX_SESSIONS_PER_CLIENT,
  sessionCreatePerMinute: c.SSH_LAB_SESSION_CREATE_PER_MINUTE,
  checkTimeoutMs: c.SSH_LAB_CHECK_TIMEOUT_MS,
  startupTimeoutMs: c.SSH_LAB_STARTUP_TIMEOUT_MS,
  backendNice: c.SSH_LAB_BACKEND_NICE,
  hostLimits: {
    memoryMb: c.SSH_LAB_HOST_MEMORY_MB,
    cpus: c.SSH_LAB_HOST_CPUS,
    cpuShares: c.SSH_LAB_HOST_CPU_SHARES,
    cgroupParent: c.SSH_LAB_HOST_CGROUP_PARENT ? { name: c.SSH_LAB_HOST_CGROUP_PARENT, shares: c.SSH_LAB_HOSTS_CPU_SHARES } : undefined,
    pids: c.SSH_LAB_HOST_PIDS,
    homeMb: c.SSH_LAB_HOST_HOME_MB,
    tmpMb: c.SSH_LAB_HOST_TMP_MB,
    runtime: c.SSH_LAB_RUNTIME || undefined,
  },
  subnetPool: c.SSH_LAB_SUBNET_POOL,
  subnetPrefix: c.SSH_LAB_SUBNET_PREFIX,
  hostFirewall: c.SSH_LAB_HOST_FIREWALL,
  sessionNetwork: c.SSH_LAB_SESSION_NETWORK ?? (c.SSH_LAB_RUNTIME ? ('docker' as const) : ('bridge' as const)),
  reapIntervalSeconds: c.SSH_LAB_REAP_INTERVAL_SECONDS,
  poolSize: c.SSH_LAB_POOL_SIZE,
  /** Lab id -> pool size, for the labs named in SSH_LAB_POOL_SIZES. */
  poolSizes: c.SSH_LAB_POOL_SIZES,
  poolMaxAgeSeconds: c.SSH_LAB_POOL_MAX_AGE_SECONDS,
  poolAdaptive:
    c.SSH_LAB_POOL_ADAPTIVE_MAX > 0 ? { maxExtraPerLab: c.SSH_LAB_POOL_ADAPTIVE_MAX, halfLifeSeconds: c.SSH_LAB_POOL_ADAPTIVE_HALF_LIFE_SECONDS } : undefined,
  earlyShell: c.SSH_LAB_EARLY_SHELL,
  maxConcurrentStarts: c.SSH_LAB_MAX_CONCURRENT_STARTS ?? 2 * Math.max(1, availableParallelism()),
  flow: { highBytes: c.SSH_LAB_FLOW_HIGH_BYTES, lowBytes: c.SSH_LAB_FLOW_LOW_BYTES },
  outputShareBytesPerSecond: c.SSH_LAB_OUTPUT_SHARE_KIB_PER_SECOND * 1024,
  slowClientSeconds: c.SSH_LAB_SLOW_CLIENT_SECONDS,
  apiPerMinute: c.SSH_LAB_API_PER_MINUTE,
  metricsToken: c.SSH_LAB_METRICS_TOKEN,
  adminToken: c.SSH_LAB_ADMIN_TOKEN,
  kubernetes: {
    namespace: c.SSH_LAB_K8S_NAMESPACE,
    runtimeClassName: c.SSH_LAB_K8S_RUNTIME_CLASS || undefined,
    image: c.SSH_LAB_K8S_IMAGE || undefined,
    podIp: c.SSH_LAB_K8S_POD_IP,
  },
  // --- SSH gateway ---
  gateway: { port: c.SSH_LAB_GATEWAY_PORT, publicHost: c.SSH_LAB_GATEWAY_PUBLIC_HOST, dataDir: resolve(c.SSH_LAB_DATA_DIR) },
  // --- shared session directory (several replicas) ---
  redisUrl: c.SSH_LAB_REDIS_URL,
  replicaTtlSeconds: c.SSH_LAB_REPLICA_TTL_SECONDS,
}));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses settings; the error lists one line per bad value, naming the variable and what it takes. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "use the default", as for an unset one.
  const known = Object.fromEntries(Object.keys(variables.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '');
      const value = env[variable];
      return `  ${variable}${value === undefined || value === '' ? ' (default)' : `=${JSON.stringify(value)}`}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
