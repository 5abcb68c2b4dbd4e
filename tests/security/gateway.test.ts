/**
 * The SSH gateway is never a way out. Every refused destination is one this machine owns (a
 * listener of this test on 127.0.0.1, the backend's own port), another session's container, or a
 * documentation address (192.0.2.1, TEST-NET-1) that the gateway refuses by policy before any
 * connection is tried: the refusal says "administratively prohibited" (a refused policy), never
 * "connect failed" (which would mean it tried). The listener must see nothing.
 *
 * Docker-only for now: host addresses come from docker inspect and evidence on the hosts from docker
 * exec (tests/helpers/openssh.ts onHost), which the Kubernetes provider's LabCluster has no call
 * for. Under SSH_LAB_PROVIDER=kubernetes it is skipped with one line.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import type { CreateSessionResponse, GatewayCredentialView } from '../../src/protocol/api.js';
import type { RunningServer } from '../../src/server/main.js';
import { OpenSshClient, createSession, endSession, freePort, gatewayCredential, onHost } from '../helpers/openssh.js';
import { startTestServer } from '../helpers/server.js';
import { dockerOnly } from '../helpers/provider-resources.js';
import { hostAddress } from './helpers.js';

const gatewaySkip = dockerOnly(
  'gateway',
  'it finds host addresses with docker inspect and reads evidence on the hosts with docker exec',
  'tests/unit/gateway-pieces.test.ts (the same forwarding policy, limits and credentials, whatever the provider)',
);

const metricsToken = 'gateway-test-metrics-token-0123456789';
/** Made in before(): a skipped suite leaves no directory behind. */
let dataDir: string;
let server: RunningServer;
let listener: Server;
let listenerPort = 0;
let reached = 0;
let a: { session: CreateSessionResponse; credential: GatewayCredentialView; client: OpenSshClient };
let b: { session: CreateSessionResponse; credential: GatewayCredentialView; client: OpenSshClient };
let agent: ChildProcess | undefined;

async function labWithGateway(labId: string): Promise<typeof a> {
  const session = await createSession(server.url, labId);
  const { status, body } = await gatewayCredential(server.url, session);
  assert.equal(status, 200, JSON.stringify(body));
  const publicKey = execFileSync('ssh-keygen', ['-y', '-f', join(dataDir, 'gateway_ed25519_key')], { encoding: 'utf8' }).trim();
  const client = new OpenSshClient(
    { host: '127.0.0.1', port: body.port, username: body.username, password: body.password, hostKey: publicKey },
    session.password,
  );
  return { session, credential: body, client };
}

async function refusals(): Promise<Record<string, number>> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  const text = await response.text();
  const counts: Record<string, number> = {};
  for (const [, reason, value] of text.matchAll(/^ssh_lab_gateway_refusals_total\{reason="([^"]+)"\} (\d+)$/gm)) counts[reason!] = Number(value);
  return counts;
}

async function refusedMore(reason: string, run: () => Promise<void>): Promise<void> {
  const before = (await refusals())[reason] ?? 0;
  await run();
  assert.ok(((await refusals())[reason] ?? 0) > before, `the gateway counted a "${reason}" refusal`);
}

