/**
 * Shared pieces of the benchmark: statistics, the server process, memory readings, terminal timing.
 * Over 300 lines: small helpers every section uses, kept together so the sections stay readable.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient, promptAtEnd, stripAnsi } from '../../src/labs/terminal-client.js';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import type { Summary } from '../../src/protocol/bench-report.js';

export const run = promisify(execFile);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

// ---------------------------------------------------------------- statistics

export type { Summary };

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function summarise(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    min: round(sorted[0] ?? NaN),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
  };
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

// ---------------------------------------------------------------- the machine

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadavg: number[];
  node: string;
  docker: string;
  runtime: string;
  kernel: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  const docker = await run('docker', ['info', '--format', '{{.ServerVersion}}|{{.DefaultRuntime}}|{{.KernelVersion}}']).then(
    (r) => r.stdout.trim().split('|'),
    () => ['?', '?', '?'],
  );
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    docker: docker[0] ?? '?',
    runtime: docker[1] ?? '?',
    kernel: docker[2] ?? '?',
  };
}

// ---------------------------------------------------------------- the server under test

/** Every bench server takes its session networks from here (172.25.192.0/20 is the pool test's). */
export const benchSubnetPool = '172.25.0.0/17';

export const baseEnv: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  SSH_LAB_SUBNET_POOL: benchSubnetPool,
  SSH_LAB_MAX_SESSIONS: '60',
  SSH_LAB_MAX_SESSIONS_PER_CLIENT: '60',
  SSH_LAB_SESSION_CREATE_PER_MINUTE: '10000',
  SSH_LAB_POOL_SIZE: '0',
  SSH_LAB_POOL_SIZES: '',
  // Several bench servers run at once (replicas); the gateway section gives its own a free port.
  SSH_LAB_GATEWAY_PORT: '0',
  TESTCONTAINERS_RYUK_DISABLED: 'true',
};

export interface PoolState {
  size: number;
  ids: string[];
  stats: Record<string, number>;
}

export interface LoopReading {
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
}

/** Pids of every bench server started: their containers carry it in the owner label. */
export const benchServerPids: number[] = [];

/** The backend in a child process, as `npm start` runs it. */
export class BenchServer {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly api: ApiClient;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly pid: number,
  ) {
    this.api = new ApiClient(url);
    child.on('message', (m: { type: string; id: number; value?: unknown; error?: string }) => {
      if (m.type !== 'reply') return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error));
      else w?.resolve(m.value);
    });
  }

  static async start(overrides: Record<string, string> = {}): Promise<BenchServer> {
    const entry = fileURLToPath(new URL('./server-child.ts', import.meta.url));
    const child = fork(entry, [], {
      execArgv: ['--import', 'tsx'],
      // A session of its own, as a service has: the priority the backend gives itself
      // (SSH_LAB_BACKEND_NICE, which also sets its session's scheduling group) is not the client's.
      detached: true,
      env: { ...process.env, ...baseEnv, ...overrides },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      child.once('message', (m: { type: string; url: string; pid: number; message?: string }) =>
        m.type === 'ready' ? resolve(m) : reject(new Error(`server failed: ${m.message}`)),
      );
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    benchServerPids.push(ready.pid);
    return new BenchServer(child, ready.url, ready.pid);
  }

  private call<T>(type: string, extra: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ type, id, ...extra });
    });
  }

  whenFull(timeoutMs = 180_000): Promise<boolean> {
    return this.call('whenFull', { timeoutMs });
  }

  /** Starts sampling the backend's event-loop delay and CPU time. */
  loopStart(): Promise<boolean> {
    return this.call('loopStart');
  }

  /** The backend's event-loop delay (ms) and CPU use (% of one core) since loopStart(). */
  loopStop(): Promise<LoopReading> {
    return this.call('loopStop');
  }

  pool(): Promise<PoolState | undefined> {
    return this.call('pool');
  }

  rssBytes(): number {
    return processRss(this.pid);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await Promise.race([this.call('close'), sleep(120_000)]);
    await Promise.race([exited, sleep(5_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------- memory

export function processRss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export function memAvailableBytes(): number {
  const kb = /MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

/** Full ids of the containers of these sessions. */
export async function containersOf(sessionIds: Iterable<string>): Promise<string[]> {
  const wanted = new Set(sessionIds);
  const { stdout } = await run('docker', ['ps', '--no-trunc', '--filter', 'label=ssh-lab.session', '--format', '{{.ID}} {{.Label "ssh-lab.session"}}']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, session]) => id && session && wanted.has(session))
    .map(([id]) => id!);
}

/** A container's cgroup v1 directory for a controller: under the hosts' own parent (host-cgroup.ts) or Docker's. */
function containerCgroupDir(controller: string, id: string): string {
  const own = `/sys/fs/cgroup/${controller}/ssh-lab-hosts/${id}`;
  return existsSync(own) ? own : `/sys/fs/cgroup/${controller}/docker/${id}`;
}

/** A container's memory as `docker stats` counts it (usage minus inactive file cache), cgroup v1 or v2. */
export function containerMemoryBytes(id: string): number {
  const v1 = containerCgroupDir('memory', id);
  const v2 = `/sys/fs/cgroup/system.slice/docker-${id}.scope`;
  try {
    if (existsSync(v1)) {
      const usage = Number(readFileSync(`${v1}/memory.usage_in_bytes`, 'utf8'));
      const inactive = Number(/total_inactive_file (\d+)/.exec(readFileSync(`${v1}/memory.stat`, 'utf8'))?.[1] ?? 0);
      return usage - inactive;
    }
    if (existsSync(v2)) {
      const usage = Number(readFileSync(`${v2}/memory.current`, 'utf8'));
      const inactive = Number(/inactive_file (\d+)/.exec(readFileSync(`${v2}/memory.stat`, 'utf8'))?.[1] ?? 0);
      return usage - inactive;
    }
  } catch {
    /* gone meanwhile */
  }
  return 0;
}

/** RSS of the containerd shims of these containers (one process per container, outside its cgroup). */
export function shimRssBytes(containerIds: string[]): number {
  const wanted = new Set(containerIds);
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd[0]?.includes('containerd-shim')) continue;
      const id = cmd[cmd.indexOf('-id') + 1];
      if (id && wanted.has(id)) total += processRss(Number(pid));
    } catch {
      /* process ended */
    }
  }
  return total;
}

