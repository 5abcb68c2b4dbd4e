/**
 * The container sandbox, attacked from a learner's shell: capabilities, privilege escalation,
 * disk, memory and process limits. Real sessions, real containers.
 * Over 300 lines: one attack surface per file, many short attempts.
 * Docker-only: it reads docker inspect and the containers' cgroups. Under SSH_LAB_PROVIDER=kubernetes it
 * is skipped with one line; the Kubernetes counterparts are tests/unit/k8s-render.test.ts (every
 * hardening field on every Pod) and tests/integration/podman-kube-play.test.ts (enforced on the image).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TerminalClient } from '../../src/labs/terminal-client.js';
import type { CreateSessionResponse } from '../../src/protocol/api.js';
import { hostCapabilities, runtimeCapabilities } from '../../src/server/environments/lab-host-container.js';
import type { RunningServer } from '../../src/server/main.js';
import { labelledContainers, waitFor } from '../helpers/docker.js';
import { startTestServer } from '../helpers/server.js';
import { containerOf, createSession, docker, echoRoundTrip, health, inspect, openShell, pools, sessionNetwork, sh } from './helpers.js';
import { dockerOnly } from '../helpers/provider-resources.js';

const sandboxSkip = dockerOnly(
  'sandbox',
  'docker inspect, cgroup files and the layer size of its containers',
  'tests/unit/k8s-render.test.ts (every Pod carries the Docker hardening, field by field) and tests/integration/podman-kube-play.test.ts (that security context and those volumes enforced on the real lab image)',
);

/** Linux capability numbers (include/uapi/linux/capability.h) of the ones a host may hold. */
const capabilityBits: Record<string, number> = { CHOWN: 0, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_ADMIN: 12, SYS_CHROOT: 18, AUDIT_WRITE: 29 };
const mask = (caps: readonly string[]) => caps.reduce((m, c) => m | (1n << BigInt(capabilityBits[c]!)), 0n);
const runtimeMask = mask(runtimeCapabilities);

const limits = { memoryMb: 160, pids: 96, homeMb: 32, tmpMb: 16 };
/**
 * Another session's echo while one is attacked: slower than this is starvation. Safety bounds
 * only; the benchmark measures echo and time to prompt (scripts/bench.ts, scripts/bench/sessions.ts).
 */
const starvedEchoMs = 10_000;
const coldStartBoundMs = 60_000;
let server: RunningServer;
const open: { session: CreateSessionResponse; terminal: TerminalClient }[] = [];

async function start(labId = 'keygen') {
  const { status, body } = await createSession(server.url, labId);
  assert.equal(status, 201, JSON.stringify(body));
  const session = body as unknown as CreateSessionResponse;
  const terminal = await openShell(server.url, session);
  const entry = { session, terminal };
  open.push(entry);
  return entry;
}

async function end(session: CreateSessionResponse): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session.token}` } });
  assert.equal(response.status, 204);
  return performance.now() - started;
}

/** cgroup v1 or v2 file of a container, read on this machine. */
function cgroupFile(containerId: string, controller: 'pids' | 'memory', v1: string, v2: string): string | undefined {
  const candidates = [
    `/sys/fs/cgroup/${controller}/ssh-lab-hosts/${containerId}/${v1}`,
    `/sys/fs/cgroup/ssh-lab-hosts/${containerId}/${v2}`,
    `/sys/fs/cgroup/${controller}/docker/${containerId}/${v1}`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/${v2}`,
    `/sys/fs/cgroup/docker/${containerId}/${v2}`,
  ];
  const path = candidates.find((p) => existsSync(p));
  return path ? readFileSync(path, 'utf8') : undefined;
}