function containerAddress(sessionId: string, host: string): string {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=ssh-lab.session=${sessionId}`, '--filter', `label=ssh-lab.host=${host}`], {
    encoding: 'utf8',
  }).trim();
  return hostAddress(id);
}

describe('the SSH gateway', { skip: gatewaySkip }, () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ssh-lab-gateway-security-'));
    listener = createServer((socket) => {
      reached++;
      socket.end('SSH-2.0-listener-that-must-not-be-reached\r\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerPort = (listener.address() as { port: number }).port;
    server = await startTestServer({
      SSH_LAB_GATEWAY_PORT: String(await freePort()),
      SSH_LAB_DATA_DIR: dataDir,
      SSH_LAB_SUBNET_POOL: '172.31.128.0/20',
      SSH_LAB_METRICS_TOKEN: metricsToken,
    });
    [a, b] = await Promise.all([labWithGateway('scp-basics'), labWithGateway('keygen')]);
  });

  after(async () => {
    agent?.kill();
    for (const lab of [a, b]) if (lab) await endSession(server.url, lab.session);
    await server?.close();
    listener?.close();
    for (const lab of [a, b]) lab?.client.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('the SSH gateway refuses', { timeout: 300_000 }, () => {
    test('-W and -J to 127.0.0.1, the backend port, another session, a public address, a non-sshd port: administratively prohibited, nothing reached', async () => {
      const backendPort = new URL(server.url).port;
      const otherSession = containerAddress(b.session.id, 'workstation');
      const ownHost = containerAddress(a.session.id, 'server');
      const destinations = [
        `127.0.0.1:${listenerPort}`,
        `localhost:${listenerPort}`,
        `127.0.0.1:${backendPort}`,
        `${otherSession}:22`,
        '192.0.2.1:22',
        `${ownHost}:80`,
        `server:${listenerPort}`,
      ];
      for (const destination of destinations) {
        await refusedMore('forward-destination', async () => {
          const result = await a.client.ssh(['-o', 'LogLevel=INFO', '-W', destination]);
          assert.equal(result.code, 255, destination);
          assert.match(result.stderr, /open failed: administratively prohibited/, `${destination}: ${result.stderr}`);
        });
      }
      // The ssh that -J starts reads the config file (LogLevel ERROR): it reports the refused channel as a failed stdio forward.
      await refusedMore('forward-destination', async () => {
        const jump = await a.client.run('ssh', ['-F', a.client.config, '-J', a.client.jump, '-p', String(listenerPort), 'learner@127.0.0.1', 'true']);
        assert.equal(jump.code, 255);
        assert.match(jump.stderr, /stdio forwarding failed/);
      });
      assert.equal(reached, 0, 'nothing reached the listener on 127.0.0.1');
    });

    test('-R (tcpip-forward) and a Unix-socket forward (streamlocal)', async () => {
      await refusedMore('remote-forwarding', async () => {
        const result = await a.client.ssh(['-o', 'ExitOnForwardFailure=yes', '-R', `0:127.0.0.1:${listenerPort}`], 'true');
        assert.equal(result.code, 255);
        assert.match(result.stderr, /remote port forwarding failed/);
      });
      await refusedMore('streamlocal', async () => {
        const connection = await ssh2Login(a.credential);
        try {
          const error = await new Promise<(Error & { reason?: number }) | undefined>((resolve) =>
            connection.openssh_forwardOutStreamLocal('/run/ssh-lab/anything.sock', (e) => resolve(e)),
          );
          assert.equal(error?.reason, 1, 'SSH_OPEN_ADMINISTRATIVELY_PROHIBITED');
        } finally {
          connection.end();
        }
      });
      assert.equal(reached, 0);
    });

    test('-A: no agent is forwarded to the workstation (the request is refused)', async () => {
      const socket = join(a.client.dir, 'agent.sock');
      agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      await waitFor(() => {
        try {
          execFileSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
          return true;
        } catch (error) {
          return (error as { status?: number }).status === 1; // 1: the agent answers and holds no key
        }
      });
      await refusedMore('agent-forwarding', async () => {
        const result = await a.client.ssh(['-A'], 'echo "agent:$SSH_AUTH_SOCK"', { env: { SSH_AUTH_SOCK: socket } });
        assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
        assert.equal(result.stdout, 'agent:\n');
      });
      agent.kill();
      agent = undefined;
    });

    test('a wrong password and an unknown username fail the same way', async () => {
      const wrong = await a.client.ssh([], 'true', { password: 'wrong-password' });
      const unknown = await a.client.run('ssh', ['-F', a.client.config, '-p', String(a.credential.port), 'lab-nosuchuser0@127.0.0.1', 'true']);
      assert.equal(wrong.code, 255);
      assert.equal(unknown.code, 255);
      assert.equal(wrong.stderr.replace(a.credential.username, 'USER'), unknown.stderr.replace('lab-nosuchuser0', 'USER'));
      assert.match(wrong.stderr, /Permission denied \(publickey,password\)/);
      const counts = await refusals();
      assert.ok((counts['wrong-password'] ?? 0) >= 1 && (counts['unknown-user'] ?? 0) >= 1);
    });

    test('more connections from one address than the limit', async () => {
      const held: Socket[] = [];
      try {
        for (let i = 0; i < 10; i++) {
          const socket = connect(a.credential.port, '127.0.0.1');
          socket.on('error', () => undefined);
          await new Promise<void>((resolve) => socket.once('data', () => resolve()));
          socket.write('SSH-2.0-held-open\r\n');
          held.push(socket);
        }
        await refusedMore('connection-limit', async () => {
          await waitFor(async () => (await a.client.ssh([], 'true')).code === 255);
        });
      } finally {
        for (const socket of held) socket.destroy();
      }
      await waitFor(async () => (await a.client.ssh([], 'true')).code === 0);
    });

    test('random bytes, before and after the SSH identification, leave the gateway serving', async () => {
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(a.credential.port, '127.0.0.1');
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
          socket.once('data', () => socket.end(Buffer.concat([i % 2 ? Buffer.from('SSH-2.0-fuzz\r\n') : Buffer.alloc(0), randomBytes(4096)])));
        });
      }
      const after = await a.client.ssh([], 'echo served');
      assert.equal(after.code, 0, after.stderr);
      assert.equal(after.stdout, 'served\n');
    });

    test('a flood of wrong passwords locks that username from that address; another session still logs in', async () => {
      for (let i = 0; i < 6; i++) await a.client.ssh([], 'true', { password: `guess-${i}` });
      await refusedMore('locked', async () => {
        const right = await a.client.ssh([], 'true');
        assert.equal(right.code, 255, 'even the right password is refused while locked');
      });
      const other = await b.client.ssh(['-o', 'LogLevel=INFO'], 'echo still-up > ~/after-flood.txt');
      assert.equal(other.code, 0, `${other.stdout}${other.stderr}`);
      assert.equal(onHost(b.session.id, 'workstation', 'cat ~/after-flood.txt'), 'still-up\n');
    });

    test('the session ending closes its gateway connections and refuses new logins', async () => {
      const open = b.client.ssh([], 'echo open; sleep 120');
      await waitFor(() => onHost(b.session.id, 'workstation', 'pgrep -u learner -x sleep || true').trim() !== '');
      await endSession(server.url, b.session);
      const closed = await open;
      assert.notEqual(closed.code, 0);
      assert.equal(closed.stdout, 'open\n');
      await refusedMore('unknown-user', async () => {
        const again = await b.client.ssh([], 'true');
        assert.equal(again.code, 255);
        assert.match(again.stderr, /Permission denied/);
      });
    });
  });

  function ssh2Login(credential: GatewayCredentialView): Promise<InstanceType<typeof ssh2.Client>> {
    return new Promise((resolve, reject) => {
      const connection = new ssh2.Client();
      connection.once('ready', () => resolve(connection)).once('error', reject);
      connection.connect({ host: '127.0.0.1', port: credential.port, username: credential.username, password: credential.password });
    });
  }

  async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
