import { defineChecks, fail, octal, pass, type CheckContext } from '../../src/labs/check-kit.js';

const host = 'workstation';

/**
 * "256 SHA256:… comment (ED25519)". For a private key, ssh-keygen -l would read the .pub beside it,
 * so the private file is fingerprinted from a copy on its own (the OpenSSH format keeps the
 * public half unencrypted, so this works with a passphrase too).
 */
async function fingerprintLine(lab: CheckContext, path: string): Promise<{ bits: string; hash: string; comment: string; type: string } | null> {
  const command = path.endsWith('.pub')
    ? `ssh-keygen -l -f ${path}`
    : `d=$(mktemp -d) && cp ${path} "$d/key" && ssh-keygen -l -f "$d/key"; r=$?; rm -rf "$d"; exit $r`;
  const result = await lab.exec(host, command);
  const match = /^(\d+) (\S+) (.*) \(([A-Z0-9-]+)\)$/.exec(result.stdout.trim());
  if (result.code !== 0 || !match) return null;
  return { bits: match[1]!, hash: match[2]!, comment: match[3]!, type: match[4]! };
}

/** Checks shared by both steps: the pair exists, is ed25519, private mode is private, halves match. */
async function checkPair(lab: CheckContext, path: string): Promise<string | null> {
  const privateStat = await lab.stat(host, path);
  if (!privateStat) return `There is no private key at ${path} yet.`;
  if (privateStat.type !== 'file') return `${path} is a ${privateStat.type}, not a key file.`;
  const publicStat = await lab.stat(host, `${path}.pub`);
  if (!publicStat) return `${path} exists but its public half ${path}.pub is missing.`;
  const privateKey = await fingerprintLine(lab, path);
  if (!privateKey) return `${path} is not a private key ssh-keygen can read.`;
  if (privateKey.type !== 'ED25519') return `${path} is an ${privateKey.type} key; this step wants an ed25519 key (ssh-keygen -t ed25519).`;
  const publicKey = await fingerprintLine(lab, `${path}.pub`);
  if (!publicKey) return `${path}.pub is not a public key ssh-keygen can read.`;
  if (publicKey.hash !== privateKey.hash) {
    return `${path}.pub (${publicKey.hash}) does not belong to ${path} (${privateKey.hash}): the two halves come from different key pairs.`;
  }
  if (privateStat.mode & 0o077) {
    return `${path} is mode ${octal(privateStat.mode)}: others can read your private key, and ssh refuses to use it. Run chmod 600 ${path}.`;
  }
  return null;
}

export default defineChecks({
  'make-key': async (lab) => {
    const path = '~/.ssh/id_ed25519';
    const problem = await checkPair(lab, path);
    if (problem) return fail(problem);
    const key = (await fingerprintLine(lab, `${path}.pub`))!;
    if (key.comment === 'no comment' || key.comment === `${lab.session.user}@${host}`) {
      return fail(`The key carries the default comment "${key.comment}". Give it one of your own with -C, e.g. an e-mail address.`);
    }
    return pass(`~/.ssh/id_ed25519 is an ed25519 key (${key.hash}, "${key.comment}") with private mode 0600.`);
  },
  'protect-key': async (lab) => {
    const path = '~/.ssh/id_ed25519_work';
    const problem = await checkPair(lab, path);
    if (problem) return fail(problem);
    // A protected key refuses to load with an empty passphrase.
    const load = await lab.exec(host, `ssh-keygen -y -P '' -f ${path}`);
    if (load.code === 0) return fail(`${path} has no passphrase: it loaded with an empty one. Add one with ssh-keygen -p -f ${path}.`);
    return pass(`${path} is encrypted: it refuses to load without its passphrase.`);
  },
});
