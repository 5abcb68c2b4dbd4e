/**
 * Measurements through the real API and WebSocket path against real containers.
 * Over 300 lines: one function per measured figure (time to prompt, echo, throughput, checks, capacity).
 */
import WebSocket from 'ws';
import { terminalLimits } from '../../src/protocol/terminal.js';
import { echoLoop } from './floor.js';
import {
  type BenchServer,
  containerMemoryBytes,
  containersOf,
  endAll,
  log,
  memAvailableBytes,
  now,
  shimRssBytes,
  sleep,
  summarise,
  timeToPrompt,
  type TimedTerminal,
  waitGone,
  type Session,
  type Summary,
} from './lib.js';

// ---------------------------------------------------------------- time to prompt

export interface PromptResult {
  promptMs: Summary;
  createMs: Summary;
  teardownMs: Summary;
  /** Warm only: from a hand-out until the pool is full again. */
  refillMs?: Summary;
  /** Warm only: sessions that found the pool empty. */
  misses?: number;
}

/** Sessions one after another: create, prompt, end; the next starts once the last is gone (and, warm, the pool is full). */
export async function measureTimeToPrompt(server: BenchServer, labId: string, count: number, warm: boolean): Promise<PromptResult> {
  const prompt: number[] = [];
  const create: number[] = [];
  const teardown: number[] = [];
  const refill: number[] = [];
  const before = warm ? ((await server.pool())?.stats.misses ?? 0) : 0;
  for (let i = 0; i < count; i++) {
    if (warm && !(await server.whenFull())) throw new Error('the pool did not fill');
    await sleep(warm ? 300 : 200);
    const timing = await timeToPrompt(server, labId);
    prompt.push(timing.promptMs);
    create.push(timing.createdMs);
    const handedOut = now();
    await timing.terminal.close();
    const t0 = now();
    await server.api.endSession(timing.session);
    teardown.push(now() - t0);
    await waitGone([timing.session.id]);
    if (warm) {
      await server.whenFull();
      refill.push(now() - handedOut);
    }
  }
  const after = warm ? ((await server.pool())?.stats.misses ?? 0) : 0;
  return {
    promptMs: summarise(prompt),
    createMs: summarise(create),
    teardownMs: summarise(teardown),
    ...(warm ? { refillMs: summarise(refill), misses: after - before } : {}),
  };
}

// ---------------------------------------------------------------- echo

/** Keystroke echo on the web terminal: byte sent on the socket until its echo arrives. */
export async function measureEcho(terminal: TimedTerminal, count: number): Promise<number[]> {
  return echoLoop(
    (text) => terminal.client.type(text),
    (char, send) => {
      const arrived = terminal.next((chunk) => chunk.includes(char), 5_000);
      send();
      return arrived;
    },
    count,
  );
}

export async function measureEchoSession(server: BenchServer, labId: string, count: number, options: { nagle?: boolean } = {}): Promise<Summary> {
  const { session, terminal } = await timeToPrompt(server, labId);
  try {
    const socket = (terminal.client.socket as unknown as { _socket?: import('node:net').Socket })._socket;
    if (options.nagle) socket?.setNoDelay(false);
    await measureEcho(terminal, 50); // warm-up
    await sleep(100);
    return summarise(await measureEcho(terminal, count));
  } finally {
    await terminal.close();
    await server.api.endSession(session);
  }
}

// ---------------------------------------------------------------- throughput

/** A terminal client that only counts bytes and acknowledges them at a chosen rate (Infinity: at once). */
export class CountingTerminal {
  bytes = 0;
  private acked = 0;
  private tail = '';
  private ackTimer?: NodeJS.Timeout;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: WebSocket,
    ackBytesPerSecond: number,
  ) {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.bytes += chunk.length;
      this.tail = (this.tail + chunk.toString('latin1')).slice(-4096);
      // A fast reader acknowledges as the browser does, in steps: one per frame would cost this
      // client (on the backend's machine, unlike a learner's browser) a syscall per frame.
      if (ackBytesPerSecond === Infinity && this.bytes - this.acked >= terminalLimits.ackStepBytes) {
        this.acked = this.bytes;
        socket.send(JSON.stringify({ type: 'ack', bytes: this.bytes }));
      }
      for (const w of [...this.waiters]) w();
    });
    if (ackBytesPerSecond !== Infinity) {
      const stepMs = 100;
      this.ackTimer = setInterval(() => {
        const next = Math.min(this.bytes, this.acked + (ackBytesPerSecond * stepMs) / 1000);
        if (next > this.acked) {
          this.acked = Math.floor(next);
          socket.send(JSON.stringify({ type: 'ack', bytes: this.acked }));
        }
      }, stepMs);
    }
  }

  static async open(server: BenchServer, session: Session, ackBytesPerSecond = Infinity): Promise<CountingTerminal> {
    const response = await fetch(`${server.url}/api/sessions/${session.id}/ticket`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    const { ticket } = (await response.json()) as { ticket: string };
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/sessions/${session.id}/terminal?ticket=${encodeURIComponent(ticket)}`, {
      origin: server.url,
      perMessageDeflate: false,
    });
    const client = new CountingTerminal(socket, ackBytesPerSecond);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return client;
  }

  type(text: string): void {
    this.socket.send(Buffer.from(text), { binary: true });
  }

  waitFor(test: (tail: string) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out; output ends ${JSON.stringify(this.tail.slice(-200))}`));
      }, timeoutMs);
      const check = () => {
        if (!test(this.tail)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    clearInterval(this.ackTimer);
    this.socket.close();
  }
}

