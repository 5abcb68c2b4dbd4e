/**
 * The `replicas` section of npm run bench: two compiled replicas sharing a local redis-server.
 *   - what the Redis directory adds to creating a session (its calls alone, beside the in-memory directory);
 *   - time to prompt and keystroke echo through replica B for a session created on replica A;
 *   - a rolling restart under open terminals: SIGTERM of A while every terminal types; each
 *     reconnects through B as the widget does (on close 4010, keystrokes kept meanwhile); how long
 *     each was without a shell, and whether any keystroke was lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import pino from 'pino';
import { closeCodes } from '../../src/protocol/terminal.js';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import { MemoryDirectory } from '../../src/server/directory/memory.js';
import { RedisDirectory } from '../../src/server/directory/redis.js';
import type { SessionDirectory } from '../../src/server/directory/types.js';
import { buildServer, serverEntry } from '../build-server.js';
import { baseEnv, benchServerPids, log, now, type Session, sleep, summarise, type Summary } from './lib.js';

export interface ReplicasResult {
  directoryCreateMs: { memory: Summary; redis: Summary };
  throughB: { promptMs: Summary; echoMs: Summary };
  rollingRestart: { terminals: number; withoutShellMs: Summary; keystrokesSent: number; keystrokesLost: number; replicaExitMs: number };
}

class ReplicaProcess {
  private output = '';
  url = '';
  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
  }

  static async start(env: Record<string, string>): Promise<ReplicaProcess> {
    const child = spawn(process.execPath, [serverEntry], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...baseEnv, ...env } });
    const replica = new ReplicaProcess(child);
    // Its containers carry this pid in their owner label: the bench's leftover check finds them.
    if (child.pid) benchServerPids.push(child.pid);
    const deadline = Date.now() + 60_000;
    while (!/SSH Lab is running at (\S+)/.test(replica.output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`replica did not start: ${replica.output}`);
      await sleep(50);
    }
    replica.url = /SSH Lab is running at (\S+)/.exec(replica.output)![1]!;
    return replica;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    const started = now();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      process.kill(-this.child.pid!, signal);
      await Promise.race([exited, sleep(30_000)]);
    }
    return now() - started;
  }
}

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', () => reject(new Error(`redis-server exited: ${out}`)));
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The directory's share of one session creation: reserve, commit, the first GET and a ticket. */
async function directoryCreateMs(directory: SessionDirectory, n: number): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `bench${i}x${Date.now().toString(36)}`;
    const t0 = now();
    await directory.reserve(id, '127.0.0.1', { maxSessions: 10_000, maxPerClient: 10_000 }, 60_000);
    await directory.commit(id, {
      id,
      labId: 'keygen',
      client: '127.0.0.1',
      tokenHash: 'ab'.repeat(32),
      password: 'abcd-efgh-jkmn',
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      lastActivity: Date.now(),
      owner: directory.replicaId,
      environment: { sessionId: id, hosts: [], provider: { kind: 'bench' } },
    });
    await directory.get(id);
    await directory.issueTicket(id, 30_000);
    times.push(now() - t0);
    await directory.remove(id);
  }
  return summarise(times);
}

/** A terminal that reconnects as the widget does: on 4010 (or a drop) a new ticket through `fallback`, keystrokes kept meanwhile. */
class MovingTerminal {
  client!: TerminalClient;
  private pending: string[] = [];
  sent = 0;
  lostAt?: number;
  withoutShellMs?: number;

  constructor(
    readonly session: Session,
    private fallback: string,
  ) {}

  async open(url: string): Promise<void> {
    this.client = await TerminalClient.open(url, this.session);
    this.client.socket.on('close', (code) => {
      if (code === closeCodes.serverMoving || code === 1001 || code === 1006) {
        this.lostAt = now();
        void this.reconnect();
      }
    });
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const next = await TerminalClient.open(this.fallback, this.session);
        this.client = next;
        // The shell is back when the server says the socket is attached to it.
        const deadline = Date.now() + 10_000;
        while (!next.controls.some((c) => c.type === 'status' && (c.state === 'attached' || c.state === 'reattached'))) {
          if (Date.now() > deadline || next.closed) throw new Error('not reattached');
          await sleep(5);
        }
        this.withoutShellMs = now() - this.lostAt!;
        for (const keys of this.pending.splice(0)) next.type(keys);
        return;
      } catch {
        await sleep(100 + Math.random() * 200);
      }
    }
  }

  /** Sent only on an open socket: a socket already closing would drop them silently, so they wait as the widget's do. */
  type(keys: string): void {
    this.sent += 1;
    const reconnecting = this.lostAt !== undefined && this.withoutShellMs === undefined;
    if (reconnecting || this.client.socket.readyState !== this.client.socket.OPEN) this.pending.push(keys);
    else this.client.type(keys);
  }
}

