/**
 * `npm run start:cluster`: SSH Lab as several replicas on one machine, for trying out rolling
 * restarts: Debian's redis-server (in memory only) on REDIS_PORT (6380), two compiled replicas on
 * 3001 and 3002 sharing it, and nginx (deploy/nginx/ssh-lab.conf) on PORT (3000) in front of them.
 * `kill -TERM <pid of a replica>` restarts nothing by itself: start it again with the command this
 * prints, and the learner's terminal moves to the other replica meanwhile. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, serverEntry } from './build-server.js';
import { ensureImages } from './images.js';
import { nginxConfig } from './lib/nginx-config.js';
import { ensureSite } from './lib/site-build.js';

const port = Number(process.env.PORT ?? 3000);
const redisPort = Number(process.env.REDIS_PORT ?? 6380);
const replicaPorts = [port + 1, port + 2];
// One machine, one port each: the first replica's SSH gateway on 2222 (GATEWAY_PORT), the second's next to it.
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 2222);
const children: ChildProcess[] = [];

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  // A process group of its own: Ctrl-C reaches this script alone, which stops the replicas one by one.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  children.push(child);
  return child;
}

await ensureImages();
await ensureSite();
await buildServer();

start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
const replicaEnv = (replicaPort: number, index: number) => ({
  ...process.env,
  PORT: String(replicaPort),
  SSH_LAB_GATEWAY_PORT: String(gatewayPort + index),
  HOST: '127.0.0.1',
  SSH_LAB_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  SSH_LAB_TRUST_PROXY: 'on',
});
// Redis first: a replica waits up to 10 s for it at start-up.
await new Promise((r) => setTimeout(r, 300));
for (const [i, replicaPort] of replicaPorts.entries()) start(`replica ${i + 1}`, process.execPath, [serverEntry], replicaEnv(replicaPort, i));

const nginxDir = mkdtempSync(join(tmpdir(), 'ssh-lab-nginx-'));
for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(nginxDir, sub));
writeFileSync(join(nginxDir, 'nginx.conf'), nginxConfig({ dir: nginxDir, listenPort: port, replicaPorts }));
start('nginx', 'nginx', ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf'), '-g', 'daemon off;']);
console.log(
  `\nSSH Lab cluster: http://localhost:${port} (nginx) → replicas on ${replicaPorts.join(' and ')} (SSH gateways on ${gatewayPort} and ${gatewayPort + 1}), Redis on ${redisPort}.`,
);
console.log(
  `Restart a replica: kill -TERM <its pid>, then PORT=${replicaPorts[0]} SSH_LAB_GATEWAY_PORT=${gatewayPort} HOST=127.0.0.1 SSH_LAB_TRUST_PROXY=on SSH_LAB_REDIS_URL=redis://127.0.0.1:${redisPort} node ${serverEntry}\n`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Replicas one after the other, while Redis still answers: each hands its sessions to the ones
  // still running, and the last one ends them all. Then nginx and Redis.
  const exited = (child: ChildProcess) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined);
  for (const child of [...children.slice(1, 1 + replicaPorts.length), ...children.slice(1 + replicaPorts.length), children[0]!]) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
  }
  rmSync(nginxDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
