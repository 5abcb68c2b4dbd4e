/** Well-known OpenSSH errors, recognised in the terminal's output and explained beside it. */
export interface Explanation {
  id: string;
  title: string;
  meaning: string;
  fixes: string[];
  /** Anchor in the troubleshooting chapter. */
  anchor: string;
}

const explanations: (Explanation & { pattern: RegExp })[] = [
  {
    id: 'permission-denied-publickey',
    pattern: /Permission denied \((?:[a-z-]+,)*publickey(?:,[a-z-]+)*\)/,
    title: 'Permission denied (publickey…)',
    meaning: 'The server refused every way you offered to log in. With keys, it did not accept any key your client tried.',
    fixes: [
      'Check the user name (user@host).',
      'Is your public key in ~/.ssh/authorized_keys on the server, for that user?',
      'Are ~/.ssh (700) and authorized_keys (600) on the server writable only by you? sshd ignores them otherwise.',
      'Run ssh -v to see which keys were offered.',
    ],
    anchor: 'permission-denied-publickey',
  },
  {
    id: 'unprotected-private-key',
    pattern: /UNPROTECTED PRIVATE KEY FILE/,
    title: 'Unprotected private key file',
    meaning: 'Your private key can be read by other users, so ssh refuses to use it.',
    fixes: ['chmod 600 ~/.ssh/id_ed25519 (or whichever key it names).'],
    anchor: 'unprotected-private-key-file',
  },
  {
    id: 'host-key-changed',
    pattern: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
    title: 'Host key changed / verification failed',
    meaning:
      'The server presented a different host key from the one in your known_hosts, or none you trust. It may have been reinstalled — or someone may be in the middle.',
    fixes: [
      'Compare the new fingerprint with one from the administrator, through another channel.',
      'Only then remove the old entry: ssh-keygen -R <host>, and connect again.',
    ],
    anchor: 'host-key-changed',
  },
  {
    id: 'connection-refused',
    pattern: /Connection refused/,
    title: 'Connection refused',
    meaning: 'The host answered, but nothing listens on that port.',
    fixes: ['Is sshd running on the server?', 'Is it on another port? Try -p <port>, or ask the administrator.', 'A firewall may reject the port.'],
    anchor: 'connection-refused',
  },
  {
    id: 'connection-timed-out',
    pattern: /Connection timed out|Operation timed out/,
    title: 'Connection timed out',
    meaning: 'Nothing answered at all: packets were dropped on the way, or the address is wrong.',
    fixes: ['Check the address and port.', 'A firewall may drop the traffic silently.'],
    anchor: 'connection-timed-out',
  },
  {
    id: 'no-route-to-host',
    pattern: /No route to host|Network is unreachable/,
    title: 'No route to host',
    meaning: 'Your machine has no way to reach that address from its network.',
    fixes: ['Check the address; is the host on a network you can reach (VPN, bastion)?'],
    anchor: 'no-route-to-host',
  },
  {
    id: 'too-many-auth-failures',
    pattern: /Too many authentication failures/,
    title: 'Too many authentication failures',
    meaning: 'Your client offered more keys than the server allows attempts (MaxAuthTries), usually because an agent holds many keys.',
    fixes: ['Name the key: ssh -i ~/.ssh/key -o IdentitiesOnly=yes host.', 'Set IdentitiesOnly yes for that host in ~/.ssh/config.'],
    anchor: 'too-many-authentication-failures',
  },
  {
    id: 'could-not-resolve',
    pattern: /Could not resolve hostname/,
    title: 'Could not resolve hostname',
    meaning: 'The name could not be turned into an address (typo, missing DNS entry, or a Host alias that is not in your config).',
    fixes: ['Check the spelling.', 'Is it an alias? ssh -G <name> shows what ssh made of it.'],
    anchor: 'could-not-resolve-hostname',
  },
];

const strip = ({ pattern: _pattern, ...rest }: Explanation & { pattern: RegExp }): Explanation => rest;

/** Explanations whose error appears in this text. */
export function explain(text: string): Explanation[] {
  return explanations.filter((e) => e.pattern.test(text)).map(strip);
}

/**
 * Watches a terminal's output as it arrives, frame by frame. The output is scanned together with
 * its recent tail, so a message split across two frames is still recognised; only a message that
 * ends in the new text counts, so an old error is not explained again by later output.
 */
export class OutputExplainer {
  private tail = '';

  /** @param keep characters of recent output kept for matching across frames. */
  constructor(private readonly keep = 4096) {}

  /** Explanations for errors completed by this frame of output. */
  feed(text: string): Explanation[] {
    const start = this.tail.length;
    const scanned = this.tail + text;
    const found = explanations.filter((e) => {
      for (const match of scanned.matchAll(new RegExp(e.pattern.source, `${e.pattern.flags}g`))) {
        if (match.index + match[0].length > start) return true;
      }
      return false;
    });
    this.tail = scanned.slice(-this.keep);
    return found.map(strip);
  }

  reset(): void {
    this.tail = '';
  }
}
