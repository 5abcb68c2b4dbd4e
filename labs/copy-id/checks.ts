import { defineChecks, describeKeyFile, fail, keyFile, octal, pass, sshProbe, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const authorized = '~/.ssh/authorized_keys';

/** A real key login from the workstation with this one key: no agent, no password, the server's real host key. */
const keyLogin = (lab: CheckContext, key: string) => sshProbe(lab, { to: server, identity: { key } });

/** Fingerprints of every key a public-key file lists (an authorized_keys file, or a .pub), or null when the file is of another kind. */
async function listed(lab: CheckContext, host: string, path: string): Promise<string[] | null> {
  const file = await keyFile(lab, host, path);
  return file.kind === 'public' ? file.keys.map((k) => k.fingerprint) : null;
}

/**
 * Why the key pair at `key` (private path, ~/ on workstation) does not log in to server:
 * the first problem a learner should fix, with where it is and what to run.
 */
async function diagnose(lab: CheckContext, key: string, login: { error: string }): Promise<string> {
  const pub = `${key}.pub`;
  const privateFile = await keyFile(lab, workstation, key);
  if (privateFile.kind === 'missing') return `The private key ${key} on workstation is missing, so there is nothing to log in with.`;
  if (privateFile.kind !== 'private') return `${key} on workstation is ${describeKeyFile(privateFile)}, not a private key, so there is nothing to log in with.`;
  const publicFile = await keyFile(lab, workstation, pub);
  if (publicFile.kind !== 'public') {
    return publicFile.kind === 'missing' ? `${pub} on workstation is missing.` : `${pub} on workstation is ${describeKeyFile(publicFile)}, not a public key.`;
  }
  const mine = publicFile.keys[0]!.fingerprint;

  const file = await lab.stat(server, authorized);
  if (!file) {
    if ((await listed(lab, workstation, authorized))?.includes(mine)) {
      return `Your key is in ${authorized} on workstation, your own machine. It has to be in ${authorized} of your account on server, the machine you log in to. Run ssh-copy-id server.`;
    }
    const strays = await lab.exec(server, `cd ~ && find . -maxdepth 2 -name '*.pub' -printf '~/%P\\n' 2>/dev/null`);
    const stray = strays.stdout.trim().split('\n').filter(Boolean)[0];
    if (stray) {
      return `Your public key is on server as ${stray}, but sshd only reads ~/.ssh/authorized_keys. Copying the .pub file is not enough; append its line to that file (ssh-copy-id server does it for you).`;
    }
    const dir = await lab.stat(server, '~/.ssh');
    return `There is no ${authorized} on server${dir ? '' : ' (not even a ~/.ssh folder)'}: no key can log in to learner there yet. Run ssh-copy-id server.`;
  }
  if (file.type !== 'file') return `${authorized} on server is a ${file.type}, not a file. Remove it and run ssh-copy-id server again.`;

  const list = await keyFile(lab, server, authorized);
  if (list.kind === 'private') {
    return `${authorized} on server contains a PRIVATE key. Only the public half (${pub}) belongs there; a private key never leaves your workstation. Delete ${authorized} on server (ssh server rm .ssh/authorized_keys) and run ssh-copy-id server.`;
  }
  const keys = list.kind === 'public' ? list.keys.map((k) => k.fingerprint) : [];
  if (!keys.includes(mine)) {
    const count = keys.length === 1 ? '1 key' : `${keys.length} keys`;
    return `${authorized} on server holds ${count}${keys.length ? ` (${keys.join(', ')})` : ''}, but not ${pub} (${mine}). Install that one: ssh-copy-id -i ${pub} server.`;
  }

  const modes = await modeProblem(lab);
  if (modes) return modes;
  return `Your key is listed in ${authorized} on server and the modes look right, yet the key login failed: ${login.error || 'no reason given'}.`;
}

/**
 * sshd's StrictModes: the home directory, ~/.ssh and authorized_keys must not be writable by
 * others. Debian's sshd tolerates group-write when the group is the user's own private group
 * (learner's is), stock OpenSSH does not; both refuse world-write.
 */
async function modeProblem(lab: CheckContext): Promise<string | null> {
  const paths: [string, string, string][] = [
    ['~', 'Your home directory /home/learner', 'chmod go-w ~'],
    ['~/.ssh', '~/.ssh', 'chmod 700 ~/.ssh'],
    ['~/.ssh/authorized_keys', '~/.ssh/authorized_keys', 'chmod 600 ~/.ssh/authorized_keys'],
  ];
  for (const [path, label, fix] of paths) {
    const file = await lab.stat(server, path);
    if (!file) continue;
    if (file.type === 'symlink') {
      return `${label} on server is a symbolic link. sshd follows it, but its modes are those of the file it points to, and ssh-copy-id writes through it into that file. Keep the real thing there: remove the link and run ssh-copy-id server again.`;
    }
    if (file.mode & 0o002) {
      return `${label} on server is mode ${octal(file.mode)}: every user can write to it, so sshd ignores your authorized_keys (StrictModes). Run ${fix} on server.`;
    }
    if (file.mode & 0o020) {
      return `${label} on server is mode ${octal(file.mode)}: it is group-writable. This Debian sshd still lets you in because the learner group has no other members, but stock OpenSSH (StrictModes) ignores authorized_keys then. Run ${fix} on server.`;
    }
  }
  return null;
}

export default defineChecks({
  'copy-key': async (lab) => {
    const key = '~/.ssh/id_ed25519';
    const login = await keyLogin(lab, key);
    if (!login.ok) return fail(await diagnose(lab, key, login));
    const modes = await modeProblem(lab);
    if (modes) return fail(`The key login works, but: ${modes}`);
    return pass(`ssh server logs in with ${key} alone: no password needed.`);
  },

  'second-key': async (lab) => {
    const first = '~/.ssh/id_ed25519';
    const second = '~/.ssh/id_ed25519_backup';
    const secondFile = await keyFile(lab, workstation, second);
    if (secondFile.kind === 'missing') return fail(`There is no second key ${second} on workstation yet.`);
    if (secondFile.kind !== 'private') {
      return fail(`${second} on workstation is ${describeKeyFile(secondFile)}, not a private key. Make the pair with ssh-keygen -t ed25519 -f ${second}.`);
    }
    if (secondFile.encrypted) {
      return fail(
        `${second} has a passphrase, so this check cannot try it by itself. Make it again and press Enter at the passphrase questions (ssh-keygen -t ed25519 -f ${second}).`,
      );
    }
    const firstFile = await keyFile(lab, workstation, first);
    const secondPrint = secondFile.keys[0]?.fingerprint;
    if (firstFile.kind === 'private' && secondPrint && firstFile.keys[0]?.fingerprint === secondPrint) {
      return fail(
        `${second} is a copy of your first key (${secondPrint}), not a second key: whoever has one has both. Make a new pair with ssh-keygen -t ed25519 -f ${second}.`,
      );
    }
    const [secondLogin, firstLogin] = await Promise.all([keyLogin(lab, second), keyLogin(lab, first)]);
    if (!secondLogin.ok) return fail(await diagnose(lab, second, secondLogin));
    if (!firstLogin.ok) {
      const mine = (await listed(lab, workstation, `${first}.pub`))?.[0];
      const keys = (await listed(lab, server, authorized)) ?? [];
      if (mine && !keys.includes(mine)) {
        return fail(
          `The second key works, but ~/.ssh/authorized_keys on server no longer holds your first key (${mine}): the file was replaced instead of added to. Put it back with ssh-copy-id -i ${first}.pub server.`,
        );
      }
      return fail(`The second key works, but the first one no longer does: ${await diagnose(lab, first, firstLogin)}`);
    }
    const modes = await modeProblem(lab);
    if (modes) return fail(`Both keys log in, but: ${modes}`);
    return pass(`Both ${first} and ${second} log in to server on their own.`);
  },
});