export interface ThroughputResult {
  megabytes: number;
  seconds: number;
  MBps: number;
  fastReaderRssGrowthMB: number;
  slow: { ackMBps: number; seconds: number; receivedMB: number; rssBeforeMB: number; rssMaxMB: number; rssGrowthMB: number };
}

/** The shell waits at its prompt; readline may follow it with control sequences such as ESC[K. */
const endsWithPrompt = (tail: string) => /\$ (?:\x1b\[[0-9;?]*[A-Za-z])*$/.test(tail);

async function sampleRss<T>(server: BenchServer, work: Promise<T>): Promise<{ result: T; maxRss: number }> {
  let maxRss = server.rssBytes();
  const timer = setInterval(() => (maxRss = Math.max(maxRss, server.rssBytes())), 50);
  try {
    return { result: await work, maxRss };
  } finally {
    clearInterval(timer);
  }
}

export async function measureThroughput(server: BenchServer, labId: string, options: { quick: boolean }): Promise<ThroughputResult> {
  const megabytes = options.quick ? 25 : 75;
  const session = await server.api.createSession(labId);
  try {
    const fast = await CountingTerminal.open(server, session);
    await fast.waitFor(endsWithPrompt, 30_000);
    await sleep(300);
    const rssBefore = server.rssBytes();
    const startBytes = fast.bytes;
    const t0 = now();
    fast.type(`head -c ${megabytes}M /dev/urandom | base64; echo TH""ROUGHPUT-END\r`);
    const { maxRss } = await sampleRss(
      server,
      fast.waitFor((tail) => tail.includes('THROUGHPUT-END'), 300_000),
    );
    const seconds = (now() - t0) / 1000;
    const bytes = fast.bytes - startBytes;
    await fast.waitFor(endsWithPrompt, 10_000);
    fast.close();
    await sleep(500);

    // The slow reader acknowledges 512 KiB/s: the shell must be paused, not buffered in the backend.
    const ackRate = 512 * 1024;
    const slowSeconds = options.quick ? 8 : 20;
    const slow = await CountingTerminal.open(server, session, ackRate);
    await sleep(500);
    const slowBefore = server.rssBytes();
    slow.type('cat /dev/urandom | base64\r');
    const { maxRss: slowMax } = await sampleRss(server, sleep(slowSeconds * 1000));
    const received = slow.bytes;
    slow.type('\x03');
    slow.close();
    return {
      megabytes: Math.round((bytes / 1e6) * 10) / 10,
      seconds: Math.round(seconds * 100) / 100,
      MBps: Math.round((bytes / 1e6 / seconds) * 10) / 10,
      fastReaderRssGrowthMB: Math.round(((maxRss - rssBefore) / 1e6) * 10) / 10,
      slow: {
        ackMBps: Math.round((ackRate / 1e6) * 100) / 100,
        seconds: slowSeconds,
        receivedMB: Math.round((received / 1e6) * 10) / 10,
        rssBeforeMB: Math.round(slowBefore / 1e6),
        rssMaxMB: Math.round(slowMax / 1e6),
        rssGrowthMB: Math.round(((slowMax - slowBefore) / 1e6) * 10) / 10,
      },
    };
  } finally {
    await server.api.endSession(session);
  }
}

// ---------------------------------------------------------------- checks

/** Each lab's full check (every step) on a fresh session, repeated. */
export async function measureChecks(server: BenchServer, labIds: string[], count: number): Promise<Record<string, Summary>> {
  const results: Record<string, Summary> = {};
  for (const labId of labIds) {
    const { session, terminal } = await timeToPrompt(server, labId);
    try {
      await server.api.check(session); // warm-up: first connection per user
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = now();
        await server.api.check(session);
        samples.push(now() - t0);
      }
      results[labId] = summarise(samples);
      log(`checks: ${labId} p50 ${results[labId]!.p50.toFixed(0)} ms`);
    } finally {
      await terminal.close();
      await server.api.endSession(session);
    }
  }
  return results;
}

