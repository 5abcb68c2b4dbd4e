import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { generateEd25519 } from '../environments/ssh.js';

const { utils } = ssh2;

export interface GatewayHostKey {
  /** OpenSSH private key text, as ssh2's Server takes it. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…`, for known_hosts lines. */
  publicKey: string;
  /** `SHA256:…` as ssh-keygen -lf prints it. */
  fingerprint: string;
}

export const hostKeyFileName = 'gateway_ed25519_key';

/**
 * The gateway's host key, made once and kept in the data directory (0700, the key 0600) so a
 * restart, or another replica sharing the directory (or a mounted Secret), presents the same key
 * and learners' known_hosts stay valid. Two replicas starting together cannot make two keys: the
 * key is written to a private temporary file and linked into place, which fails if one is there.
 */
export async function loadOrCreateHostKey(dataDir: string, warn: (message: string) => void): Promise<GatewayHostKey> {
  const path = join(dataDir, hostKeyFileName);
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new Error(`Cannot read the gateway host key ${path}: ${error.message}`);
  });
  if (existing !== undefined) {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) warn(`The gateway host key ${path} is readable by others (mode 0${mode.toString(8)}); make it 0600.`);
    return describe(existing, path);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700).catch(() => undefined);
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, generateEd25519('ssh-lab-gateway').privateKey, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return describe(await readFile(path, 'utf8'), path);
}

function describe(privateKey: string, path: string): GatewayHostKey {
  const parsed = utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || key.type !== 'ssh-ed25519' || !key.isPrivateKey())
    throw new Error(`${path} is not an unencrypted OpenSSH ed25519 private key; remove it and a new one is made at start.`);
  const blob = key.getPublicSSH();
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { privateKey, publicKey: `ssh-ed25519 ${blob.toString('base64')}`, fingerprint };
}
