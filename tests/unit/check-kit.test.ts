import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  clientConfig,
  keyFile,
  parseClientSettings,
  parseKeyPrints,
  parseKnownHostsLookup,
  shellPath,
  shellQuote,
  type CheckContext,
} from '../../src/labs/check-kit.js';

test('shellQuote keeps any text one word, shellPath keeps ~/ expanding', () => {
  const word = `it's a "test" $HOME \`x\``;
  const echoed = execFileSync('bash', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' });
  assert.equal(echoed, word);
  const home = mkdtempSync(join(tmpdir(), 'kit-home-'));
  const expanded = execFileSync('bash', ['-c', `printf %s ${shellPath("~/a b/c'd")}`], { encoding: 'utf8', env: { ...process.env, HOME: home } });
  assert.equal(expanded, `${home}/a b/c'd`);
  assert.equal(shellPath('/etc/passwd'), `'/etc/passwd'`);
  rmSync(home, { recursive: true });
});

test('known_hosts lookups keep each line marker: @revoked and @cert-authority lines are not plain trust', () => {
  const lookup = [
    '# Host server found: line 1 REVOKED',
    '@revoked server ssh-ed25519 AAAAkeyone',
    '# Host server found: line 2 CA',
    '@cert-authority server ssh-ed25519 AAAAkeytwo',
    '# Host server found: line 3 ',
    '|1|salt=|hash= ssh-ed25519 AAAAkeythree comment here',
    '@unknown server ssh-ed25519 AAAAskipped',
  ].join('\n');
  assert.deepEqual(parseKnownHostsLookup(lookup), [
    { marker: '@revoked', key: 'ssh-ed25519 AAAAkeyone' },
    { marker: '@cert-authority', key: 'ssh-ed25519 AAAAkeytwo' },
    { marker: '', key: 'ssh-ed25519 AAAAkeythree' },
  ]);
});

test('ssh-keygen -l lines and ssh -G output parse into their parts', () => {
  assert.deepEqual(parseKeyPrints('256 SHA256:abc learner@ssh lab (ED25519)\n3072 SHA256:def no comment (RSA)\n'), [
    { bits: 256, fingerprint: 'SHA256:abc', comment: 'learner@ssh lab', type: 'ED25519' },
    { bits: 3072, fingerprint: 'SHA256:def', comment: 'no comment', type: 'RSA' },
  ]);
  const settings = parseClientSettings('port 2222\nidentityfile ~/.ssh/a\nidentityfile ~/.ssh/b\n', 'Pseudo-terminal will not be allocated\n', 0);
  assert.equal(settings.ok, true);
  assert.equal(settings.get('port'), '2222');
  assert.deepEqual(settings.all('identityfile'), ['~/.ssh/a', '~/.ssh/b']);
  const broken = parseClientSettings(
    '',
    '/home/learner/.ssh/config: line 2: Bad configuration option: prot\n/home/learner/.ssh/config: terminating, 1 bad configuration options\n',
    255,
  );
  assert.equal(broken.ok, false);
  assert.match(broken.reason, /Bad configuration option: prot/);
});

/**
 * A CheckContext whose one host is this machine, in a home directory of its own: keyFile and
 * clientConfig run their real scripts against real ssh-keygen and ssh.
 */
function localLab(home: string): CheckContext {
  const exec: CheckContext['exec'] = async (_host, command, options = {}) => {
    const result = spawnSync('bash', ['-c', command], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      input: options.stdin,
      encoding: 'utf8',
    });
    return { stdout: result.stdout, stderr: result.stderr, code: result.status, timedOut: false };
  };
  return {
    exec,
    async stat(host, path) {
      const result = await exec(host, `stat -c '%F|%a|%U|%s' -- ${shellPath(path)}`);
      if (result.code !== 0) return null;
      const [type, mode, owner, size] = result.stdout.trim().split('|');
      const types: Record<string, 'file' | 'directory' | 'symlink'> = {
        'regular file': 'file',
        'regular empty file': 'file',
        directory: 'directory',
        'symbolic link': 'symlink',
      };
      return { type: types[type ?? ''] ?? 'other', mode: parseInt(mode ?? '0', 8), owner: owner ?? '', size: Number(size) };
    },
    async readFile(host, path) {
      const result = await exec(host, `cat -- ${shellPath(path)}`);
      return result.code === 0 ? result.stdout : null;
    },
    session: { user: 'learner', password: 'x', hosts: [] },
  };
}

const hasOpenSsh = spawnSync('ssh-keygen', ['-?']).error === undefined && spawnSync('ssh', ['-V']).error === undefined;
const home = mkdtempSync(join(tmpdir(), 'kit-keys-'));
after(() => rmSync(home, { recursive: true, force: true }));

