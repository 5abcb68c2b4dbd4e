/**
 * Pod-spec fidelity without a cluster: `podman kube play` of the pods the Kubernetes provider
 * renders for one session boots the real lab image with the same security context and volumes,
 * sshd answers with the pinned host key, the hosts find each other by name through the
 * /etc/hosts the provider writes, and a learner shell works. What podman does not enforce (the
 * NetworkPolicy above all) is listed in the README's Kubernetes section; the few changes made to
 * the played copy are in podmanCopy() below, each with its reason. Skipped when podman is missing.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { IPod } from 'kubernetes-models/v1/Pod';
import pino from 'pino';
import { loadLab } from '../../src/labs/load.js';
import { loadConfig } from '../../src/server/config.js';
import { runtimeCapabilities } from '../../src/server/environments/host-spec.js';
import { labHostImage } from '../../src/server/environments/image.js';
import type { LabCluster } from '../../src/server/environments/kubernetes/cluster-types.js';
import type { ShellChannel } from '../../src/server/environments/types.js';
import { KubernetesEnvironment } from '../../src/server/environments/kubernetes/environment.js';
import { PodWatch } from '../../src/server/environments/kubernetes/pod-watch.js';
import { podName, renderSession } from '../../src/server/environments/kubernetes/render.js';
import { connect, generateEd25519, type KeyPair } from '../../src/server/environments/ssh.js';
import { environmentSpec } from '../../src/server/labs/provision.js';
import { newPassword, newSessionId } from '../../src/server/sessions/tokens.js';

const run = promisify(execFile);
const havePodman = spawnSync('podman', ['--version']).status === 0;
const logger = pino({ level: 'silent' });
const config = loadConfig({});
const sessionId = newSessionId();
const prefix = `ssh-lab-${sessionId}`;
const networkName = `${prefix}-kube`;
const workdir = mkdtempSync(join(tmpdir(), 'ssh-lab-podman-'));
const podmanEnv = { ...process.env, CONTAINERS_CONF: join(workdir, 'containers.conf') };
let runtime = 'crun';
let environment: KubernetesEnvironment | undefined;
let pods: IPod[] = [];

const capabilityBits: Record<string, number> = { CHOWN: 0, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_ADMIN: 12, SYS_CHROOT: 18, AUDIT_WRITE: 29 };
const mask = (caps: readonly string[]) => caps.reduce((m, c) => m | (1n << BigInt(capabilityBits[c]!)), 0n);

function podman(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', ['--runtime', runtime, ...args], { env: podmanEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`podman ${args.join(' ')}: exit ${code}: ${stderr.trim()}`))));
    child.stdin.end();
  });
}

/** The lab image in podman's storage, loaded from Docker once per image id. */
async function ensureImage(image: string): Promise<string> {
  const dockerId = (await run('docker', ['image', 'inspect', '-f', '{{.Id}}', image])).stdout.trim().replace(/^sha256:/, '');
  const local = `localhost/${image}`;
  const podmanId = await podman(['image', 'inspect', '--format', '{{.Id}}', local]).then(
    (id) => id.trim(),
    () => '',
  );
  if (podmanId !== dockerId) await run('bash', ['-o', 'pipefail', '-c', `docker save ${image} | podman load`], { maxBuffer: 16 * 1024 * 1024 });
  return local;
}

/** crun where it runs; runc (Docker's runtime) where crun refuses the machine's cgroup layout. */
async function chooseRuntime(image: string): Promise<void> {
  for (const candidate of ['crun', 'runc']) {
    runtime = candidate;
    const works = await podman(['run', '--rm', '--network', 'none', '--entrypoint', 'true', image]).then(
      () => true,
      () => false,
    );
    if (works) return;
  }
  throw new Error('podman runs no container here with crun or runc');
}

/**
 * What podman 4.3 needs changed to play the pod as a kubelet would:
 * - no containerPort entries: without a hostPort, podman 4.3 publishes each containerPort on every
 *   address of this machine (a kubelet publishes nothing); the backend connects to the pod address;
 * - volume names prefixed with the pod's: podman turns an emptyDir into a named volume shared by
 *   every pod that uses the same name (a kubelet's emptyDir belongs to its pod);
 * - the hosts' names as hostAliases on addresses fixed beforehand (kube play --ip): under a
 *   read-only root podman mounts /etc/hosts read-only, where the kubelet mounts it read-write
 *   (kubelet_pods.go, makeHostsMount: ReadOnly false), so the provider's writeHostsFile() cannot
 *   run here.
 */
