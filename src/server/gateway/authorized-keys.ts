import { timingSafeEqual } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

const { utils } = ssh2;

/** At most this much of ~learner/.ssh/authorized_keys is read. */
export const authorizedKeysMaxBytes = 64 * 1024;

/**
 * The keys of an authorized_keys file that open the gateway: plain `type base64 [comment]` lines.
 * A line with options (`from=`, `command=`, `restrict` …) is skipped: the gateway cannot honour
 * them the way sshd does, so such a key opens only the workstation's own sshd, never the gateway.
 */
export function parseAuthorizedKeys(text: string): ParsedKey[] {
  const keys: ParsedKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [type, blob] = line.split(/\s+/);
    if (!type || !blob || !/^(ssh-|ecdsa-|sk-)/.test(type)) continue;
    const parsed = utils.parseKey(`${type} ${blob}`);
    if (parsed instanceof Error) continue;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key && !key.isPrivateKey()) keys.push(key);
  }
  return keys;
}

/** The listed key whose type and public blob are the offered key's, if any. */
export function findKey(keys: readonly ParsedKey[], offered: { algo: string; data: Buffer }): ParsedKey | undefined {
  return keys.find((key) => {
    const blob = key.getPublicSSH();
    return sameType(key.type, offered.algo) && blob.length === offered.data.length && timingSafeEqual(blob, offered.data);
  });
}

/** An RSA key is offered under the signature algorithm it will use (rsa-sha2-256/512). */
function sameType(keyType: string, offeredAlgo: string): boolean {
  if (keyType === offeredAlgo) return true;
  return keyType === 'ssh-rsa' && (offeredAlgo === 'rsa-sha2-256' || offeredAlgo === 'rsa-sha2-512');
}