// ---------------------------------------------------------------- capacity

export interface CapacityPoint {
  sessions: number;
  echoMs: Summary;
  containersMB: number;
  shimsMB: number;
  backendRssMB: number;
  /** System memory used since the first session (MemAvailable drop), and never less than containers + shims + backend. */
  systemMB: number;
  perSessionMB: { containers: number; shims: number; backend: number; system: number };
  loadavg1: number;
}

export interface CapacityResult {
  labId: string;
  cap: number;
  opened: number;
  startMs: Summary;
  startMsByDecile: number[];
  points: CapacityPoint[];
  capEnforced: boolean;
  estimatedMachineLimit: { sessions: number; by: string };
  teardownSeconds: number;
}

export async function measureCapacity(server: BenchServer, labId: string, cap: number, milestones: number[], echoCount: number): Promise<CapacityResult> {
  const open: { session: Session; terminal: TimedTerminal }[] = [];
  const starts: number[] = [];
  const points: CapacityPoint[] = [];
  const memBase = memAvailableBytes();
  const rssBase = server.rssBytes();
  const t0 = Date.now();
  let capEnforced = false;
  try {
    for (let i = 1; i <= cap; i++) {
      const timing = await timeToPrompt(server, labId);
      starts.push(timing.promptMs);
      open.push({ session: timing.session, terminal: timing.terminal });
      if (i % 10 === 0) log(`capacity: ${i}/${cap} sessions open (last start ${Math.round(timing.promptMs)} ms)`);
      if (milestones.includes(i)) {
        await sleep(2_000);
        const echo = summarise(await measureEcho(timing.terminal, echoCount));
        const ids = await containersOf(open.map((o) => o.session.id));
        const containers = ids.reduce((sum, id) => sum + containerMemoryBytes(id), 0);
        const shims = shimRssBytes(ids);
        const rss = server.rssBytes();
        // MemAvailable also moves with the page cache and other processes (it can even rise):
        // never report less than the containers, their shims and the backend account for.
        const accounted = containers + shims + Math.max(0, rss - rssBase);
        const system = Math.max(memBase - memAvailableBytes(), accounted);
        const mb = (b: number) => Math.round((b / 1e6) * 10) / 10;
        points.push({
          sessions: i,
          echoMs: echo,
          containersMB: mb(containers),
          shimsMB: mb(shims),
          backendRssMB: mb(rss),
          systemMB: mb(system),
          perSessionMB: { containers: mb(containers / i), shims: mb(shims / i), backend: mb((rss - rssBase) / i), system: mb(system / i) },
          loadavg1: (await import('node:os')).loadavg()[0]!,
        });
        log(`capacity: ${i} sessions: echo p50 ${echo.p50.toFixed(1)} / p99 ${echo.p99.toFixed(1)} ms, ${mb(system / i)} MB/session system`);
      }
    }
    // One more than the cap must be refused with a clear answer, not start.
    const refused = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labId }),
    });
    capEnforced = refused.status === 503 || refused.status === 429;
    if (refused.status === 201) {
      const extra = (await refused.json()) as Session;
      await server.api.endSession(extra);
    }
  } finally {
    const t1 = Date.now();
    await endAll(server, open);
    log(`capacity: ${open.length} sessions ended in ${((Date.now() - t1) / 1000).toFixed(1)} s (run took ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const last = points[points.length - 1];
  const perSession = last?.perSessionMB.system ?? 0;
  const byMemory = perSession > 0 ? Math.floor((memBase * 0.9) / 1e6 / perSession) : 0;
  const sorted = [...starts];
  const decile = Math.max(1, Math.floor(sorted.length / 10));
  return {
    labId,
    cap,
    opened: open.length,
    startMs: summarise(starts),
    startMsByDecile: Array.from({ length: Math.ceil(sorted.length / decile) }, (_, k) => Math.round(summarise(sorted.slice(k * decile, (k + 1) * decile)).p50)),
    points,
    capEnforced,
    estimatedMachineLimit: {
      sessions: byMemory,
      by: `memory: 90 % of ${Math.round(memBase / 1e9)} GB available / ${perSession} MB per idle session (CPU is the tighter limit for active ones)`,
    },
    teardownSeconds: 0,
  };
}
