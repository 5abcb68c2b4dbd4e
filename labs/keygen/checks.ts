import { defineChecks, describeKeyFile, fail, keyFile, octal, pass, type CheckContext, type KeyPrint } from '../../src/labs/check-kit.js';

const host = 'workstation';

/**
 * Checks shared by both steps: `path` is a private ed25519 key only its owner can read, and
 * `path.pub` is the public key of that same pair. What each file *is* counts, not only that
 * ssh-keygen can read it: ssh-keygen fingerprints a private key at the .pub path (the OpenSSH
 * format carries the public half) and a public key at the private path just as happily.
 */
async function checkPair(lab: CheckContext, path: string): Promise<{ problem: string } | { key: KeyPrint; encrypted: boolean }> {
  const [privateFile, publicFile] = await Promise.all([keyFile(lab, host, path), keyFile(lab, host, `${path}.pub`)]);
  if (privateFile.kind === 'missing') return { problem: `There is no private key at ${path} yet.` };
  if (privateFile.kind === 'public') {
    return {
      problem: `${path} holds a public key, not a private one: ssh cannot log in with it. Make the pair with ssh-keygen -t ed25519 -f ${path}, which writes both halves.`,
    };
  }
  if (privateFile.kind !== 'private') return { problem: `${path} is ${describeKeyFile(privateFile)}, not a private key file.` };
  const privateKey = privateFile.keys[0];
  if (!privateKey) return { problem: `${path} is not a private key ssh-keygen can read.` };
  if (privateKey.type !== 'ED25519') return { problem: `${path} is an ${privateKey.type} key; this step wants an ed25519 key (ssh-keygen -t ed25519).` };
  if (publicFile.kind === 'missing') return { problem: `${path} exists but its public half ${path}.pub is missing.` };
  if (publicFile.kind === 'private') {
    return {
      problem: `${path}.pub holds a PRIVATE key, not the public half: anyone you hand the .pub file to would get your key. Write the public half with ssh-keygen -y -f ${path} > ${path}.pub.`,
    };
  }
  if (publicFile.kind !== 'public') return { problem: `${path}.pub is ${describeKeyFile(publicFile)}, not a public key file.` };
  if (publicFile.keys.length !== 1) return { problem: `${path}.pub holds ${publicFile.keys.length} keys; a .pub file holds the one public key of its pair.` };
  const publicKey = publicFile.keys[0]!;
  if (publicKey.fingerprint !== privateKey.fingerprint) {
    return {
      problem: `${path}.pub (${publicKey.fingerprint}) does not belong to ${path} (${privateKey.fingerprint}): the two halves come from different key pairs.`,
    };
  }
  if (privateFile.mode & 0o077) {
    return { problem: `${path} is mode ${octal(privateFile.mode)}: others can read your private key, and ssh refuses to use it. Run chmod 600 ${path}.` };
  }
  return { key: publicKey, encrypted: privateFile.encrypted };
}

export default defineChecks({
  'make-key': async (lab) => {
    const path = '~/.ssh/id_ed25519';
    const pair = await checkPair(lab, path);
    if ('problem' in pair) return fail(pair.problem);
    const { key } = pair;
    if (key.comment === 'no comment' || key.comment === `${lab.session.user}@${host}`) {
      return fail(`The key carries the default comment "${key.comment}". Give it one of your own with -C, e.g. an e-mail address.`);
    }
    return pass(`~/.ssh/id_ed25519 is an ed25519 key (${key.fingerprint}, "${key.comment}") with private mode 0600.`);
  },
  'protect-key': async (lab) => {
    const path = '~/.ssh/id_ed25519_work';
    const pair = await checkPair(lab, path);
    if ('problem' in pair) return fail(pair.problem);
    // A protected key refuses to load with an empty passphrase.
    if (!pair.encrypted) return fail(`${path} has no passphrase: it loaded with an empty one. Add one with ssh-keygen -p -f ${path}.`);
    return pass(`${path} is encrypted: it refuses to load without its passphrase.`);
  },
});
