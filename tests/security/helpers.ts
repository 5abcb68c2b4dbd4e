import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import { projectRoot } from '../../src/server/environments/image.js';
import { providerTestEnv } from '../helpers/provider-resources.js';
import { testEnv } from '../helpers/server.js';

/** Each security test server carves its session networks from its own block of 172.31.0.0/16. */
export const pools = {
  sandbox: '172.31.0.0/20',
  network: '172.31.16.0/20',
  flow: '172.31.32.0/20',
  service: '172.31.48.0/20',
  faults: '172.31.64.0/20',
  faultsChild: '172.31.80.0/20',
  browser: '172.31.96.0/20',
  serviceChild: '172.31.112.0/20',
} as const;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Full id of a session's host container. */
export function containerOf(sessionId: string, host = 'workstation'): string {
  const id = docker('ps', '-q', '--no-trunc', '--filter', `label=ssh-lab.session=${sessionId}`, '--filter', `label=ssh-lab.host=${host}`);
  if (!id) throw new Error(`no container for host ${host} of session ${sessionId}`);
  return id.split('\n')[0]!;
}

// biome-ignore lint/suspicious/noExplicitAny: docker inspect's JSON, read field by field by the tests.
export function inspect(containerId: string): any {
  return JSON.parse(docker('inspect', containerId))[0];
}

/**
 * The session network's bridge interface, gateway address and subnet: as Docker reports them for a
 * Docker network, or as the machine's interfaces do for a bridge the backend made (its alias names the session).
 */
export function sessionNetwork(sessionId: string): { bridge: string; gateway: string; subnet: string; own: boolean } {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' })) as { ifname: string; ifalias?: string }[];
  const own = links.find((l) => l.ifalias?.startsWith('ssh-lab;') && l.ifalias.split(';').includes(`session=${sessionId}`));
  if (own) {
    const [link] = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', own.ifname], { encoding: 'utf8' }));
    const { local, prefixlen } = link.addr_info[0] as { local: string; prefixlen: number };
    const base = local.split('.').map(Number);
    base[3] = base[3]! & ~(2 ** (32 - prefixlen) - 1) & 255;
    return { bridge: own.ifname, gateway: local, subnet: `${base.join('.')}/${prefixlen}`, own: true };
  }
  const network = JSON.parse(docker('network', 'inspect', `ssh-lab-${sessionId}`))[0];
  const ipam = network.IPAM.Config[0];
  return { bridge: network.Options['com.docker.network.bridge.name'], gateway: ipam.Gateway, subnet: ipam.Subnet, own: false };
}

/** A host's address on its session network, as its own eth0 has it. */
export function hostAddress(containerId: string): string {
  const out = docker('exec', containerId, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0');
  const match = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!match) throw new Error(`${containerId} has no IPv4 address on eth0:\n${out}`);
  return match[1]!;
}

/** This machine's docker0 address (normally 172.17.0.1). */
export function docker0Address(): string {
  const out = execFileSync('ip', ['-4', 'addr', 'show', 'docker0'], { encoding: 'utf8' });
  const match = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!match) throw new Error(`docker0 has no IPv4 address:\n${out}`);
  return match[1]!;
}

export function iptablesInput(): string {
  return execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' });
}

