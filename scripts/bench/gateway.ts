/**
 * The SSH gateway beside its floor, in one run: the same OpenSSH client on this machine, once
 * through the gateway (ssh -p <port> lab-…@127.0.0.1: gateway → backend's pinned connection →
 * workstation) and once straight into the same workstation's sshd at its address on the session
 * network (this machine reaches it; the host firewall only stops traffic from the lab to the
 * machine). Time from starting `ssh -tt` to the shell prompt, and scp throughput (SFTP mode).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promptAtEnd } from '../../src/labs/terminal-client.js';
import type { CreateSessionResponse, GatewayCredentialView } from '../../src/protocol/api.js';
import { startServer } from '../../src/server/main.js';
import { baseEnv, log, now, stripAnsi, summarise, type Summary } from './lib.js';

export interface GatewayResult {
  gatewayPromptMs: Summary;
  directPromptMs: Summary;
  gatewayScpMBps: number;
  directScpMBps: number;
  scpMB: number;
}

interface Route {
  name: string;
  /** ssh arguments up to and including the destination. */
  ssh: string[];
  /** scp arguments for the port and options; the target is `${scpTarget}:/dev/null`. */
  scp: string[];
  scpTarget: string;
  password: string;
}

function freePortSync(): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
}

function clientEnv(dir: string, password: string): NodeJS.ProcessEnv {
  const askpass = join(dir, `askpass-${password.length}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' '${password}'\n`);
  chmodSync(askpass, 0o700);
  return { PATH: process.env.PATH, HOME: dir, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
}

/** From spawning `ssh -tt` to the prompt on the screen (login, kex, shell start), then exit. */
function timeToPrompt(route: Route, dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn('ssh', ['-tt', ...route.ssh], { env: clientEnv(dir, route.password), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    let prompted = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${route.name}: no prompt within 30 s; output ends ${JSON.stringify(out.slice(-200))}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('latin1');
      if (!prompted && promptAtEnd.test(stripAnsi(out))) {
        prompted = now() - started;
        child.stdin.write('exit\n');
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (prompted) resolve(prompted);
      else reject(new Error(`${route.name}: ssh ended before a prompt: ${JSON.stringify(out.slice(-200))}`));
    });
  });
}

async function scpSeconds(route: Route, dir: string, file: string): Promise<number> {
  const started = now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('scp', [...route.scp, file, `${route.scpTarget}:/dev/null`], { env: clientEnv(dir, route.password), stdio: 'ignore', detached: true });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${route.name}: scp exited ${code}`))));
  });
  return (now() - started) / 1000;
}

export async function measureGateway(options: { quick: boolean }): Promise<GatewayResult> {
  const samples = options.quick ? 5 : 20;
  const scpMB = options.quick ? 16 : 64;
  const dir = mkdtempSync(join(tmpdir(), 'ssh-lab-bench-gateway-'));
  const server = await startServer({
    ...process.env,
    ...baseEnv,
    SSH_LAB_SUBNET_POOL: '172.25.176.0/20',
    SSH_LAB_GATEWAY_PORT: String(freePortSync()),
    SSH_LAB_DATA_DIR: join(dir, 'data'),
  });
  let session: CreateSessionResponse | undefined;
  try {
    const created = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labId: 'keygen' }),
    });
    session = (await created.json()) as CreateSessionResponse;
    const issued = await fetch(`${server.url}/api/sessions/${session.id}/gateway`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    const credential = (await issued.json()) as GatewayCredentialView;
    const container = execFileSync('docker', ['ps', '-q', '--filter', `label=ssh-lab.session=${session.id}`], { encoding: 'utf8' }).trim();
    const address = execFileSync('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', container], {
      encoding: 'utf8',
    }).trim();
    // First contact records both host keys (accept-new); every later login checks them, as a learner's would.
    const knownHosts = join(dir, 'known_hosts');
    const common = [
      '-F',
      '/dev/null',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'ControlPath=none',
    ];
    const routes: Route[] = [
      {
        name: 'gateway',
        ssh: [...common, '-p', String(credential.port), `${credential.username}@127.0.0.1`],
        scp: [...common, '-P', String(credential.port)],
        scpTarget: `${credential.username}@127.0.0.1`,
        password: credential.password,
      },
      { name: 'direct', ssh: [...common, `learner@${address}`], scp: common, scpTarget: `learner@${address}`, password: session.password },
    ];
    const prompts: Record<string, number[]> = { gateway: [], direct: [] };
    log(`gateway: time to prompt, ${samples} logins each way, alternating`);
    for (let i = 0; i < samples; i++) for (const route of routes) prompts[route.name]!.push(await timeToPrompt(route, dir));
    const file = join(dir, 'payload.bin');
    writeFileSync(file, randomBytes(scpMB * 1024 * 1024));
    log(`gateway: scp of ${scpMB} MB each way to /dev/null, 3 runs`);
    const seconds: Record<string, number[]> = { gateway: [], direct: [] };
    for (let i = 0; i < 3; i++) for (const route of routes) seconds[route.name]!.push(await scpSeconds(route, dir, file));
    const best = (values: number[]) => Math.min(...values);
    return {
      gatewayPromptMs: summarise(prompts.gateway!),
      directPromptMs: summarise(prompts.direct!),
      gatewayScpMBps: scpMB / best(seconds.gateway!),
      directScpMBps: scpMB / best(seconds.direct!),
      scpMB,
    };
  } finally {
    if (session) await fetch(`${server.url}/api/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session.token}` } });
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
