/**
 * The floor: what the same image costs without SSH Lab in the way. `docker run` of it, and a
 * plain OpenSSH `ssh` from this machine into a lab host started by the real provider (same
 * limits, network, firewall): login, prompt, keystroke echo, throughput; and an idle host's memory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/server/config.js';
import { DockerEnvironmentProvider } from '../../src/server/environments/docker-provider.js';
import { labHostImage } from '../../src/server/environments/image.js';
import type { KeyPair } from '../../src/server/environments/ssh.js';
import type { StartedEnvironment } from '../../src/server/environments/types.js';
import { createLogger } from '../../src/server/logger.js';
import { promptAtEnd, stripAnsi } from '../../src/labs/terminal-client.js';
import { containerMemoryBytes, containersOf, log, now, run, shimRssBytes, sleep, summarise, type Summary } from './lib.js';

export interface FloorResult {
  dockerRunMs: Summary;
  /** Two `docker run --rm` at once: what the machine charges for a second container started beside the first. */
  dockerRunPairMs?: Summary;
  providerStartOneHostMs: Summary;
  /** Two hosts through the provider, in the same run as one. */
  providerStartTwoHostsMs?: Summary;
  sshLoginMs: Summary;
  sshPromptMs: Summary;
  sshEchoMs: Summary;
  sshThroughputMBps: number;
  idleHostMemoryMB: number;
  idleHostShimMB: number;
}

export function floorProvider(subnetPool = '172.25.160.0/20', env: Record<string, string> = {}): DockerEnvironmentProvider {
  const config = loadConfig({ ...process.env, ...env, SSH_LAB_SUBNET_POOL: subnetPool });
  return new DockerEnvironmentProvider({
    image: labHostImage(),
    limits: config.hostLimits,
    subnetPool,
    subnetPrefix: config.subnetPrefix,
    hostFirewall: config.hostFirewall,
    sessionNetwork: config.sessionNetwork,
    startupTimeoutMs: config.startupTimeoutMs,
    logger: createLogger('warn'),
  });
}

export const oneHost = [{ name: 'workstation', role: 'workstation' as const, ports: [22], forwarding: 'no' as const, agentForwarding: false }];
const twoHosts = [...oneHost, { name: 'server', role: 'server' as const, ports: [22], forwarding: 'no' as const, agentForwarding: false }];

/** A host started by the provider, and what a plain `ssh` needs to log into it. */
export class PlainSshTarget {
  private constructor(
    readonly environment: StartedEnvironment,
    private readonly dir: string,
    readonly address: string,
  ) {}

  static async start(provider: DockerEnvironmentProvider, tag: string): Promise<PlainSshTarget> {
    const environment = await provider.start({
      sessionId: `bench${tag}${Date.now().toString(36)}`,
      labId: 'bench-floor',
      hosts: oneHost,
      password: 'bench-floor-pw',
      lifetimeSeconds: 1800,
    });
    const dir = mkdtempSync(join(tmpdir(), 'ssh-lab-bench-'));
    // The backend's own key is the one authorised from this machine's address on the session network.
    const adminKey = (provider as unknown as { adminKey: KeyPair }).adminKey;
    writeFileSync(join(dir, 'key'), adminKey.privateKey, { mode: 0o600 });
    const host = environment.hosts[0]!;
    writeFileSync(join(dir, 'known_hosts'), `${host.address} ${host.publicKey}\n`);
    return new PlainSshTarget(environment, dir, host.address);
  }

  args(extra: string[] = []): string[] {
    return [
      '-F',
      '/dev/null',
      '-i',
      join(this.dir, 'key'),
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      ...extra,
      `learner@${this.address}`,
    ];
  }

  async dispose(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    await this.environment.dispose();
  }
}

/** `ssh -tt` driven through pipes: a real OpenSSH client session with a remote pty. */
export class PlainSshShell {
  private out = '';
  private readonly waiters = new Set<() => void>();
  bytes = 0;

  private constructor(private readonly child: ReturnType<typeof spawn>) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.out += chunk.toString('latin1');
      if (this.out.length > 64 * 1024) this.out = this.out.slice(-16 * 1024);
      for (const w of [...this.waiters]) w();
    });
  }

  static spawn(target: PlainSshTarget, command?: string): PlainSshShell {
    const child = spawn('ssh', target.args(['-tt']).concat(command ? [command] : []), { stdio: ['pipe', 'pipe', 'ignore'] });
    return new PlainSshShell(child);
  }

  text(): string {
    return this.out;
  }

  write(text: string): void {
    this.child.stdin!.write(text);
  }

  waitFor(test: () => boolean, timeoutMs = 20_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`plain ssh: timed out; output ends ${JSON.stringify(this.out.slice(-200))}`));
      }, timeoutMs);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(now());
      };
      this.waiters.add(check);
      check();
    });
  }

  exited(): Promise<void> {
    return new Promise((resolve) => (this.child.exitCode !== null ? resolve() : this.child.once('exit', () => resolve())));
  }

  kill(): void {
    this.child.kill('SIGTERM');
  }
}