/** Packets dropped so far by the ssh-lab rule of one bridge. */
export function firewallDrops(bridge: string): number {
  const out = execFileSync('iptables', ['-w', '-L', 'INPUT', '-v', '-n', '-x'], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes(` ${bridge} `) && l.includes('ssh-lab'));
  if (!line) throw new Error(`no ssh-lab rule for ${bridge}:\n${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

let marker = 0;

/**
 * Runs a command line in a learner's shell and returns what it printed and its exit status. The end
 * marker is computed by the shell ($((n+1))), so the echoed command line never matches it.
 */
export async function sh(terminal: TerminalClient, command: string, timeoutMs = 20_000): Promise<{ out: string; code: number }> {
  const n = 7000 + 2 * ++marker;
  const end = new RegExp(`@@rc=(\\d+)@@${n + 1}@@`);
  const from = terminal.text().length;
  terminal.type(`${command}; echo "@@rc=$?@@$((${n}+1))@@"\r`);
  await terminal.waitUntil((text) => end.test(text.slice(from)), timeoutMs, `the end of: ${command.slice(0, 80)}`);
  const text = terminal.text().slice(from);
  const match = end.exec(text)!;
  const body = text.slice(0, match.index);
  const firstNewline = body.indexOf('\n');
  return { out: firstNewline >= 0 ? body.slice(firstNewline + 1) : '', code: Number(match[1]) };
}

/** Time from typing to seeing the shell echo a computed value: what a learner feels as lag. */
export async function echoRoundTrip(terminal: TerminalClient, timeoutMs = 10_000): Promise<number> {
  const n = 50_000 + 2 * ++marker;
  const from = terminal.text().length;
  const started = performance.now();
  terminal.type(`echo ":$((${n}+1)):"\r`);
  await terminal.waitUntil((text) => text.slice(from).includes(`:${n + 1}:`), timeoutMs, 'an echo');
  return performance.now() - started;
}

export async function openShell(baseUrl: string, session: CreateSessionResponse): Promise<TerminalClient> {
  const terminal = await TerminalClient.open(baseUrl, session);
  await terminal.waitForPrompt();
  // Wide enough that no command line in these tests wraps.
  terminal.resize(400, 50);
  await sh(terminal, 'true');
  return terminal;
}

export async function ticket(baseUrl: string, session: { id: string; token: string }): Promise<string> {
  const response = await fetch(`${baseUrl}/api/sessions/${session.id}/ticket`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) throw new Error(`ticket: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ticket: string }).ticket;
}

export function terminalUrl(baseUrl: string, sessionId: string, ticketValue: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/api/sessions/${sessionId}/terminal?ticket=${encodeURIComponent(ticketValue)}`;
}

/** Opens a raw WebSocket; resolves with the socket on upgrade, or with the refusal's status and JSON body. */
export function rawSocket(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ socket?: WebSocket; status: number; body?: Record<string, unknown>; headers?: Record<string, unknown>; texts: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    // Text frames from the very start (some arrive with the upgrade response itself).
    const texts: string[] = [];
    socket.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(String(data));
    });
    socket.once('upgrade', (response) => {
      socket.once('open', () => resolve({ socket, status: 101, headers: response.headers, texts }));
    });
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, texts }));
    });
    socket.once('error', (error) => reject(error));
  });
}

export function closedWith(socket: WebSocket, timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve({ code: -1, reason: 'already closed' });
    const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

export async function health(baseUrl: string): Promise<{ status: string; environments: { available: boolean; message?: string } }> {
  const response = await fetch(`${baseUrl}/healthz`);
  return (await response.json()) as { status: string; environments: { available: boolean; message?: string } };
}

export async function createSession(baseUrl: string, labId: string, forwardedFor?: string) {
  const response = await fetch(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ labId }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, headers: response.headers };
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

export interface ChildServer {
  url: string;
  pid: number;
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  api: ApiClient;
}

/**
 * The real backend as its own process (`node --import tsx src/server/main.ts`), as `npm start`
 * runs it: for RSS measurements, SIGKILL and a Docker engine that is not there at start.
 * `wrap` prefixes the command (e.g. unshare).
 */
export function startChildServer(env: Record<string, string>, wrap: string[] = []): Promise<ChildServer> {
  const command = [...wrap, process.execPath, '--import', 'tsx', 'src/server/main.ts'];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: projectRoot,
    env: { ...process.env, ...testEnv, ...providerTestEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${output}`)), 60_000);
    const onData = () => {
      const match = /SSH Lab is running at (\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      const url = match[1]!;
      resolve({
        url,
        pid: child.pid!,
        process: child,
        output: () => output,
        exited,
        api: new ApiClient(url),
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was running:\n${output}`));
    });
  });
}
