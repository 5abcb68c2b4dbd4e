import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A session's gateway login: who may open it, until when. Only the password's hash is kept. */
export interface GatewayCredential {
  sessionId: string;
  username: string;
  /** scrypt hash of the password, hex, with its salt: `scrypt$<saltHex>$<hashHex>` */
  passwordHash: string;
  expiresAt: number; // ms since epoch
}

/** Where gateway credentials live: in this process (below) or shared by replicas (the directory's Redis). */
export interface GatewayCredentialStore {
  /** Replaces the session's credential (POST again rotates the password). */
  put(credential: GatewayCredential): Promise<void>;
  byUsername(username: string): Promise<GatewayCredential | undefined>;
  removeSession(sessionId: string): Promise<void>;
}

/** One process's credentials; replicas share theirs through the directory's implementation instead. */
export class InMemoryGatewayCredentialStore implements GatewayCredentialStore {
  private readonly byName = new Map<string, GatewayCredential>();
  private readonly nameOf = new Map<string, string>();

  async put(credential: GatewayCredential): Promise<void> {
    const previous = this.nameOf.get(credential.sessionId);
    if (previous !== undefined) this.byName.delete(previous);
    this.byName.set(credential.username, { ...credential });
    this.nameOf.set(credential.sessionId, credential.username);
  }

  async byUsername(username: string): Promise<GatewayCredential | undefined> {
    const credential = this.byName.get(username);
    if (!credential) return undefined;
    if (credential.expiresAt <= Date.now()) {
      await this.removeSession(credential.sessionId);
      return undefined;
    }
    return { ...credential };
  }

  async removeSession(sessionId: string): Promise<void> {
    const username = this.nameOf.get(sessionId);
    if (username !== undefined) this.byName.delete(username);
    this.nameOf.delete(sessionId);
  }
}

// N=2^14, r=8 (64 ms here): slow enough to make a stolen hash expensive, cheap enough per login.
const scryptParams = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const keyLength = 32;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, scryptParams, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

/**
 * Whether a password matches a stored hash. A caller without a credential (an unknown username)
 * passes `undefined` and the same work is done against a throwaway hash: both answers take as long.
 */
export async function passwordMatches(password: string, passwordHash: string | undefined): Promise<boolean> {
  const [scheme, saltHex, hashHex] = (passwordHash ?? '').split('$');
  const known = scheme === 'scrypt' && saltHex !== undefined && hashHex !== undefined && hashHex.length === keyLength * 2;
  const salt = known ? Buffer.from(saltHex, 'hex') : unknownSalt;
  const expected = known ? Buffer.from(hashHex, 'hex') : unknownHash;
  const actual = await scryptAsync(password, salt);
  return timingSafeEqual(actual, expected) && known;
}

const unknownSalt = randomBytes(16);
const unknownHash = randomBytes(keyLength);

/** Easy to copy, hard to guess: four groups of five characters from an unambiguous alphabet (~99 bits). */
export function newGatewayPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/**
 * The session's gateway username: derived with a keyed hash from the session id, so every replica
 * that holds the key (the gateway's host key, shared by all of them) names the same session the
 * same way, and the name reveals neither the id nor the token. Stable for the session's life.
 */
export function gatewayUsername(secret: string | Buffer, sessionId: string): string {
  const digest = createHmac('sha256', secret).update(`ssh-lab gateway username\0${sessionId}`).digest();
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return `lab-${[...digest.subarray(0, 10)].map((b) => alphabet[b & 31]).join('')}`;
}
