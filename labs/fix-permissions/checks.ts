import { defineChecks, fail, octal, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const keyPath = '~/.ssh/id_ed25519';

/** A real key login from workstation to server: the lab key only, no agent, no password, no prompt. */
async function keyLogin(lab: CheckContext): Promise<{ ok: boolean; stderr: string }> {
  const host = lab.session.hosts.find((h) => h.name === server)!;
  const hostKey = host.publicKey.split(' ').slice(0, 2).join(' ');
  const result = await lab.exec(
    workstation,
    `k=$(mktemp); echo 'server ${hostKey}' > "$k"; ssh -F /dev/null -i ${keyPath} -o IdentitiesOnly=yes -o IdentityAgent=none ` +
      `-o BatchMode=yes -o PasswordAuthentication=no -o ConnectTimeout=5 -o UserKnownHostsFile="$k" -o GlobalKnownHostsFile=/dev/null ` +
      `-o StrictHostKeyChecking=yes server true; rc=$?; rm -f "$k"; exit $rc`,
  );
  return { ok: result.code === 0, stderr: result.stderr };
}

/** What is wrong with the private key on the workstation, if anything. */
async function privateKeyProblem(lab: CheckContext): Promise<string | null> {
  const key = await lab.stat(workstation, keyPath);
  if (!key) return `There is no ${keyPath} on workstation any more. End the lab and start it again to get the key back.`;
  if (key.type !== 'file') return `${keyPath} on workstation is a ${key.type}, not a key file.`;
  if (key.mode & 0o077) {
    return `${keyPath} on workstation is mode ${octal(key.mode)}: others may read your private key, so ssh refuses to use it ("UNPROTECTED PRIVATE KEY FILE") and falls back to a password. Run chmod 600 ${keyPath}.`;
  }
  if (!(key.mode & 0o400)) return `${keyPath} on workstation is mode ${octal(key.mode)}: not even you can read it, so ssh cannot use it. Run chmod 600 ${keyPath}.`;
  return null;
}

/** sshd's StrictModes view of one path on server: the problems, as sentences. */
function modeProblems(path: string, mode: number, fix: string, isDir: boolean): string[] {
  const problems: string[] = [];
  if (mode & 0o002) {
    problems.push(`\`${path}\` on server is mode ${octal(mode)}: world-writable: any user on server could add a key of their own, so sshd ignores your keys while it stays that way (StrictModes). Run ${fix} on server.`);
  } else if (mode & 0o020) {
    problems.push(
      `\`${path}\` on server is mode ${octal(mode)}: group-writable. Debian's sshd lets that pass only while your group has no other members; OpenSSH elsewhere refuses it (StrictModes). Run ${fix} on server.`,
    );
  }
  if (isDir && !(mode & 0o100)) problems.push(`\`${path}\` on server is mode ${octal(mode)}: without x for you, sshd (reading as you) cannot look inside it. Run ${fix} on server.`);
  if (!isDir && !(mode & 0o400)) problems.push(`\`${path}\` on server is mode ${octal(mode)}: sshd reads it as you and cannot read it. Run ${fix} on server.`);
  return problems;
}

export default defineChecks({
  'private-key': async (lab) => {
    const problem = await privateKeyProblem(lab);
    if (problem) return fail(problem);
    const key = (await lab.stat(workstation, keyPath))!;
    return pass(`${keyPath} on workstation is mode ${octal(key.mode)}: only you can read it, and ssh will offer it.`);
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
      if (stat.owner !== lab.session.user && stat.owner !== 'root') problems.push(`\`${path}\` on server belongs to ${stat.owner}; sshd wants it to be yours.`);
      problems.push(...modeProblems(path, stat.mode, fix, isDir));
    }
    if (problems.length) return fail(problems.join(' '));

    const pub = (await lab.readFile(workstation, `${keyPath}.pub`))?.trim().split(/\s+/)[1];
    const authorised = await lab.readFile(server, '~/.ssh/authorized_keys');
    if (pub && authorised !== null && !authorised.includes(pub)) {
      return fail(`\`${home}/.ssh/authorized_keys\` on server no longer lists your workstation key (${keyPath}.pub). Put that line back.`);
    }
    const login = await keyLogin(lab);
    if (login.ok) return pass(`The modes on server are safe again, and ${keyPath} logs you in to server with no password.`);
    const keyProblem = await privateKeyProblem(lab);
    if (keyProblem) return fail(`The modes on server look right, but the workstation still refuses the key: ${keyProblem}`);
    const reason = login.stderr.trim().split('\n').at(-1) ?? '';
    return fail(`The modes on server look right, but a key login still fails: ${reason}`);
  },
});
