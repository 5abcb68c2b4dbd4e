import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverEntry } from '../../scripts/build-server.js';
import { waitFor } from './docker.js';
import { testEnv } from './server.js';

/**
 * One replica of the backend: the compiled server (scripts/build-server.ts) under plain node, in
 * a process group of its own, as an operator runs it. Build once before starting any (buildServer()).
 */
export class Replica {
  private log = '';
  private exited?: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  url = '';

  static async start(name: string, env: Record<string, string>): Promise<Replica> {
    const child = spawn(process.execPath, [serverEntry], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...testEnv, ...env },
    });
    const replica = new Replica(name, child);
    let exitedEarly = false;
    void replica.exited?.then(() => (exitedEarly = true));
    await waitFor(() => exitedEarly || /SSH Lab is running at (\S+)/.test(replica.log), 60_000, `replica ${name} to serve`);
    const url = /SSH Lab is running at (\S+)/.exec(replica.log)?.[1];
    if (!url) throw new Error(`replica ${name} did not start:\n${replica.log}`);
    replica.url = url;
    return replica;
  }

  output(): string {
    return this.log;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Signals the whole process group (as systemd, docker stop and Kubernetes do) and waits for the exit. */
  async signal(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<number> {
    const started = performance.now();
    if (this.running) process.kill(-this.child.pid!, signal);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, timeoutMs))]);
    if (this.running) throw new Error(`replica ${this.name} still runs ${timeoutMs} ms after ${signal}:\n${this.log.slice(-1000)}`);
    return performance.now() - started;
  }

  /** For after(): whatever state it is in, it is gone afterwards (its log kept where SSH_LAB_TEST_REPLICA_LOGS says). */
  async stop(): Promise<void> {
    if (this.running) await this.signal('SIGTERM').catch(() => this.signal('SIGKILL'));
    const dir = process.env.SSH_LAB_TEST_REPLICA_LOGS;
    if (dir) writeFileSync(join(dir, `replica-${this.name}-${this.child.pid}.log`), this.log);
  }
}
