import { defineChecks, fail, octal, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * A real key login from the workstation, as a learner's `ssh server` would do it, but with the
 * one key only, no password fallback, and the server's real host key (not the learner's known_hosts).
 */
async function keyLogin(lab: CheckContext, identity: string): Promise<{ ok: boolean; error: string }> {
  const hostKey = lab.session.hosts.find((h) => h.name === server)!.publicKey;
  const result = await lab.exec(
    workstation,
    [
      `kh=$(mktemp) && printf '%s\\n' ${quote(`* ${hostKey}`)} > "$kh" &&`,
      `ssh -F /dev/null -i ${identity} -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o PasswordAuthentication=no`,
      `-o KbdInteractiveAuthentication=no -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes`,
      `-o ConnectTimeout=5 server true; r=$?; rm -f "$kh"; exit $r`,
    ].join(' '),
  );
  return { ok: result.code === 0, error: result.stderr.trim().split('\n').at(-1) ?? '' };
}

/** "SHA256:…" of a public key file on a host, or null. */
async function fingerprint(lab: CheckContext, host: string, path: string): Promise<string | null> {
  const result = await lab.exec(host, `ssh-keygen -l -f ${path} 2>/dev/null`);
  return result.code === 0 ? (result.stdout.trim().split(/\s+/)[1] ?? null) : null;
}

/** Fingerprints of every key an authorized_keys file lists. */
async function listed(lab: CheckContext, host: string, path: string): Promise<string[]> {
  const result = await lab.exec(host, `ssh-keygen -l -f ${path} 2>/dev/null`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[1])
    .filter((hash): hash is string => Boolean(hash?.startsWith('SHA256:')));
}

/**
 * Why the key pair at `key` (private path, ~/ on workstation) does not log in to server:
 * the first problem a learner should fix, with where it is and what to run.
 */
async function diagnose(lab: CheckContext, key: string, login: { error: string }): Promise<string> {
  const pub = `${key}.pub`;
  if (!(await lab.stat(workstation, key))) return `The private key ${key} on workstation is missing, so there is nothing to log in with.`;
  const mine = await fingerprint(lab, workstation, pub);
  if (!mine) return `${pub} on workstation is missing or is not a public key.`;

  const authorized = '~/.ssh/authorized_keys';
  const file = await lab.stat(server, authorized);
  if (!file) {
    if ((await listed(lab, workstation, authorized)).includes(mine)) {
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

  const text = (await lab.readFile(server, authorized)) ?? '';
  if (/PRIVATE KEY/.test(text)) {
    return `${authorized} on server contains a PRIVATE key. Only the public half (${pub}) belongs there; a private key never leaves your workstation. Delete ${authorized} on server (ssh server rm .ssh/authorized_keys) and run ssh-copy-id server.`;
  }
  const keys = await listed(lab, server, authorized);
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
    if (!(await lab.stat(workstation, second))) return fail(`There is no second key ${second} on workstation yet.`);
    const encrypted = (await lab.exec(workstation, `ssh-keygen -y -P '' -f ${second}`)).code !== 0;
    if (encrypted) {
      return fail(`${second} has a passphrase, so this check cannot try it by itself. Make it again and press Enter at the passphrase questions (ssh-keygen -t ed25519 -f ${second}).`);
    }
    const [secondLogin, firstLogin] = await Promise.all([keyLogin(lab, second), keyLogin(lab, first)]);
    if (!secondLogin.ok) return fail(await diagnose(lab, second, secondLogin));
    if (!firstLogin.ok) {
      const mine = await fingerprint(lab, workstation, `${first}.pub`);
      const keys = await listed(lab, server, '~/.ssh/authorized_keys');
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