function podmanCopy(pod: IPod, addresses: ReadonlyMap<string, string>): IPod {
  const copy = structuredClone(pod);
  copy.spec!.hostAliases = [...addresses].map(([name, ip]) => ({ ip, hostnames: [name] }));
  const name = copy.metadata!.name!;
  const renamed = (volume: string) => `${name}-${volume}`;
  for (const container of [...copy.spec!.containers, ...(copy.spec!.initContainers ?? [])]) {
    delete container.ports;
    for (const mount of container.volumeMounts ?? []) mount.name = renamed(mount.name);
  }
  for (const volume of copy.spec!.volumes ?? []) volume.name = renamed(volume.name);
  return copy;
}

/** Resolves once the host's sshd prints that it listens (as the Docker provider waits for it). */
function sshdListening(container: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const logs = spawn('podman', ['--runtime', runtime, 'logs', '--follow', container], { env: podmanEnv });
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`${container}: sshd did not listen within ${timeoutMs} ms; log: ${seen.slice(-800)}`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      logs.kill();
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (/Server listening on/.test(seen)) finish();
      else if (/sshd exited|FATAL/.test(seen)) finish(new Error(`${container}: sshd did not start: ${seen.slice(-800)}`));
    };
    logs.stdout.on('data', onData);
    logs.stderr.on('data', onData);
  });
}

/** The session's pods as a LabCluster: only what a KubernetesEnvironment calls (deleting the session). */
function podmanPods(): LabCluster {
  const unused = () => Promise.reject(new Error('not used with podman'));
  return {
    create: unused,
    list: unused,
    remove: unused,
    probe: unused,
    deleteSession: async () => {
      await podman(['pod', 'rm', '-f', '-t', '0', '--ignore', ...pods.map((p) => p.metadata!.name!)]);
    },
    watchPods: () => ({ start: async () => undefined, stop: () => undefined }),
  };
}