test('keyFile says what a key file is, not only whether ssh-keygen reads it', {
  skip: hasOpenSsh ? false : 'OpenSSH client tools are not installed here',
}, async () => {
  const lab = localLab(home);
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-C', 'kit test', ...args], { cwd: home });
  keygen(['-N', '', '-f', join(home, '.ssh/plain')]);
  keygen(['-N', 'secret words', '-f', join(home, '.ssh/locked')]);
  execFileSync('cp', [join(home, '.ssh/plain'), join(home, '.ssh/private-as.pub')]);
  execFileSync('chmod', ['644', join(home, '.ssh/plain')]);
  execFileSync('ln', ['-s', 'plain.pub', join(home, '.ssh/link.pub')]);
  writeFileSync(join(home, '.ssh/notes'), 'just words\n');

  const plain = await keyFile(lab, 'here', '~/.ssh/plain');
  assert.equal(plain.kind, 'private');
  assert.ok(plain.kind === 'private' && !plain.encrypted && plain.mode === 0o644, 'a readable private key is still unencrypted, whatever its mode');
  const locked = await keyFile(lab, 'here', '~/.ssh/locked');
  assert.ok(locked.kind === 'private' && locked.encrypted && locked.keys[0]?.type === 'ED25519', 'an encrypted OpenSSH key keeps its public half readable');
  const pub = await keyFile(lab, 'here', '~/.ssh/plain.pub');
  assert.ok(pub.kind === 'public' && pub.keys.length === 1 && plain.kind === 'private' && pub.keys[0]!.fingerprint === plain.keys[0]!.fingerprint);
  assert.equal((await keyFile(lab, 'here', '~/.ssh/private-as.pub')).kind, 'private', 'a private key at a .pub path is a private key');
  assert.equal((await keyFile(lab, 'here', '~/.ssh/link.pub')).kind, 'symlink');
  assert.equal((await keyFile(lab, 'here', '~/.ssh')).kind, 'directory');
  assert.equal((await keyFile(lab, 'here', '~/.ssh/notes')).kind, 'not-a-key');
  assert.equal((await keyFile(lab, 'here', '~/.ssh/none')).kind, 'missing');
});

/** A CheckContext that answers ssh -G and stat of ~/.ssh/config with what a case says (ssh reads the passwd home, not $HOME, so a real one cannot be pointed at a temporary folder). */
function configLab(file: { type: 'file' | 'directory' | 'symlink'; mode: number } | null, ssh: { stdout: string; stderr: string; code: number }): CheckContext {
  return {
    exec: async (_host, command) => {
      assert.match(command, /^ssh -T -G 'server'$/);
      return { ...ssh, timedOut: false };
    },
    stat: async (_host, path) => {
      assert.equal(path, '~/.ssh/config');
      return file && { ...file, owner: 'learner', size: 30 };
    },
    readFile: async () => null,
    session: { user: 'learner', password: 'x', hosts: [] },
  };
}

test('clientConfig diagnoses ~/.ssh/config itself before its settings count', async () => {
  const fine = { stdout: 'port 2222\n', stderr: '', code: 0 };
  const problem = async (file: Parameters<typeof configLab>[0], ssh = fine) => (await clientConfig(configLab(file, ssh), 'server')).problem;
  assert.match((await problem(null)) ?? '', /There is no ~\/\.ssh\/config on workstation yet/);
  assert.match((await problem({ type: 'directory', mode: 0o755 })) ?? '', /is a directory/);
  assert.match((await problem({ type: 'symlink', mode: 0o777 })) ?? '', /is a symbolic link/);
  const refused = { stdout: '', stderr: 'Bad owner or permissions on /home/learner/.ssh/config\n', code: 255 };
  assert.match((await problem({ type: 'file', mode: 0o666 }, refused)) ?? '', /mode 0666: other users can write it.*chmod 600/);
  const misspelt = { stdout: '', stderr: '/home/learner/.ssh/config: line 2: Bad configuration option: prot\n', code: 255 };
  assert.match((await problem({ type: 'file', mode: 0o600 }, misspelt)) ?? '', /cannot read ~\/\.ssh\/config on workstation: .*Bad configuration option: prot/);
  assert.match((await problem({ type: 'file', mode: 0o664 })) ?? '', /group-writable.*chmod 600 ~\/\.ssh\/config/);
  const good = await clientConfig(configLab({ type: 'file', mode: 0o600 }, fine), 'server');
  assert.equal(good.problem, null);
  assert.equal(good.settings.get('port'), '2222');
});
