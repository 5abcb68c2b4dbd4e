import type { CheckContext } from './check-kit.js';
import { shellPath, shellQuote } from './shell-quote.js';

/** One known_hosts line that matches a name, as `ssh-keygen -F` finds it (hashed entries included). */
export interface KnownHostEntry {
  /**
   * '' for a plain entry, the only kind that makes ssh trust a host key. `@revoked` says the key
   * must never be accepted; `@cert-authority` says the key signs host certificates (it is not
   * the host's own key).
   */
  marker: '' | '@revoked' | '@cert-authority';
  /** "type base64", without the host pattern and comment. */
  key: string;
}

/** Parses what `ssh-keygen -F <name> -f <file>` prints: comment lines, then each matching entry. */
export function parseKnownHostsLookup(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift()! : '';
    // ssh skips a line with any other marker, as it does a malformed one.
    if (marker !== '' && marker !== '@revoked' && marker !== '@cert-authority') continue;
    const [, type, blob] = fields;
    if (type && blob) entries.push({ marker, key: `${type} ${blob}` });
  }
  return entries;
}

/** Every entry a known_hosts file on a host holds for a name (`server`, `[server]:2222`), as learner. */
export async function knownHostKeys(lab: CheckContext, name: string, options: { from?: string; file?: string } = {}): Promise<KnownHostEntry[]> {
  const file = options.file ?? '~/.ssh/known_hosts';
  const result = await lab.exec(options.from ?? 'workstation', `ssh-keygen -F ${shellQuote(name)} -f ${shellPath(file)} 2>/dev/null`);
  return parseKnownHostsLookup(result.stdout);
}

/** A host of the lab with its real host key as "type base64", from the backend that made it. */
export function labHost(lab: CheckContext, name: string): CheckContext['session']['hosts'][number] & { key: string } {
  const host = lab.session.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`this environment has no host named ${name}`);
  return { ...host, key: host.publicKey.trim().split(/\s+/).slice(0, 2).join(' ') };
}

/** SHA256 fingerprint of a "type base64" key, as ssh-keygen -l prints it. */
export async function keyFingerprint(lab: CheckContext, key: string, from = 'workstation'): Promise<string> {
  const result = await lab.exec(from, 'ssh-keygen -l -f -', { stdin: `${key}\n` });
  return result.stdout.trim().split(/\s+/)[1] ?? 'an unreadable key';
}

/** Why a marker line does not count as trusting a host key, in words for a failure message. */
export function markerMeaning(marker: KnownHostEntry['marker']): string {
  return marker === '@revoked'
    ? 'a @revoked line, which tells ssh never to accept that key'
    : 'a @cert-authority line, which trusts the key as a signer of host certificates, not as the host key itself';
}
