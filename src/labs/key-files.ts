import type { CheckContext } from './check-kit.js';
import { shellPath } from './shell-quote.js';

/** One key as `ssh-keygen -l` prints it: "256 SHA256:… comment (ED25519)". */
export interface KeyPrint {
  bits: number;
  fingerprint: string;
  comment: string;
  /** "ED25519", "RSA", "ECDSA", … */
  type: string;
}

/**
 * What a file that should hold a key really is. ssh-keygen reads more than the step asks for: it
 * fingerprints a *private* key where a public one is asked for (the OpenSSH format carries the
 * public half), follows symlinks, and reads every line of a file. A check names the kind it wants
 * and says what it found instead.
 */
export type KeyFile =
  | { kind: 'missing' }
  | { kind: 'directory' | 'symlink' | 'other' }
  | { kind: 'unreadable'; mode: number }
  /** Holds a PEM/OpenSSH private key block; `keys` is empty when its public half is encrypted too (old PEM format). */
  | { kind: 'private'; mode: number; encrypted: boolean; keys: KeyPrint[] }
  /** Public key lines (a .pub file holds one, authorized_keys any number). */
  | { kind: 'public'; mode: number; keys: KeyPrint[] }
  /** A regular file ssh-keygen finds no key in. */
  | { kind: 'not-a-key'; mode: number };

/** Parses `ssh-keygen -l` lines. */
export function parseKeyPrints(text: string): KeyPrint[] {
  const prints: KeyPrint[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\S+) (.*) \(([A-Z0-9-]+)\)$/.exec(line.trim());
    if (match) prints.push({ bits: Number(match[1]), fingerprint: match[2]!, comment: match[3]!, type: match[4]! });
  }
  return prints;
}

/**
 * The kind and keys of a file on a host, read as `user`. The file is inspected through a private
 * copy so that its own mode does not change the answer (ssh-keygen -y refuses a private key
 * others can read, which would look like "encrypted").
 */
export async function keyFile(lab: CheckContext, host: string, path: string, user: 'learner' | 'root' = 'learner'): Promise<KeyFile> {
  const script = `
    p=${shellPath(path)}
    if [ -L "$p" ]; then echo 'kind symlink'; exit 0; fi
    if [ ! -e "$p" ]; then echo 'kind missing'; exit 0; fi
    if [ -d "$p" ]; then echo 'kind directory'; exit 0; fi
    if [ ! -f "$p" ]; then echo 'kind other'; exit 0; fi
    echo "mode $(stat -c %a -- "$p")"
    d=$(mktemp -d) && trap 'rm -rf "$d"' EXIT
    if ! cp -- "$p" "$d/key" 2>/dev/null; then echo 'kind unreadable'; exit 0; fi
    chmod 600 "$d/key"
    if grep -q -e '-----BEGIN .*PRIVATE KEY-----' "$d/key"; then
      echo 'kind private'
      if ssh-keygen -y -P '' -f "$d/key" >/dev/null 2>&1; then echo 'encrypted no'; else echo 'encrypted yes'; fi
    else
      echo 'kind public'
    fi
    ssh-keygen -l -f "$d/key" 2>/dev/null | sed 's/^/print /'`;
  const result = await lab.exec(host, script, { user });
  const fields = new Map<string, string>();
  const printLines: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const space = line.indexOf(' ');
    const [name, value] = [line.slice(0, space), line.slice(space + 1)];
    if (name === 'print') printLines.push(value);
    else if (name) fields.set(name, value);
  }
  const kind = fields.get('kind');
  if (kind === 'missing' || !kind) return { kind: 'missing' };
  if (kind === 'directory' || kind === 'symlink' || kind === 'other') return { kind };
  const mode = parseInt(fields.get('mode') ?? '0', 8);
  if (kind === 'unreadable') return { kind, mode };
  const keys = parseKeyPrints(printLines.join('\n'));
  if (kind === 'private') return { kind, mode, encrypted: fields.get('encrypted') === 'yes', keys };
  return keys.length ? { kind: 'public', mode, keys } : { kind: 'not-a-key', mode };
}

/** "a private key", "a directory", … for a failure message. */
export function describeKeyFile(file: KeyFile): string {
  switch (file.kind) {
    case 'missing':
      return 'missing';
    case 'directory':
      return 'a directory';
    case 'symlink':
      return 'a symbolic link';
    case 'other':
      return 'not a regular file';
    case 'unreadable':
      return 'a file you cannot read';
    case 'private':
      return 'a PRIVATE key';
    case 'public':
      return file.keys.length === 1 ? 'a public key' : `a list of ${file.keys.length} public keys`;
    case 'not-a-key':
      return 'not a key ssh-keygen can read';
  }
}
