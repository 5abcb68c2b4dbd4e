/**
 * This machine's OpenSSH client (ssh, scp, sftp, rsync, ssh-copy-id) pointed at the SSH gateway,
 * with everything it reads kept in a temporary directory: its own config file (passed with -F,
 * which ssh hands on to the ssh it starts for -J), known_hosts holding only the gateway's key,
 * and an askpass script that answers the gateway's password prompt with the gateway password and
 * any other (a lab host's sshd behind -J) with the session password.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateSessionResponse, GatewayCredentialView } from '../../src/protocol/api.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A free TCP port on 127.0.0.1 (the gateway's port 0 means "off", so tests pick one). */
export { freePort } from './redis.js';

export async function createSession(url: string, labId: string): Promise<CreateSessionResponse> {
  const response = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labId }) });
  const body = await response.json();
  if (response.status !== 201) throw new Error(`POST /api/sessions ${labId}: ${response.status} ${JSON.stringify(body)}`);
  return body as CreateSessionResponse;
}

export async function gatewayCredential(url: string, session: CreateSessionResponse): Promise<{ status: number; body: GatewayCredentialView }> {
  const response = await fetch(`${url}/api/sessions/${session.id}/gateway`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
  return { status: response.status, body: (await response.json()) as GatewayCredentialView };
}

export async function endSession(url: string, session: CreateSessionResponse): Promise<void> {
  await fetch(`${url}/api/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session.token}` } });
}

export class OpenSshClient {
  readonly dir = mkdtempSync(join(tmpdir(), 'ssh-lab-gateway-client-'));
  readonly config = join(this.dir, 'config');
  readonly knownHosts = join(this.dir, 'known_hosts');
  /** A key pair of this client (ssh-keygen), for ssh-copy-id and key logins. */
  readonly key = join(this.dir, 'id_ed25519');

  constructor(
    readonly gateway: { host: string; port: number; username: string; password: string; hostKey: string },
    /** What the lab hosts' own sshd ask behind -J: the session password. */
    private readonly hostPassword = '',
  ) {
    writeFileSync(this.knownHosts, `[${gateway.host}]:${gateway.port} ${gateway.hostKey}\n`);
    // The client's HOME is this directory; ssh-copy-id makes its temporary files in ~/.ssh.
    mkdirSync(join(this.dir, '.ssh'), { mode: 0o700 });
    writeFileSync(
      this.config,
      [
        'Host *',
        `  UserKnownHostsFile ${this.knownHosts}`,
        '  GlobalKnownHostsFile /dev/null',
        // The gateway's key is in known_hosts (a different one fails); lab hosts behind -J are met for the first time.
        '  StrictHostKeyChecking accept-new',
        '  PubkeyAuthentication no',
        '  PreferredAuthentications publickey,password',
        '  NumberOfPasswordPrompts 1',
        '  ControlMaster no',
        '  ControlPath none',
        '  ConnectTimeout 20',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const askpass = join(this.dir, 'askpass');
    writeFileSync(askpass, '#!/bin/sh\ncase "$1" in\n  *"$GW_USER@"*) printf \'%s\\n\' "$GW_PASSWORD" ;;\n  *) printf \'%s\\n\' "$HOST_PASSWORD" ;;\nesac\n');
    chmodSync(askpass, 0o700);
    this.askpass = askpass;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'learner-laptop', '-f', this.key]);
  }

  private readonly askpass: string;

  /** `username@host` of the gateway. */
  get target(): string {
    return `${this.gateway.username}@${this.gateway.host}`;
  }

  /** Runs a client program with this client's environment; `password` overrides the gateway password (wrong-password tests). */
  run(
    program: string,
    args: string[],
    options: { input?: string | Buffer; password?: string; timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
  ): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, {
        cwd: options.cwd ?? this.dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: this.dir,
          LANG: 'C.UTF-8',
          SSH_ASKPASS: this.askpass,
          SSH_ASKPASS_REQUIRE: 'force',
          DISPLAY: ':0',
          GW_USER: this.gateway.username,
          GW_PASSWORD: options.password ?? this.gateway.password,
          HOST_PASSWORD: this.hostPassword,
          ...options.env,
        },
        // Its own session: ssh must not find this test's controlling terminal (askpass is forced anyway).
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** ssh -F <config> -p <port> … with the given arguments before the destination. */
  ssh(args: string[], command?: string, options: Parameters<OpenSshClient['run']>[2] = {}): Promise<RunResult> {
    return this.run('ssh', ['-F', this.config, '-p', String(this.gateway.port), ...args, this.target, ...(command === undefined ? [] : [command])], options);
  }

  /** The `-J` argument for this gateway: `username@host:port`. */
  get jump(): string {
    return `${this.gateway.username}@${this.gateway.host}:${this.gateway.port}`;
  }

  /** known_hosts lines ssh recorded for a name (lab hosts met behind -J). */
  knownHostLines(name: string): string[] {
    return readFileSync(this.knownHosts, 'utf8')
      .split('\n')
      .filter((line) => line.split(' ')[0]?.split(',').includes(name));
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A lab host's container as the tests reach it from outside (docker exec), to verify effects. */
export function onHost(sessionId: string, host: string, command: string, user = 'learner'): string {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=ssh-lab.session=${sessionId}`, '--filter', `label=ssh-lab.host=${host}`], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')[0];
  if (!id) throw new Error(`no container for ${host} of session ${sessionId}`);
  return execFileSync('docker', ['exec', '-u', user, '-w', user === 'root' ? '/root' : `/home/${user}`, id, 'bash', '-c', command], { encoding: 'utf8' });
}