async function cleanUp(): Promise<void> {
  await environment?.dispose().catch(() => undefined);
  const names = pods.map((p) => p.metadata!.name!);
  if (names.length) await podman(['pod', 'rm', '-f', '-t', '0', '--ignore', ...names]).catch(() => undefined);
  const volumes = (await podman(['volume', 'ls', '--format', '{{.Name}}']).catch(() => '')).split('\n').filter((v) => v.startsWith(`${prefix}-`));
  if (volumes.length) await podman(['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
  await podman(['secret', 'rm', prefix]).catch(() => undefined);
  await podman(['network', 'rm', '-f', networkName]).catch(() => undefined);
  // kube play makes podman's default kube network on first use even when told another: remove it
  // if this test made it and nothing else uses it (rm without -f refuses a network in use).
  if (!kubeNetworkBefore) await podman(['network', 'rm', defaultKubeNetwork]).catch(() => undefined);
  rmSync(workdir, { recursive: true, force: true });
}

const keys = new Map<string, KeyPair>();
const defaultKubeNetwork = 'podman-default-kube-network';
let kubeNetworkBefore = true;
let backendKey: KeyPair;
let gatewayAddress: string;

before(async () => {
  if (!havePodman) return;
  kubeNetworkBefore = await podman(['network', 'exists', defaultKubeNetwork]).then(
    () => true,
    () => false,
  );
  const image = await ensureImage(labHostImage());
  // Podman sets rlimits Docker leaves alone: the Docker provider's nofile and core, a process
  // count this machine allows. Podman 4.3 ignores the pod's sysctls: the same one is set here.
  // pids_limit stands in for the kubelet's podPidsLimit (a node setting).
  writeFileSync(
    podmanEnv.CONTAINERS_CONF,
    [
      '[containers]',
      'default_ulimits = ["nofile=1024:1024", "core=0:0", "nproc=8192:8192"]',
      'default_sysctls = ["net.ipv4.ip_unprivileged_port_start=0"]',
      `pids_limit = ${config.hostLimits.pids}`,
      '',
    ].join('\n'),
  );
  await chooseRuntime(image);
  await podman(['network', 'create', '--label', `ssh-lab.session=${sessionId}`, networkName]);
  const network = JSON.parse(await podman(['network', 'inspect', networkName])) as { subnets?: { subnet?: string; gateway?: string }[] }[];
  const { subnet, gateway } = network[0]?.subnets?.[0] ?? {};
  assert.ok(subnet && gateway, 'the network has a subnet and a gateway address on this machine');

  const lab = loadLab('copy-id');
  const spec = environmentSpec(lab, sessionId, newPassword(), 600);
  const admin = generateEd25519('ssh-lab-backend');
  for (const host of spec.hosts) keys.set(host.name, generateEd25519(`root@${host.name}`));
  const objects = renderSession({
    spec,
    namespace: 'ssh-lab',
    image,
    owner: 'podman-test',
    limits: config.hostLimits,
    adminPublicKey: admin.publicKey,
    // As the Docker provider's hosts, these see the backend connect from the network's gateway.
    adminFrom: gateway,
    hostKeys: Object.fromEntries([...keys].map(([name, key]) => [name, key.privateKey])),
  });
  pods = objects.pods;
  // podman 4.3 reads secretKeyRef from a podman secret holding the Secret's data as JSON (base64 values).
  const data = Object.fromEntries(Object.entries(objects.secret.stringData!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  const secretFile = join(workdir, 'secret.json');
  writeFileSync(secretFile, JSON.stringify(data), { mode: 0o600 });
  await podman(['secret', 'create', objects.secret.metadata!.name!, secretFile]);
  // Addresses from .10 of the network's subnet on, one per host in spec order (kube play --ip takes them in pod order).
  const base = subnet.split('/')[0]!.split('.').map(Number);
  const addresses = new Map(spec.hosts.map((h, i) => [h.name, [base[0], base[1], base[2], base[3]! + 10 + i].join('.')]));
  const file = join(workdir, 'pods.yaml');
  writeFileSync(file, pods.map((p) => JSON.stringify(podmanCopy(p, addresses))).join('\n---\n'));
  await podman(['kube', 'play', '--network', networkName, ...[...addresses.values()].flatMap((ip) => ['--ip', ip]), file]);

  environment = new KubernetesEnvironment({
    sessionId,
    cluster: podmanPods(),
    watch: new PodWatch(podmanPods(), '', logger),
    adminPrivateKey: admin.privateKey,
    logger,
  });
  for (const host of spec.hosts) {
    const name = podName(sessionId, host.name);
    await sshdListening(`${name}-host`, 60_000);
    const infra = (await podman(['pod', 'inspect', '--format', '{{.InfraContainerID}}', name])).trim();
    const address = (await podman(['inspect', '--format', `{{(index .NetworkSettings.Networks "${networkName}").IPAddress}}`, infra])).trim();
    assert.equal(address, addresses.get(host.name));
    const key = keys.get(host.name)!;
    environment.addHost(
      {
        info: { name: host.name, role: host.role, ports: host.ports, address, fingerprint: key.fingerprint, publicKey: key.publicKey.trim() },
        hostKey: key.blob,
      },
      name,
    );
  }
  await environment.admitEveryBackend();
  await environment.ready();
  backendKey = admin;
  gatewayAddress = gateway;
});

after(async () => {
  if (havePodman) await cleanUp();
});

const skip = havePodman ? false : 'podman is not installed: pod-spec fidelity not checked (apt-get install podman crun catatonit)';

test('the rendered pods boot the real lab image under podman with the pinned host keys', { skip }, async () => {
  assert.equal(environment!.hosts.length, 2);
  for (const host of environment!.hosts) {
    const result = await environment!.exec(host.name, 'hostname');
    assert.equal(result.stdout.trim(), host.name, 'spec.hostname is the lab name');
  }
});

test('the security context holds inside: capabilities, no new privileges, seccomp, read-only root', { skip }, async () => {
  for (const host of environment!.hosts) {
    // sshd's process status: what every process of the running host keeps.
    const status = (await environment!.exec(host.name, 'cat /proc/$(cat /run/sshd.pid)/status', { user: 'root' })).stdout;
    const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];
    assert.equal(BigInt(`0x${field('CapBnd')}`), mask(runtimeCapabilities), `${host.name}: bounding set`);
    assert.equal(BigInt(`0x${field('CapEff')}`), mask(runtimeCapabilities), `${host.name}: effective set`);
    assert.equal(field('NoNewPrivs'), '1', `${host.name}: allowPrivilegeEscalation false`);
    assert.equal(field('Seccomp'), '2', `${host.name}: a seccomp filter`);
    const write = await environment!.exec(host.name, 'touch /etc/ssh-lab-probe', { user: 'root' });
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /Read-only file system/);
  }
});

test('the volumes are where the Docker provider has its tmpfs mounts, with the same modes', { skip }, async () => {
  const modes = (await environment!.exec('workstation', 'stat -c "%n %a" /run /tmp /var/tmp /home /dev/shm')).stdout.trim().split('\n');
  assert.deepEqual(modes, ['/run 755', '/tmp 1777', '/var/tmp 1777', '/home 755', '/dev/shm 1777']);
  const home = await environment!.exec('workstation', 'echo kept > ~/note && cat ~/note && stat -c %U:%a ~');
  assert.equal(home.stdout, 'kept\nlearner:750\n');
});

test('hosts find each other by lab name (hostAliases here) and nothing else resolves', { skip }, async () => {
  const server = environment!.hosts.find((h) => h.name === 'server')!;
  const lookup = await environment!.exec('workstation', 'getent hosts server');
  assert.equal(lookup.stdout.trim().split(/\s+/)[0], server.address);
  // The server's sshd answers by its name with the key the provider generated for it.
  const scan = await environment!.exec('workstation', 'ssh-keyscan -t ed25519 -T 5 server 2>/dev/null');
  assert.ok(scan.stdout.includes(server.publicKey.split(/\s+/)[1]!), scan.stdout);
  // No DNS server at all (dnsPolicy None, nameserver 127.0.0.1 inside the pod): no name outside the session.
  assert.equal((await environment!.exec('workstation', 'grep ^nameserver /etc/resolv.conf')).stdout.trim(), 'nameserver 127.0.0.1');
  assert.notEqual((await environment!.exec('workstation', 'getent hosts example.org')).code, 0);
});

test('a learner shell works on the workstation', { skip }, async () => {
  const shell: ShellChannel = await environment!.openShell({ cols: 80, rows: 24 });
  let output = '';
  shell.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const seen = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`shell never printed ${pattern}: ${output.slice(-400)}`)), 15_000);
      const check = () => {
        if (!pattern.test(output)) return;
        clearTimeout(timer);
        shell.off('data', check);
        resolve();
      };
      shell.on('data', check);
      check();
    });
  await seen(/learner@workstation/);
  shell.write('echo "sum=$((6*7))" && whoami\n');
  await seen(/sum=42\r?\nlearner/);
  shell.write('exit\n');
  shell.close();
});