/** CPU time a container has used (ns), from its cgroup: cgroup v1 cpuacct.usage or v2 cpu.stat usage_usec. */
export function containerCpuNs(id: string): number {
  try {
    const v1 = `${containerCgroupDir('cpuacct', id)}/cpuacct.usage`;
    if (existsSync(v1)) return Number(readFileSync(v1, 'utf8'));
    const v2 = [`/sys/fs/cgroup/ssh-lab-hosts/${id}/cpu.stat`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`].find((p) => existsSync(p));
    if (v2) return Number(/usage_usec (\d+)/.exec(readFileSync(v2, 'utf8'))?.[1] ?? 0) * 1000;
  } catch {
    /* gone meanwhile */
  }
  return 0;
}

// ---------------------------------------------------------------- terminals

export type Session = CreateSessionResponse;

/** A terminal whose binary frames are also timed: when did a given byte arrive? */
export class TimedTerminal {
  private waiters: { test: (chunk: string) => boolean; resolve: (t: number) => void }[] = [];

  private constructor(readonly client: TerminalClient) {
    client.socket.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const t = now();
      const chunk = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('latin1');
      for (const w of [...this.waiters]) {
        if (w.test(chunk)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(t);
        }
      }
    });
  }

  static async open(url: string, session: Session): Promise<TimedTerminal> {
    return new TimedTerminal(await TerminalClient.open(url, session));
  }

  /** Resolves with the arrival time of the next binary frame that passes the test. */
  next(test: (chunk: string) => boolean, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such output in time')), timeoutMs);
      this.waiters.push({
        test,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      });
    });
  }

  /** Runs a command and waits for a marker it prints afterwards. */
  async command(command: string, timeoutMs = 30_000): Promise<void> {
    const marker = `done-${Math.random().toString(36).slice(2, 8)}`;
    const from = this.client.text().length;
    this.client.type(`${command}; echo ${marker.slice(0, 5)}"${marker.slice(5)}"\r`);
    await this.client.waitUntil((text) => text.slice(from).includes(marker) && promptAtEnd.test(text), timeoutMs, marker);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export interface PromptTiming {
  session: Session;
  terminal: TimedTerminal;
  /** POST /api/sessions answered. */
  createdMs: number;
  /** First prompt bytes on the socket. */
  promptMs: number;
}

/** POST /api/sessions, ticket, WebSocket, until the prompt is on the socket: the learner's wait. */
export async function timeToPrompt(server: BenchServer, labId: string): Promise<PromptTiming> {
  const t0 = now();
  const session = await server.api.createSession(labId);
  const createdMs = now() - t0;
  const terminal = await TimedTerminal.open(server.url, session);
  await terminal.client.waitForPrompt(0, 60_000);
  return { session, terminal, createdMs, promptMs: now() - t0 };
}

export { stripAnsi };

/** Waits until Docker no longer lists containers of these sessions. */
export async function waitGone(sessionIds: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await containersOf(sessionIds)).length) {
    if (Date.now() > deadline) throw new Error(`containers of ${sessionIds.join(', ')} are still there`);
    await sleep(200);
  }
}

/** Ends a run's sessions (terminals first, then ten DELETEs at a time) and waits until their containers are gone. */
export async function endAll(server: BenchServer, open: { terminal: TimedTerminal; session: Session }[]): Promise<void> {
  await Promise.all(open.map((o) => o.terminal.close().catch(() => undefined)));
  for (let i = 0; i < open.length; i += 10) {
    await Promise.all(open.slice(i, i + 10).map((o) => server.api.endSession(o.session).catch(() => undefined)));
  }
  await waitGone(
    open.map((o) => o.session.id),
    300_000,
  ).catch((e: Error) => log(e.message));
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