/** Keystroke echo through any shell: type one printable byte, time until it comes back. */
export async function echoLoop(
  type: (text: string) => void,
  arrived: (char: string, registerBefore: () => void) => Promise<number>,
  count: number,
): Promise<number[]> {
  const samples: number[] = [];
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 60 === 0) {
      type('\x15'); // Ctrl-U: clear the line so it never wraps
      await sleep(30);
    }
    const char = alphabet[i % alphabet.length]!;
    let t0 = 0;
    const t1 = await arrived(char, () => {
      t0 = now();
      type(char);
    });
    samples.push(t1 - t0);
  }
  type('\x15');
  return samples;
}

export async function measureFloor(options: { quick: boolean }): Promise<FloorResult> {
  const n = options.quick ? 5 : 10;
  const image = labHostImage();
  log(`floor: docker run --rm ${image} true (x${n})`);
  const dockerRun: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'true', image]);
    dockerRun.push(now() - t0);
  }

  log(`floor: two docker run --rm at once (x${n})`);
  const dockerRunPair: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await Promise.all([0, 1].map(() => run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'true', image])));
    dockerRunPair.push(now() - t0);
  }

  const provider = floorProvider();
  log(`floor: one and two lab hosts through the provider (network, containers, sshd, backend connection), alternately (x${n})`);
  const providerStart: number[] = [];
  const providerStartTwo: number[] = [];
  for (let i = 0; i < 2 * n; i++) {
    const hosts = i % 2 ? twoHosts : oneHost;
    const t0 = now();
    // A start that fails (a host killed on this shared machine) is logged and not counted.
    const env = await provider
      .start({ sessionId: `benchfs${i}${Date.now().toString(36)}`, labId: 'bench-floor', hosts, password: 'x', lifetimeSeconds: 300 })
      .catch((error: Error) => log(`floor: a provider start failed, not counted: ${error.message}`));
    if (!env) continue;
    (i % 2 ? providerStartTwo : providerStart).push(now() - t0);
    await env.dispose();
  }

  const target = await PlainSshTarget.start(provider, 'f');
  try {
    const logins = options.quick ? 10 : 20;
    log(`floor: plain ssh login running true (x${logins})`);
    const sshLogin: number[] = [];
    for (let i = 0; i < logins; i++) {
      const t0 = now();
      await run('ssh', target.args().concat(['true']));
      sshLogin.push(now() - t0);
    }

    log('floor: plain ssh -tt to the prompt, echo, throughput');
    const sshPrompt: number[] = [];
    for (let i = 0; i < logins; i++) {
      const t0 = now();
      const shell = PlainSshShell.spawn(target);
      const t1 = await shell.waitFor(() => promptAtEnd.test(stripAnsi(shell.text())));
      sshPrompt.push(t1 - t0);
      shell.write('exit\r');
      await shell.exited();
    }

    const shell = PlainSshShell.spawn(target);
    await shell.waitFor(() => promptAtEnd.test(stripAnsi(shell.text())));
    const echo = await echoLoop(
      (text) => shell.write(text),
      (char, send) => {
        const before = shell.text().length;
        const arrived = shell.waitFor(() => shell.text().slice(before).includes(char), 5_000);
        send();
        return arrived;
      },
      options.quick ? 200 : 1000,
    );
    shell.write('exit\r');
    await shell.exited();

    const megabytes = options.quick ? 25 : 75;
    const stream = PlainSshShell.spawn(target, `head -c ${megabytes}M /dev/urandom | base64`);
    const t0 = now();
    await stream.exited();
    const seconds = (now() - t0) / 1000;
    const throughput = stream.bytes / 1e6 / seconds;

    await sleep(1000);
    const ids = await containersOf([target.environment.sessionId]);
    const memory = ids.reduce((sum, id) => sum + containerMemoryBytes(id), 0);
    const shim = shimRssBytes(ids);
    return {
      dockerRunMs: summarise(dockerRun),
      dockerRunPairMs: summarise(dockerRunPair),
      providerStartOneHostMs: summarise(providerStart),
      providerStartTwoHostsMs: summarise(providerStartTwo),
      sshLoginMs: summarise(sshLogin),
      sshPromptMs: summarise(sshPrompt),
      sshEchoMs: summarise(echo),
      sshThroughputMBps: Math.round(throughput * 10) / 10,
      idleHostMemoryMB: Math.round((memory / 1e6) * 10) / 10,
      idleHostShimMB: Math.round((shim / 1e6) * 10) / 10,
    };
  } finally {
    await target.dispose();
  }
}
