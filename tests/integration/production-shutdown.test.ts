import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { before, describe, test } from 'node:test';
import { loadLab } from '../../src/labs/load.js';
import { ensureSite } from '../../scripts/lib/site-build.js';
import { waitFor } from '../helpers/docker.js';

/**
 * `npm start` as an operator runs it, stopped the way systemd, `docker stop` and Kubernetes stop
 * it: SIGTERM to the whole process group. The server runs compiled under plain node, so every
 * process of the group gets the signal and the server's own handler ends every session and the
 * warm pool before it exits. Under tsx this left all containers behind in 2 of 8 trials.
 */

const trials = 5;
const pooled = { keygen: 1, 'jump-host': 1, 'copy-id': 1 } as const;
const expectedContainers = Object.entries(pooled).reduce((n, [id, size]) => n + size * loadLab(id).hosts.length, 0);

/** Process ids whose process group is `group` (read from /proc, as ps would). */
function processesIn(group: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        // pid (comm) state ppid pgrp …: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === group ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

/** A process's command line, or nothing when it exited since the listing (a short-lived `docker` call does). */
function commandOf(pid: number): string[] {
  try {
    return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')];
  } catch {
    return [];
  }
}

/** Owner labels (host:pid:start) of labelled resources made by processes of this group. */
function ownersIn(group: number, kind: 'ps' | 'network'): string[] {
  const args = kind === 'ps' ? ['ps', '-a'] : ['network', 'ls'];
  const pids = new Set(processesIn(group).map(String));
  return execFileSync('docker', [...args, '--filter', 'label=ssh-lab.session', '--format', '{{.Label "ssh-lab.owner"}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((owner) => {
      const [host, pid] = owner.split(':');
      return host === hostname() && pid !== undefined && pids.has(pid);
    });
}

function resourcesOf(owner: string): string[] {
  const filter = `label=ssh-lab.owner=${owner}`;
  const containers = execFileSync('docker', ['ps', '-aq', '--filter', filter], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const networks = execFileSync('docker', ['network', 'ls', '-q', '--filter', filter], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return [...containers.map((c) => `container ${c}`), ...networks.map((n) => `network ${n}`)];
}

function startProduction(): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn('npm', ['start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SSH_LAB_POOL_SIZE: '0',
      SSH_LAB_POOL_SIZES: Object.entries(pooled)
        .map(([id, size]) => `${id}=${size}`)
        .join(','),
      SSH_LAB_SUBNET_POOL: '172.24.0.0/20',
      // Off: the gateway's default port 2222 may be taken by a parallel run.
      SSH_LAB_GATEWAY_PORT: '0',
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

before(async () => {
  // npm start builds the site when it is stale; do that once here, not inside a timed trial.
  await ensureSite();
});

describe('npm start stopped by SIGTERM to its process group', () => {
  test(`leaves no labelled container or network behind (${trials} trials, full warm pool)`, { timeout: trials * 180_000 }, async (t) => {
    assert.ok(existsSync('/proc/self/stat'), 'this test reads process groups from /proc');
    for (let trial = 1; trial <= trials; trial++) {
      const { child, output } = startProduction();
      const group = child.pid!;
      try {
        await waitFor(() => output().includes('SSH Lab is running at'), 150_000, `npm start to serve (output so far: ${output().slice(-500)})`);
        const commands = processesIn(group).flatMap(commandOf);
        assert.ok(
          commands.some((c) => /^\S*node dist\/src\/server\/main\.js/.test(c)),
          `the server runs compiled under node (${commands.join(' | ')})`,
        );
        assert.ok(!commands.some((c) => /server\/main\.ts/.test(c)), 'no server runs from source under tsx');
        await waitFor(() => ownersIn(group, 'ps').length >= expectedContainers, 120_000, `the warm pool to fill (${expectedContainers} containers)`);
        const owners = [...new Set(ownersIn(group, 'ps'))];
        assert.equal(owners.length, 1, 'one backend owns the pool');
        const started = performance.now();
        process.kill(-group, 'SIGTERM');
        await waitFor(() => processesIn(group).length === 0, 30_000, 'every process of the group to exit');
        const left = resourcesOf(owners[0]!);
        t.diagnostic(
          `trial ${trial}: ${expectedContainers} pooled containers, group gone ${Math.round(performance.now() - started)} ms after SIGTERM, ${left.length} left`,
        );
        assert.deepEqual(left, [], `trial ${trial}: nothing of the stopped backend is left (output: ${output().slice(-800)})`);
        assert.match(output(), /SIGTERM: ending every lab session/, 'the server handled the signal itself');
      } finally {
        if (processesIn(group).length) process.kill(-group, 'SIGKILL');
      }
    }
  });
});