export async function measureReplicas(options: { quick: boolean; labId: string }): Promise<ReplicasResult> {
  await buildServer();
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const replicas: ReplicaProcess[] = [];
  try {
    log('replicas: the directory alone, in memory and in Redis');
    const memory = new MemoryDirectory(`bench:${process.pid}`);
    const shared = new RedisDirectory({ url: redisUrl, replicaId: `${hostname()}:${process.pid}:bench`, logger: pino({ level: 'silent' }) });
    await shared.connect(5_000);
    const n = options.quick ? 50 : 200;
    const directoryCreate = { memory: await directoryCreateMs(memory, n), redis: await directoryCreateMs(shared, n) };
    await shared.close();

    const env = {
      SSH_LAB_REDIS_URL: redisUrl,
      SSH_LAB_REPLICA_TTL_SECONDS: '3',
      SSH_LAB_MAX_SESSIONS: '40',
      SSH_LAB_MAX_SESSIONS_PER_CLIENT: '40',
    };
    const a = await ReplicaProcess.start(env);
    const b = await ReplicaProcess.start(env);
    replicas.push(a, b);

    log('replicas: time to prompt and echo through B for sessions created on A');
    const prompts: number[] = [];
    const echoes: number[] = [];
    const samples = options.quick ? 3 : 8;
    for (let i = 0; i < samples; i++) {
      const session = await new ApiClient(a.url).createSession(options.labId);
      const t0 = now();
      const terminal = await TerminalClient.open(b.url, session);
      await terminal.waitForPrompt(0, 60_000);
      prompts.push(now() - t0);
      for (let k = 0; k < 20; k++) {
        const ch = String.fromCharCode(97 + (k % 26));
        const from = terminal.text().length;
        const t1 = now();
        terminal.type(ch);
        await terminal.waitUntil((text) => text.slice(from).includes(ch), 5_000, 'echo');
        echoes.push(now() - t1);
      }
      terminal.type('\u0015');
      await terminal.close();
      await fetch(`${b.url}/api/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session.token}` } });
    }

    const count = options.quick ? 5 : 20;
    log(`replicas: a rolling restart under ${count} open terminals (SIGTERM of A while they type)`);
    const sessions: Session[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${(i % 2 ? b : a).url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ labId: options.labId }),
      });
      if (response.status !== 201) throw new Error(`session ${i}: ${response.status} ${await response.text()}`);
      sessions.push((await response.json()) as Session);
    }
    const terminals = sessions.map((session) => new MovingTerminal(session, b.url));
    for (const terminal of terminals) {
      await terminal.open(a.url);
      await terminal.client.waitForPrompt(0, 60_000);
      terminal.client.type('cat > ~/keys\r');
    }
    await sleep(500);
    let typing = true;
    const typer = (async () => {
      let k = 0;
      while (typing) {
        for (const terminal of terminals) terminal.type(`k${k} `);
        k++;
        await sleep(50);
      }
    })();
    await sleep(1_000);
    const replicaExitMs = await a.stop('SIGTERM');
    // Type on until every terminal is back, and a little after.
    const deadline = Date.now() + 60_000;
    while (terminals.some((t) => t.withoutShellMs === undefined) && Date.now() < deadline) await sleep(100);
    await sleep(1_000);
    typing = false;
    await typer;
    let lost = 0;
    let sent = 0;
    for (const terminal of terminals) {
      terminal.client.type('\r\u0004');
      await sleep(200);
      const marker = `n${Math.random().toString(36).slice(2, 7)}`;
      const from = terminal.client.text().length;
      terminal.client.type(`echo ${marker}=$(wc -w < ~/keys)\r`);
      await terminal.client.waitUntil((text) => new RegExp(`${marker}=\\d+`).test(text.slice(from)), 20_000, 'the key count');
      const got = Number(new RegExp(`${marker}=(\\d+)`).exec(terminal.client.text().slice(from))?.[1] ?? 0);
      sent += terminal.sent;
      lost += Math.max(0, terminal.sent - got);
    }
    const gaps = terminals.flatMap((t) => (t.withoutShellMs === undefined ? [] : [t.withoutShellMs]));
    for (const terminal of terminals) await terminal.client.close();
    for (const session of sessions)
      await fetch(`${b.url}/api/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session.token}` } });
    return {
      directoryCreateMs: directoryCreate,
      throughB: { promptMs: summarise(prompts), echoMs: summarise(echoes) },
      rollingRestart: { terminals: gaps.length, withoutShellMs: summarise(gaps), keystrokesSent: sent, keystrokesLost: lost, replicaExitMs },
    };
  } finally {
    for (const replica of replicas) await replica.stop();
    redis.kill('SIGKILL');
  }
}