describe('the Docker sandbox', { skip: sandboxSkip }, () => {
  before(async () => {
    server = await startTestServer({
      SSH_LAB_SUBNET_POOL: pools.sandbox,
      SSH_LAB_HOST_MEMORY_MB: String(limits.memoryMb),
      SSH_LAB_HOST_PIDS: String(limits.pids),
      SSH_LAB_HOST_HOME_MB: String(limits.homeMb),
      SSH_LAB_HOST_TMP_MB: String(limits.tmpMb),
      // The opt-in CPU priority for the backend: hosts under their own low-weight parent cgroup.
      SSH_LAB_HOST_CGROUP_PARENT: 'ssh-lab-hosts',
    });
  });
  after(async () => {
    for (const { terminal } of open) await terminal.close().catch(() => undefined);
    await server?.close();
  });

  describe('a lab host as Docker runs it', { timeout: 600_000 }, () => {
    test('has the documented limits, no host mounts and no Docker socket', async () => {
      const { session, terminal } = await start();
      const info = inspect(containerOf(session.id));
      const host = info.HostConfig;
      assert.deepEqual(host.CapDrop, ['ALL']);
      assert.deepEqual([...host.CapAdd].map((c: string) => c.replace(/^CAP_/, '')).sort(), [...hostCapabilities].sort());
      assert.ok(host.SecurityOpt.includes('no-new-privileges'), host.SecurityOpt);
      assert.equal(host.Privileged, false);
      assert.equal(host.IpcMode, 'private');
      assert.equal(host.OomScoreAdj, 500);
      assert.deepEqual(info.Config.Entrypoint, ['/usr/local/sbin/lab-entrypoint'], 'the entrypoint is PID 1 and execs tini itself');
      assert.equal(host.ReadonlyRootfs, true);
      assert.equal(host.PidsLimit, limits.pids);
      assert.equal(host.Memory, limits.memoryMb * 1024 * 1024);
      assert.equal(host.MemorySwap, host.Memory, 'swap equal to memory: no swap beyond it');
      // CPU: an even weight for every host and, with no SSH_LAB_HOST_CPUS set, no hard ceiling (a lone learner may burst).
      assert.equal(host.CpuShares, 256);
      assert.equal(host.NanoCpus, 0, 'no CFS quota unless the operator sets SSH_LAB_HOST_CPUS');
      // Under their own parent cgroup, weighted below the backend (a process outside weighs 1024).
      assert.equal(host.CgroupParent, '/ssh-lab-hosts');
      const parentShares = ['/sys/fs/cgroup/cpu/ssh-lab-hosts/cpu.shares', '/sys/fs/cgroup/ssh-lab-hosts/cpu.weight'].find((p) => existsSync(p));
      assert.ok(parentShares, 'the parent cgroup exists');
      assert.equal(Number(readFileSync(parentShares, 'utf8')), parentShares.endsWith('cpu.shares') ? 128 : 49);
      assert.equal(host.ShmSize, 4 * 1024 * 1024);
      assert.ok(host.Ulimits.some((u: { Name: string; Hard: number }) => u.Name === 'nofile' && u.Hard === 1024));
      assert.equal(host.LogConfig.Type, 'json-file');
      assert.equal(host.LogConfig.Config['max-size'], '1m');
      const network = sessionNetwork(session.id);
      if (network.own) {
        // Outside Docker's networking (a bridge of the backend's own): the one host path is the
        // session's hosts file, read-only, as Docker itself mounts its /etc/hosts on its networks.
        const hostsFile = join(tmpdir(), 'ssh-lab-hosts', network.bridge);
        assert.deepEqual(host.Binds, [`${hostsFile}:/etc/hosts:ro`], 'only the hosts file');
        assert.deepEqual(
          info.Mounts.map((m: { Source: string; Destination: string; RW: boolean }) => [m.Source, m.Destination, m.RW]),
          [[hostsFile, '/etc/hosts', false]],
        );
        assert.equal(host.NetworkMode, 'none');
        assert.equal(info.Config.NetworkDisabled, true);
        const hosts = await sh(terminal, 'getent hosts workstation localhost; ip -o link show | wc -l');
        assert.match(hosts.out, /^172\.31\.\d+\.\d+\s+workstation$/m, hosts.out);
        assert.match(hosts.out, /^(127\.0\.0\.1|::1)\s+localhost/m, hosts.out);
        assert.match(hosts.out, /^2$/m, `loopback and eth0 only:\n${hosts.out}`);
      } else {
        assert.ok(!host.Binds?.length, 'no bind mounts');
        assert.deepEqual(info.Mounts, [], 'no volumes or host paths');
        assert.match(host.NetworkMode, /^ssh-lab-/);
        assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [`ssh-lab-${session.id}`], 'on its session network only');
      }
      // tmpfs pages and /dev/shm count against Memory: their sum stays well below it.
      const tmpfsMb = Object.values(host.Tmpfs as Record<string, string>).reduce((sum, opts) => sum + Number(/size=(\d+)m/.exec(opts)![1]), 0) + 4;
      assert.ok(tmpfsMb <= limits.memoryMb * 0.5, `tmpfs ${tmpfsMb} MB of ${limits.memoryMb} MB`);
      assert.ok(!info.Config.Env.some((e: string) => /^DOCKER_/.test(e)));

      const missing = await sh(terminal, 'ls -l /var/run/docker.sock /run/docker.sock /run/containerd/containerd.sock 2>&1');
      assert.equal((missing.out.match(/No such file or directory/g) ?? []).length, 3, missing.out);
      const sockets = await sh(terminal, 'find / -xdev -type s 2>/dev/null; find /run /tmp /var/tmp /home /dev -type s 2>/dev/null; echo end-of-list');
      assert.doesNotMatch(sockets.out, /docker|containerd|podman/, sockets.out);
    });

    test('the learner shell, sshd and PID 1 hold only the documented capabilities', async () => {
      const { terminal } = open[0]!;
      const { out } = await sh(
        terminal,
        `for p in /proc/[0-9]*; do s=$p/status; [ -r $s ] || continue; printf '%s %s %s %s %s %s %s %s\\n' "$(cat $p/comm)" ` +
          `"$(awk '/^Uid:/{print $2}' $s)" "$(awk '/^CapEff:/{print $2}' $s)" "$(awk '/^CapPrm:/{print $2}' $s)" "$(awk '/^CapBnd:/{print $2}' $s)" ` +
          `"$(awk '/^CapAmb:/{print $2}' $s)" "$(awk '/^NoNewPrivs:/{print $2}' $s)" "$(awk '/^Seccomp:/{print $2}' $s)"; done 2>/dev/null`,
      );
      const processes = out
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((f) => f.length === 8)
        .map(([comm, uid, eff, prm, bnd, amb, nnp, seccomp]) => ({
          comm: comm!,
          uid: Number(uid),
          eff: BigInt(`0x${eff}`),
          prm: BigInt(`0x${prm}`),
          bnd: BigInt(`0x${bnd}`),
          amb: BigInt(`0x${amb}`),
          nnp,
          seccomp,
        }));
      const names = processes.map((p) => p.comm);
      for (const expected of ['tini', 'timeout', 'sshd', 'bash']) assert.ok(names.includes(expected), `${expected} in ${names.join(' ')}`);
      for (const p of processes) {
        assert.equal(p.bnd, runtimeMask, `${p.comm}: bounding set ${p.bnd.toString(16)} (NET_ADMIN and SETPCAP dropped for every process)`);
        assert.equal(p.eff & ~runtimeMask, 0n, `${p.comm}: effective ${p.eff.toString(16)}`);
        assert.equal(p.amb, 0n, `${p.comm}: no ambient capabilities`);
        assert.equal(p.nnp, '1', `${p.comm}: no-new-privileges`);
        assert.equal(p.seccomp, '2', `${p.comm}: Docker's seccomp filter`);
        if (p.uid !== 0) assert.equal(p.eff | p.prm, 0n, `${p.comm} (uid ${p.uid}) holds no capability`);
      }
      const pid1 = processes.find((p) => p.comm === 'tini')!;
      assert.equal(pid1.eff, runtimeMask, 'PID 1 (tini) kept neither NET_ADMIN nor SETPCAP');
      assert.ok(
        processes.some((p) => p.comm === 'sshd' && p.uid === 0 && p.eff === runtimeMask),
        'the sshd listener holds exactly the five',
      );
      assert.ok(
        processes.some((p) => p.comm === 'bash' && p.uid === 1000 && p.eff === 0n),
        "the learner's shell holds none",
      );
    });

    test('escalation and escape attempts from the shell fail', async () => {
      const { session, terminal } = open[0]!;
      const attempts: [string, RegExp][] = [
        ['touch /etc/evil', /Read-only file system/],
        ['touch /usr/local/bin/evil', /Read-only file system/],
        ['mkdir -p /tmp/m && mount -t tmpfs none /tmp/m', /must be superuser|Operation not permitted|permission denied/i],
        ['su -c id root < /dev/null', /Authentication failure|must be run from a terminal|Permission denied|cannot/i],
        ['unshare -Ur id', /Operation not permitted/],
        ['ip link set eth0 down', /Operation not permitted/],
        ['ip route add default dev eth0', /Operation not permitted/],
        ['ip rule del priority 200', /Operation not permitted/],
        ['cat /run/ssh-lab/ssh_host_ed25519_key', /Permission denied/],
        ['cat /proc/1/environ', /Permission denied/],
        ['cat /etc/shadow', /Permission denied/],
        ['echo evil > /proc/sys/kernel/hostname', /Read-only file system|Permission denied/],
        // /run and /var/tmp are noexec (home and /tmp allow exec so learners can run their own scripts).
        ['cp /usr/bin/id /var/tmp/myid && /var/tmp/myid', /Permission denied/],
      ];
      for (const [command, expected] of attempts) {
        const { out, code } = await sh(terminal, `${command} 2>&1`);
        assert.notEqual(code, 0, `${command} succeeded:\n${out}`);
        assert.match(out, expected, `${command}:\n${out}`);
      }
      // A program run from home or /tmp runs as learner: the mounts are nosuid, so a setuid bit is ignored.
      for (const dir of ['~', '/tmp']) {
        const { out, code } = await sh(terminal, `cp /usr/bin/id ${dir}/myid && chmod 4755 ${dir}/myid && ${dir}/myid -u; rm -f ${dir}/myid`);
        assert.equal(code, 0, out);
        assert.match(out, /^1000$/m, `${dir}/myid ran with another uid:\n${out}`);
      }
      const { out: mounts } = await sh(terminal, 'cat /proc/mounts');
      for (const dir of ['/home', '/tmp', '/var/tmp', '/run']) {
        const options =
          mounts
            .split('\n')
            .find((l) => l.split(' ')[1] === dir)
            ?.split(' ')[3] ?? '';
        assert.match(options, /(^|,)nosuid(,|$)/, `${dir} is mounted ${options}`);
        assert.match(options, /(^|,)nodev(,|$)/, `${dir} is mounted ${options}`);
      }
      // The environment handed to the entrypoint (host key, password) is gone from PID 1.
      const environ = inspect(containerOf(session.id)).Config.Env as string[];
      assert.ok(
        environ.some((e) => e.startsWith('SSH_LAB_PASSWORD=')),
        'the container was started with secrets in its environment',
      );
      const { out } = await sh(terminal, 'tr "\\0" "\\n" < /proc/$(pgrep -o sshd)/environ 2>&1 | grep -c SSH_LAB_ || true');
      assert.match(out, /Permission denied|^0/m);
    });

    test("filling the disk stops at each tmpfs cap; nothing reaches this machine's disk", async (t) => {
      const { session, terminal } = open[0]!;
      const id = containerOf(session.id);
      const free = () => {
        const s = statfsSync('/var/lib/docker');
        return s.bavail * s.bsize;
      };
      const before = free();
      const caps: [string, number][] = [
        ['~/fill', limits.homeMb],
        ['/tmp/fill', limits.tmpMb],
        ['/var/tmp/fill', limits.tmpMb / 2],
        ['/dev/shm/fill', 4],
      ];
      let written = 0;
      for (const [path, capMb] of caps) {
        const { out } = await sh(
          terminal,
          `dd if=/dev/zero of=${path} bs=1M count=${capMb * 4} 2>&1; echo "dd exit $?"; stat -c %s ${path}; stat -f -c %T ${path}`,
          60_000,
        );
        assert.match(out, /No space left on device/, out);
        assert.match(out, /dd exit 1/, out);
        const lines = out.trim().split('\n');
        const size = Number(lines.at(-2));
        assert.equal(lines.at(-1), 'tmpfs');
        assert.ok(size <= capMb * 1024 * 1024 && size > capMb * 1024 * 1024 * 0.8, `${path}: ${size} bytes for a ${capMb} MB cap`);
        written += size;
      }
      const after = free();
      const fellBy = before - after;
      t.diagnostic(`wrote ${(written / 2 ** 20).toFixed(1)} MB into tmpfs; host free space changed by ${(fellBy / 2 ** 20).toFixed(1)} MB`);
      assert.ok(fellBy < written, `host free space fell by ${fellBy} bytes while ${written} were written to tmpfs`);
      const sizeRw = JSON.parse(docker('inspect', '--size', id))[0].SizeRw as number;
      assert.ok(sizeRw < 1024 * 1024, `the container's writable layer holds ${sizeRw} bytes`);
      // The shell still works and the space comes back.
      const { code } = await sh(terminal, 'rm -f ~/fill /tmp/fill /var/tmp/fill /dev/shm/fill && echo cleaned');
      assert.equal(code, 0);
    });

    test('a memory hog is killed inside its own container; the shell, the host and other sessions go on', async (t) => {
      const { session, terminal } = open[0]!;
      const id = containerOf(session.id);
      const other = await start();
      const started = performance.now();
      const { out, code } = await sh(terminal, 'tail /dev/zero', 60_000);
      t.diagnostic(`tail /dev/zero was killed after ${Math.round(performance.now() - started)} ms (exit ${code})`);
      assert.equal(code, 137, out);
      assert.match(out, /Killed/);
      assert.equal((await sh(terminal, 'echo alive')).out.trim(), 'alive');
      const state = inspect(id).State;
      assert.equal(state.Running, true, 'the container was not restarted or stopped');
      const oom = cgroupFile(id, 'memory', 'memory.oom_control', 'memory.events');
      assert.ok(oom !== undefined, "the container's memory cgroup is readable here (cgroup v1 or v2 layout)");
      assert.match(oom, /oom_kill [1-9]/, oom);
      const peak = cgroupFile(id, 'memory', 'memory.max_usage_in_bytes', 'memory.peak');
      if (peak) t.diagnostic(`container memory peak ${(Number(peak) / 2 ** 20).toFixed(1)} MB (limit ${limits.memoryMb} MB)`);
      assert.ok((await echoRoundTrip(other.terminal, starvedEchoMs)) < starvedEchoMs, 'another session still answers');
      assert.equal((await health(server.url)).status, 'ok');
      await other.terminal.close();
      await end(other.session);
    });

    test('a fork bomb is held by the pids limit; another session starts and answers meanwhile; the stricken one resets', async (t) => {
      const bombed = await start();
      const id = containerOf(bombed.session.id);
      bombed.terminal.type(':(){ :|:& };:\r');
      await bombed.terminal.waitUntil((text) => /fork: (retry: )?Resource temporarily unavailable/.test(text), 30_000, 'the pids limit to bite');
      const pidsNow = () => cgroupFile(id, 'pids', 'pids.current', 'pids.current');
      assert.ok(pidsNow() !== undefined, "the container's pids cgroup is readable here (cgroup v1 or v2 layout)");
      // The bomb fills the container up to its limit, and no further.
      await waitFor(() => Number(pidsNow()) >= limits.pids * 0.8, 20_000, 'the bomb to reach the pids limit');
      const pids = pidsNow()!;
      t.diagnostic(`pids in the bombed container: ${pids.trim()} (limit ${limits.pids})`);
      assert.ok(Number(pids) <= limits.pids && Number(pids) >= limits.pids * 0.8, `pids.current ${pids}`);

      // Meanwhile: a new session starts and its shell answers, and the first session's does too.
      const createStarted = performance.now();
      const fresh = await start();
      const createMs = performance.now() - createStarted;
      const rtt = await echoRoundTrip(fresh.terminal, starvedEchoMs);
      const oldRtt = await echoRoundTrip(open[0]!.terminal, starvedEchoMs);
      t.diagnostic(`during the bomb: new session ready in ${Math.round(createMs)} ms, echo ${Math.round(rtt)} ms; older session echo ${Math.round(oldRtt)} ms`);
      assert.ok(createMs < coldStartBoundMs, `a new session started during the bomb (${Math.round(createMs)} ms)`);
      assert.ok(rtt < starvedEchoMs && oldRtt < starvedEchoMs, 'both sessions answer during the bomb');
      assert.equal((await health(server.url)).status, 'ok');

      // Reset: end the stricken session (its containers go) and start a fresh one.
      await bombed.terminal.close();
      const endMs = await end(bombed.session);
      await waitFor(() => labelledContainers(bombed.session.id).length === 0, 20_000, 'the bombed container to go');
      const reset = await start();
      const resetRtt = await echoRoundTrip(reset.terminal);
      t.diagnostic(`stricken session ended in ${Math.round(endMs)} ms; the fresh one echoes in ${Math.round(resetRtt)} ms`);
      assert.equal((await sh(reset.terminal, 'ps -e --no-headers | wc -l')).code, 0);
      for (const s of [fresh, reset]) {
        await s.terminal.close();
        await end(s.session);
      }
    });
  });
});
