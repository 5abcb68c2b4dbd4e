/**
 * The learner's shell lives on the workstation (dtach), not in the backend's SSH channel: a
 * channel closed by one backend and a new attach over ANOTHER SSH connection (here: an ssh2
 * client of this test's own, logging in with the session's password, as a second replica would
 * with its own connection) find the same shell — variables, working directory, a background job
 * and a foreground program still running. Exit ends it for good. Real Docker, real sshd.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import ssh2 from 'ssh2';
import { stripAnsi } from '../../src/labs/terminal-client.js';
import { DockerEnvironmentProvider } from '../../src/server/environments/docker-provider.js';
import { labHostImage } from '../../src/server/environments/image.js';
import { attachPersistentShell } from '../../src/server/environments/persistent-shell.js';
import { preferredAlgorithms } from '../../src/server/environments/ssh.js';
import type { ShellChannel, StartedEnvironment, StartedHost } from '../../src/server/environments/types.js';
import { labelledContainers } from '../helpers/docker.js';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

const provider = new DockerEnvironmentProvider({
  image: labHostImage(),
  limits: { memoryMb: 256, cpuShares: 256, pids: 128, homeMb: 32, tmpMb: 16 },
  subnetPool: '172.27.224.0/20',
  subnetPrefix: 28,
  hostFirewall: true,
  startupTimeoutMs: 30_000,
  logger: pino({ level: 'warn' }),
});
const password = `pw-${randomBytes(6).toString('hex')}`;
const sessionId = `shells-${randomBytes(4).toString('hex')}`;
let environment: StartedEnvironment;
const others: Client[] = [];

before(async () => {
  environment = await provider.start({
    sessionId,
    labId: 'keygen',
    hosts: [{ name: 'workstation', role: 'workstation', ports: [22], forwarding: 'no', agentForwarding: false }],
    password,
    lifetimeSeconds: 600,
  });
});

after(async () => {
  for (const client of others) client.end();
  await environment?.dispose();
  provider.close?.();
  assert.deepEqual(labelledContainers(sessionId), [], 'no container is left');
});

/** What one attached channel shows, as text, with a wait for a pattern in what arrived after a mark. */
class Screen {
  private text = '';
  closed = false;
  constructor(readonly channel: ShellChannel) {
    channel.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
    });
    channel.on('close', () => {
      this.closed = true;
    });
  }
  get plain(): string {
    return stripAnsi(this.text);
  }
  mark(): number {
    return this.plain.length;
  }
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.plain.slice(from);
      if (pattern.test(seen)) return seen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen shows:\n${seen.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Types a line and waits for the pattern in what follows. */
  async run(line: string, pattern: RegExp): Promise<string> {
    const from = this.mark();
    this.channel.write(`${line}\r`);
    return this.waitFor(pattern, from);
  }
  async closedBy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the channel did not close');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Another backend's connection: its own TCP connection and sshd session, with the host key pinned. */
function connectElsewhere(host: StartedHost): Promise<Client> {
  const blob = Buffer.from(host.publicKey.split(/\s+/)[1] ?? '', 'base64');
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      host: host.address,
      port: host.ports[0] ?? 22,
      username: 'learner',
      password,
      algorithms: preferredAlgorithms,
      readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => key.equals(blob),
    });
    others.push(client);
  });
}

const prompt = /learner@[\w.-]+:[^\n]*\$ $/;

