/**
 * The SSH gateway with this machine's OpenSSH client, into one real lab (scp-basics: workstation and
 * server), shared by every test here: each test checks its effect on the hosts themselves (docker
 * exec into the containers), not what the client printed alone.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import type { CreateSessionResponse, GatewayCredentialView } from '../../src/protocol/api.js';
import type { RunningServer } from '../../src/server/main.js';
import { OpenSshClient, createSession, endSession, freePort, gatewayCredential, onHost } from '../helpers/openssh.js';
import { startTestServer } from '../helpers/server.js';

const pool = '172.26.64.0/20';
const dataDir = mkdtempSync(join(tmpdir(), 'ssh-lab-gateway-data-'));
let server: RunningServer;
let session: CreateSessionResponse;
let credential: GatewayCredentialView;
let client: OpenSshClient;
let hostKey: string;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

before(async () => {
  server = await startTestServer({ SSH_LAB_GATEWAY_PORT: String(await freePort()), SSH_LAB_DATA_DIR: dataDir, SSH_LAB_SUBNET_POOL: pool });
  session = await createSession(server.url, 'scp-basics');
  const issued = await gatewayCredential(server.url, session);
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  credential = issued.body;
  hostKey = readFileSync(join(dataDir, 'gateway_ed25519_key'), 'utf8');
  const publicKey = execFileSync('ssh-keygen', ['-y', '-f', join(dataDir, 'gateway_ed25519_key')], { encoding: 'utf8' }).trim();
  client = new OpenSshClient(
    { host: '127.0.0.1', port: credential.port, username: credential.username, password: credential.password, hostKey: publicKey },
    session.password,
  );
});

after(async () => {
  if (session) await endSession(server.url, session);
  await server?.close();
  client?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the SSH gateway, with OpenSSH', { timeout: 300_000 }, () => {
  test('POST /gateway: a username that is neither the id nor the token, the fingerprint ssh-keygen shows, a key kept 0600 in a 0700 directory', () => {
    assert.equal(credential.port, server.gateway?.port);
    assert.match(credential.username, /^lab-[a-z0-9]{10}$/);
    assert.ok(!credential.username.includes(session.id) && !session.token.includes(credential.username.slice(4)));
    assert.ok(credential.password.length >= 20);
    const printed = execFileSync('ssh-keygen', ['-l', '-f', join(dataDir, 'gateway_ed25519_key')], { encoding: 'utf8' });
    assert.equal(printed.split(' ')[1], credential.hostKeyFingerprint);
    assert.equal(credential.hostKeyFingerprint, server.gateway?.fingerprint);
    assert.equal(statSync(join(dataDir, 'gateway_ed25519_key')).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(new Date(credential.expiresAt).getTime(), new Date(session.expiresAt).getTime());
  });

  test('ssh: a login shell on the workstation as learner, with a pty, and its exit status', async () => {
    const result = await client.ssh(['-tt'], undefined, { input: 'tty; echo "shell:$(whoami)@$(hostname)" > ~/from-gateway-shell.txt; exit 7\n' });
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stdout, /\/dev\/pts\/\d+/);
    assert.equal(onHost(session.id, 'workstation', 'cat ~/from-gateway-shell.txt'), 'shell:learner@workstation\n');
  });

  test('ssh host command: exec with stdout, stderr, stdin and the exit status; env only LANG/LC_*', async () => {
    const result = await client.run(
      'ssh',
      [
        '-F',
        client.config,
        '-p',
        String(credential.port),
        '-o',
        'SetEnv=LC_GATEWAY=yes EVIL=1',
        client.target,
        'cat > ~/from-gateway-exec.txt; echo out; echo err >&2; echo "$LC_GATEWAY$EVIL"; exit 3',
      ],
      { input: 'stdin through the gateway\n' },
    );
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, 'out\nyes\n');
    assert.match(result.stderr, /^err$/m);
    assert.equal(onHost(session.id, 'workstation', 'cat ~/from-gateway-exec.txt'), 'stdin through the gateway\n');
  });

  test('pty size, window changes and signals reach the shell; an exit signal comes back (ssh2 client)', async () => {
    const connection = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      connection.once('ready', () => resolve()).once('error', reject);
      connection.connect({ host: '127.0.0.1', port: credential.port, username: credential.username, password: credential.password });
    });
    try {
      const stty = await new Promise<string>((resolve, reject) => {
        connection.shell({ term: 'xterm', cols: 81, rows: 25 }, (error, channel) => {
          if (error) return reject(error);
          let out = '';
          channel.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (/size:40 120/.test(out)) {
              channel.end('exit\n');
            }
          });
          channel.on('close', () => resolve(out));
          channel.write('echo "size:$(stty size)"\n');
          channel.setWindow(40, 120, 0, 0);
          channel.write('sleep 0.2; echo "size:$(stty size)"\n');
        });
      });
      assert.match(stty, /size:(25 81|40 120)/);
      assert.match(stty, /size:40 120/);
      const exit = await new Promise<unknown[]>((resolve, reject) => {
        connection.exec('echo started; sleep 30', (error, channel) => {
          if (error) return reject(error);
          let exitArgs: unknown[] = [];
          channel.on('data', (chunk: Buffer) => chunk.toString().includes('started') && channel.signal('TERM'));
          channel.on('exit', (...args: unknown[]) => (exitArgs = args));
          channel.on('close', () => resolve(exitArgs));
        });
      });
      assert.equal(exit[0], null);
      assert.equal(exit[1], 'SIGTERM');
    } finally {
      connection.end();
    }
  });

  test('scp into the lab and back, in SFTP mode (the default) and with -O (the old protocol)', async () => {
    const payload = randomBytes(256 * 1024);
    writeFileSync(join(client.dir, 'laptop.bin'), payload);
    for (const [mode, flags] of [
      ['sftp', []],
      ['scp', ['-O']],
    ] as const) {
      const up = await client.run('scp', ['-F', client.config, '-P', String(credential.port), ...flags, 'laptop.bin', `${client.target}:up-${mode}.bin`]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(onHost(session.id, 'workstation', `sha256sum up-${mode}.bin`).split(' ')[0], sha256(payload));
      const down = await client.run('scp', ['-F', client.config, '-P', String(credential.port), ...flags, `${client.target}:report.txt`, `down-${mode}.txt`]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(readFileSync(join(client.dir, `down-${mode}.txt`), 'utf8'), onHost(session.id, 'workstation', 'cat report.txt'));
    }
  });

  test("rsync -e 'ssh -p …' both ways", async () => {
    const tree = join(client.dir, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(tree, i % 2 ? 'sub' : '', `f${i}.txt`), `file ${i}\n`);
    const shell = `ssh -F ${client.config} -p ${credential.port}`;
    const up = await client.run('rsync', ['-a', '-e', shell, 'tree/', `${client.target}:rsynced/`]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(onHost(session.id, 'workstation', 'find rsynced -type f | wc -l').trim(), '20');
    assert.equal(onHost(session.id, 'workstation', 'cat rsynced/sub/f7.txt'), 'file 7\n');
    onHost(session.id, 'workstation', 'echo made in the lab > rsynced/lab.txt');
    const down = await client.run('rsync', ['-a', '-e', shell, `${client.target}:rsynced/`, 'back/']);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(readFileSync(join(client.dir, 'back', 'lab.txt'), 'utf8'), 'made in the lab\n');
  });

  test('ssh -J to server: the real server, its real host key, its own sshd and password', async () => {
    const result = await client.run('ssh', ['-F', client.config, '-J', client.jump, 'learner@server', 'echo jumped > ~/inbox/via-jump.txt; hostname']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'server\n');
    assert.equal(onHost(session.id, 'server', 'cat ~/inbox/via-jump.txt'), 'jumped\n');
    const [line] = client.knownHostLines('server');
    assert.ok(line, 'ssh recorded the host key of server');
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', '-'], { input: line, encoding: 'utf8' }).split(' ')[1];
    assert.equal(fingerprint, session.facts['server.fingerprint']);
  });

  test('ssh -J to another host of the lab by its name (workstation), and scp through the jump', async () => {
    const result = await client.run('ssh', ['-F', client.config, '-J', client.jump, 'learner@workstation', 'echo $SSH_CONNECTION > ~/jump-connection.txt']);
    assert.equal(result.code, 0, result.stderr);
    // The connection reached the workstation's sshd from the backend (not from inside the lab).
    assert.match(onHost(session.id, 'workstation', 'cat ~/jump-connection.txt'), /^\S+ \d+ \S+ 22\n$/);
    writeFileSync(join(client.dir, 'hop.txt'), 'across the hop\n');
    const copy = await client.run('scp', ['-F', client.config, '-J', client.jump, 'hop.txt', 'learner@server:inbox/']);
    assert.equal(copy.code, 0, copy.stderr);
    assert.equal(onHost(session.id, 'server', 'cat inbox/hop.txt'), 'across the hop\n');
  });

  test('ssh-copy-id through the gateway, then a BatchMode login with that key and no password', async () => {
    const keyOptions = ['-o', 'PubkeyAuthentication=yes', '-o', 'IdentitiesOnly=yes'];
    const copy = await client.run('ssh-copy-id', ['-F', client.config, '-p', String(credential.port), ...keyOptions, '-i', `${client.key}.pub`, client.target]);
    assert.equal(copy.code, 0, copy.stderr);
    assert.match(onHost(session.id, 'workstation', 'cat ~/.ssh/authorized_keys'), /learner-laptop/);
    const login = await client.ssh(
      [...keyOptions, '-i', client.key, '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no'],
      'echo key-login > ~/key-login.txt',
      {
        password: 'not-the-password',
      },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.equal(onHost(session.id, 'workstation', 'cat ~/key-login.txt'), 'key-login\n');
  });

  test('sftp in batch mode (which allows no password prompt: the key ssh-copy-id installed): mkdir, put, get', async () => {
    writeFileSync(join(client.dir, 'notes.txt'), 'notes from the laptop\n');
    writeFileSync(join(client.dir, 'batch'), 'mkdir sftp-box\nput notes.txt sftp-box/notes.txt\nget report.txt report-via-sftp.txt\n');
    const key = ['-o', 'PubkeyAuthentication=yes', '-o', 'IdentitiesOnly=yes', '-i', client.key];
    const result = await client.run('sftp', ['-F', client.config, '-P', String(credential.port), ...key, '-b', 'batch', client.target]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(onHost(session.id, 'workstation', 'cat sftp-box/notes.txt'), 'notes from the laptop\n');
    assert.equal(readFileSync(join(client.dir, 'report-via-sftp.txt'), 'utf8'), onHost(session.id, 'workstation', 'cat report.txt'));
  });

  test('POST again rotates the password: the old one no longer opens the gateway, the username stays', async () => {
    const again = await gatewayCredential(server.url, session);
    assert.equal(again.status, 200);
    assert.equal(again.body.username, credential.username);
    assert.notEqual(again.body.password, credential.password);
    const old = await client.ssh([], 'true', { password: credential.password });
    assert.equal(old.code, 255);
    const fresh = await client.ssh([], 'echo rotated > ~/rotated.txt', { password: again.body.password });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(onHost(session.id, 'workstation', 'cat ~/rotated.txt'), 'rotated\n');
    credential = again.body;
    Object.assign(client.gateway, { password: again.body.password });
  });

  test('the host key is the same after a restart (another server on the same data directory)', async () => {
    const restarted = await startTestServer({
      SSH_LAB_GATEWAY_PORT: String(await freePort()),
      SSH_LAB_DATA_DIR: dataDir,
      SSH_LAB_SUBNET_POOL: '172.26.96.0/20',
    });
    try {
      // What a learner's ssh records on first contact (accept-new into an empty known_hosts), no login needed.
      const knownHosts = join(client.dir, 'known_hosts_after_restart');
      const port = String(restarted.gateway?.port);
      const probe = await client.run('ssh', [
        '-F',
        '/dev/null',
        '-p',
        port,
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'StrictHostKeyChecking=accept-new',
        '-o',
        'BatchMode=yes',
        'nobody@127.0.0.1',
        'true',
      ]);
      assert.match(probe.stderr, /Permission denied/);
      const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', knownHosts], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(fingerprint, credential.hostKeyFingerprint);
      assert.equal(readFileSync(join(dataDir, 'gateway_ed25519_key'), 'utf8'), hostKey);
    } finally {
      await restarted.close();
    }
  });
});