test('every backend replica may log in, a learner on a lab host never falls under the backend block', { skip }, async () => {
  const server = environment!.hosts.find((h) => h.name === 'server')!;
  const workstation = environment!.hosts.find((h) => h.name === 'workstation')!;
  // A new connection after the reload (another replica would open one like it) is accepted.
  const client = await connect({ host: server.address, port: 22, username: 'root', privateKey: backendKey.privateKey, hostKey: keys.get('server')!.blob });
  client.end();
  // A lab's root switches key logins off (sshd-hardening): that holds for the learner coming from
  // the workstation, and not for the backend, which keeps its own settings from any other address.
  const effective = async (address: string) => {
    const script = `sshd -T -C user=learner,host=x,addr=${address},laddr=${server.address},lport=22 | grep ^pubkeyauthentication`;
    return (await environment!.exec('server', script, { user: 'root' })).stdout.trim();
  };
  await environment!.exec('server', 'echo "PubkeyAuthentication no" > /etc/ssh/sshd_config.d/lab.conf', { user: 'root' });
  try {
    assert.equal(await effective(workstation.address), 'pubkeyauthentication no');
    assert.equal(await effective('127.0.0.1'), 'pubkeyauthentication no');
    assert.equal(await effective(gatewayAddress), 'pubkeyauthentication yes');
    assert.equal(await effective('10.250.3.4'), 'pubkeyauthentication yes', 'a replica at any other pod address');
  } finally {
    await environment!.exec('server', 'rm -f /etc/ssh/sshd_config.d/lab.conf', { user: 'root' });
  }
});
