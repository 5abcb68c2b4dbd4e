import { defineChecks, describeKeyFile, fail, keyFile, octal, pass, sshProbe, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const keyPath = '~/.ssh/id_ed25519';

/** A real key login from workstation to server: the lab key only, no agent, no password, no prompt. */
const keyLogin = (lab: CheckContext) => sshProbe(lab, { to: server, identity: { key: keyPath } });

/** What is wrong with the private key on the workstation, if anything. */
async function privateKeyProblem(lab: CheckContext): Promise<string | null> {
  const key = await keyFile(lab, workstation, keyPath);
  if (key.kind === 'missing') return `There is no ${keyPath} on workstation any more. End the lab and start it again to get the key back.`;
  if (key.kind === 'unreadable')
    return `${keyPath} on workstation is mode ${octal(key.mode)}: not even you can read it, so ssh cannot use it. Run chmod 600 ${keyPath}.`;
  if (key.kind !== 'private')
    return `${keyPath} on workstation is ${describeKeyFile(key)}, not your private key. End the lab and start it again to get the key back.`;
  if (key.mode & 0o077) {
    return `${keyPath} on workstation is mode ${octal(key.mode)}: others may read your private key, so ssh refuses to use it ("UNPROTECTED PRIVATE KEY FILE") and falls back to a password. Run chmod 600 ${keyPath}.`;
  }
  if (!(key.mode & 0o400))
    return `${keyPath} on workstation is mode ${octal(key.mode)}: not even you can read it, so ssh cannot use it. Run chmod 600 ${keyPath}.`;
  // A new pair at the same path has the right mode but is not the key server knows.
  const authorised = await keyFile(lab, server, '~/.ssh/authorized_keys');
  const fingerprint = key.keys[0]?.fingerprint;
  if (authorised.kind === 'public' && fingerprint && !authorised.keys.some((k) => k.fingerprint === fingerprint)) {
    return `${keyPath} on workstation (${fingerprint}) is not the key server has in ~/.ssh/authorized_keys: a new key pair replaced the one that was authorised. Mending the mode is all the old one needed; end the lab and start it again to get it back.`;
  }
  return null;
}

/** sshd's StrictModes view of one path on server: the problems, as sentences. */
function modeProblems(path: string, mode: number, fix: string, isDir: boolean): string[] {
  const problems: string[] = [];
  if (mode & 0o002) {
    problems.push(
      `\`${path}\` on server is mode ${octal(mode)}: world-writable: any user on server could add a key of their own, so sshd ignores your keys while it stays that way (StrictModes). Run ${fix} on server.`,
    );
  } else if (mode & 0o020) {
    problems.push(
      `\`${path}\` on server is mode ${octal(mode)}: group-writable. Debian's sshd lets that pass only while your group has no other members; OpenSSH elsewhere refuses it (StrictModes). Run ${fix} on server.`,
    );
  }
  if (isDir && !(mode & 0o100))
    problems.push(`\`${path}\` on server is mode ${octal(mode)}: without x for you, sshd (reading as you) cannot look inside it. Run ${fix} on server.`);
  if (!isDir && !(mode & 0o400)) problems.push(`\`${path}\` on server is mode ${octal(mode)}: sshd reads it as you and cannot read it. Run ${fix} on server.`);
  return problems;
}

export default defineChecks({
  'private-key': async (lab) => {
    const problem = await privateKeyProblem(lab);
    if (problem) return fail(problem);
    return pass(`${keyPath} on workstation is your key again, mode 0600 or stricter: only you can read it, and ssh will offer it.`);
  },

  'server-modes': async (lab) => {
    const home = `/home/${lab.session.user}`;
    const paths = [
      { path: home, fix: 'chmod 755 ~', isDir: true },
      { path: `${home}/.ssh`, fix: 'chmod 700 ~/.ssh', isDir: true },
      { path: `${home}/.ssh/authorized_keys`, fix: 'chmod 600 ~/.ssh/authorized_keys', isDir: false },
    ];
    const problems: string[] = [];
    for (const { path, fix, isDir } of paths) {
      const stat = await lab.stat(server, path);
      if (!stat) {
        if (problems.length) break; // a directory above could not be searched: that is the problem to fix first
        return fail(`\`${path}\` is missing on server: your key is no longer authorised there. End the lab and start it again.`);
      }
      if (stat.type === 'symlink') {
        problems.push(`\`${path}\` on server is a symbolic link; sshd checks the modes of what it points to. Put the real ${isDir ? 'folder' : 'file'} back.`);
        continue;
      }
      if (stat.owner !== lab.session.user && stat.owner !== 'root') problems.push(`\`${path}\` on server belongs to ${stat.owner}; sshd wants it to be yours.`);
      problems.push(...modeProblems(path, stat.mode, fix, isDir));
    }
    if (problems.length) return fail(problems.join(' '));

    const [mine, authorised] = await Promise.all([keyFile(lab, workstation, keyPath), keyFile(lab, server, '~/.ssh/authorized_keys')]);
    const fingerprint = mine.kind === 'private' ? mine.keys[0]?.fingerprint : undefined;
    if (fingerprint && authorised.kind !== 'unreadable' && !(authorised.kind === 'public' && authorised.keys.some((k) => k.fingerprint === fingerprint))) {
      return fail(`\`${home}/.ssh/authorized_keys\` on server no longer lists your workstation key (${fingerprint}). Put its line (${keyPath}.pub) back.`);
    }
    const login = await keyLogin(lab);
    if (login.ok) return pass(`The modes on server are safe again, and ${keyPath} logs you in to server with no password.`);
    const keyProblem = await privateKeyProblem(lab);
    if (keyProblem) return fail(`The modes on server look right, but the workstation still refuses the key: ${keyProblem}`);
    return fail(`The modes on server look right, but a key login still fails: ${login.error}`);
  },
});