describe('the persistent shell', () => {
  test('survives its channel and is the same shell over another SSH connection, until exit', async () => {
    const workstation = environment.hosts.find((h) => h.role === 'workstation');
    assert.ok(workstation);

    const first = new Screen(await environment.openShell({ cols: 100, rows: 30 }));
    await first.waitFor(prompt);
    await first.run('export X=42; cd /tmp; sleep 300 & echo "job=$!"', /job=\d+[\s\S]*\$ $/);
    const job = /job=(\d+)/.exec(first.plain)?.[1];
    assert.ok(job, 'the background job started');
    await first.run('echo "shell=$$"', /shell=\d+[\s\S]*\$ $/);
    const shellPid = /shell=(\d+)/.exec(first.plain)?.[1];
    // A foreground program still running when the channel closes: it waits for a line.
    await first.run('read -r line; echo "got:$line"', /read -r line; echo "got:\$line"\n$/);
    first.channel.close();
    await first.closedBy();

    // A second backend: its own SSH connection, the same attach.
    const other = await connectElsewhere(workstation);
    const second = new Screen(await attachPersistentShell(other, { cols: 120, rows: 40 }));
    // The repaint: the recent screen comes back first (the job's number was on it).
    await second.waitFor(new RegExp(`job=${job}`));
    const from = second.mark();
    second.channel.write('hello\r');
    await second.waitFor(/got:hello[\s\S]*\$ $/, from);
    const state = await second.run(
      'echo "x=$X cwd=$PWD shell=$$ cols=$COLUMNS login=$(shopt -q login_shell && echo yes) same-tty=$([ "$(tty)" = "$SSH_TTY" ] && echo yes)"; jobs -l',
      /\[1\]\+?\s+\d+ Running\s+sleep 300 &[\s\S]*\$ $/,
    );
    assert.match(state, new RegExp(`x=42 cwd=/tmp shell=${shellPid} cols=120 login=yes same-tty=yes`));
    assert.match(state, new RegExp(`${job} Running`));

    // exit ends the shell for good: the channel ends, and the next attach is a new shell.
    second.channel.write('exit\r');
    await second.closedBy();
    const third = new Screen(await attachPersistentShell(other, { cols: 80, rows: 24 }));
    await third.waitFor(prompt);
    const fresh = await third.run('echo "x=[$X] shell=$$"; jobs | wc -l', /shell=\d+\s+\d+[\s\S]*\$ $/);
    assert.match(fresh, /x=\[\] /, 'a new shell has no X');
    assert.doesNotMatch(fresh, new RegExp(`shell=${shellPid}\\b`), 'a new shell has a new process');
    assert.doesNotMatch(third.plain, new RegExp(`job=${job}`), 'the ended shell is not repainted into the new one');
    third.channel.write('exit\r');
    await third.closedBy();
  });

  test('keystrokes and sizes reach the shell as dtach packets: a resize, Ctrl-C, and a paste split across reads arrive whole', async () => {
    const shell = new Screen(await environment.openShell({ cols: 91, rows: 27 }));
    await shell.waitFor(prompt);
    assert.match(await shell.run('stty size', /stty size\s*\n(\d+ \d+)/), /27 91/);
    shell.channel.setWindow(33, 111);
    assert.match(await shell.run('echo "size=$(stty size) term=$TERM"', /size=\d+ \d+ term=\S+/), /size=33 111 term=xterm-256color/);
    // Ctrl-C is a byte like any other (no pty of the channel's own to turn it into a signal there).
    await shell.run('sleep 60', /sleep 60[^\n]*\n/);
    const beforeInterrupt = shell.mark();
    shell.channel.write('\x03');
    await shell.waitFor(/\^C[\s\S]*\$ $/, beforeInterrupt);
    // 61,679 bytes in one write: 7,710 packets, which ssh2 and sshd cut into reads at arbitrary
    // points; a packet split between two reads would reach the master as garbage. (Lines, not one
    // line: a pty in canonical mode keeps at most 4,095 characters of a line.)
    const paste = 'abcdefghijklmnopqrstuvwxyz0123456789\n'.repeat(1667);
    await shell.run('cat > /tmp/paste; wc -c < /tmp/paste; md5sum < /tmp/paste', /cat > \/tmp\/paste[^\n]*\n/);
    const pasted = shell.mark();
    shell.channel.write(`${paste}\x04`);
    const sums = await shell.waitFor(/\n(\d+)\s*\n([0-9a-f]{32})[\s\S]*\$ $/, pasted, 30_000);
    const [, bytes, md5] = /\n(\d+)\s*\n([0-9a-f]{32})/.exec(sums) ?? [];
    assert.equal(Number(bytes), paste.length);
    assert.equal(md5, createHash('md5').update(paste).digest('hex'));
    shell.channel.write('exit\r');
    await shell.closedBy();
  });

  test('a shell that starts before any terminal is attached shows its first prompt to the first one, at an unchanged 80x24', async () => {
    // Under load the creating attach was at times attached only after the shell had printed its
    // prompt: dtach's master dropped it, and readline repaints nothing on a SIGWINCH that keeps
    // the size, so the terminal stayed empty. Here the shell is made first, as attach makes it.
    const started = await environment.exec('workstation', 'dtach -n /run/ssh-lab/shell/shell.sock -r winch /usr/local/lib/ssh-lab/shell-session', {
      user: 'learner',
    });
    assert.equal(started.code, 0, started.stderr);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const shell = new Screen(await environment.openShell({ cols: 80, rows: 24 }));
    try {
      await shell.waitFor(prompt, 0, 10_000);
    } finally {
      // Ended either way: the next test's attach makes its own shell.
      shell.channel.write('exit\r');
      await shell.closedBy();
    }
  });

  test('a flood of output arrives whole, in few large chunks, and keeps the screen record bounded', async () => {
    const shell = new Screen(await environment.openShell({ cols: 80, rows: 24 }));
    await shell.waitFor(prompt);
    await shell.run('head -c 3000000 /dev/urandom > /tmp/flood; base64 -w 200 /tmp/flood | md5sum', /\n([0-9a-f]{32})[\s\S]*\$ $/);
    const expected = /\n([0-9a-f]{32})/.exec(shell.plain)?.[1];
    let chunks = 0;
    let bytes = 0;
    shell.channel.on('data', (chunk: Buffer) => {
      chunks++;
      bytes += chunk.length;
    });
    const seen = await shell.run('base64 -w 200 /tmp/flood; echo flood-done', /flood-done\s*\n[\s\S]*\$ $/);
    // What the shell printed, less the command's echo and the pty's \r before each \n.
    const printed = seen.slice(seen.indexOf('\n') + 1, seen.lastIndexOf('flood-done\n')).replaceAll('\r\n', '\n');
    assert.equal(createHash('md5').update(printed).digest('hex'), expected, 'every byte arrives, in order');
    // attach gathers a flood before forwarding it. Forwarded as the master sends it (a line or a
    // few at a time), the same 4 MB came in chunks of 4.7 KB on average, each a wake-up of sshd
    // and of the backend; gathered, 23–24 KB.
    assert.ok(bytes / chunks >= 8 * 1024, `${chunks} chunks for ${bytes} bytes: ${Math.round(bytes / chunks)} bytes each`);
    const record = await environment.exec('workstation', 'stat -c %s /run/ssh-lab/shell/screen.old /run/ssh-lab/shell/screen.new');
    const sizes = record.stdout.trim().split('\n').map(Number);
    assert.equal(sizes.length, 2, record.stderr);
    assert.ok(sizes.every((size) => size <= 32 * 1024) && (sizes[0] ?? 0) > 0, `record sizes ${sizes.join(', ')}`);
    shell.channel.write('exit\r');
    await shell.closedBy();
  });
});
