import { createHash, timingSafeEqual } from 'node:crypto';
import { Socket } from 'node:net';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';

const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;
import type { ExecOptions, ExecResult } from './types.js';

/** Fast algorithms first: other key exchanges are slow in ssh2 (measured in the performance issue). */
export const preferredAlgorithms: ConnectConfig['algorithms'] = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256'],
  serverHostKey: ['ssh-ed25519'],
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr'],
};

export interface KeyPair {
  /** OpenSSH private key text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
  /** The raw public key blob, for pinning. */
  blob: Buffer;
  /** `SHA256:…` as ssh-keygen -l prints it. */
  fingerprint: string;
}

/** An ed25519 blob is always 51 bytes: string "ssh-ed25519" (4+11) and the 32-byte key (4+32). */
const ed25519BlobLength = 51;

export function generateEd25519(comment: string): KeyPair {
  // ssh2 drops a leading zero byte of the public key (about 1 key in 256), making a key OpenSSH
  // rejects: such a pair is simply made again.
  for (;;) {
    const { private: privateKey, public: publicKey } = utils.generateKeyPairSync('ed25519', { comment });
    const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? '', 'base64');
    if (blob.length !== ed25519BlobLength) continue;
    const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    return { privateKey, publicKey, blob, fingerprint };
  }
}

export interface ConnectOptions {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  hostKey: Buffer;
  readyTimeoutMs?: number;
}

/** The TCP socket under each connection: ssh2's own destroy() does nothing once end() was called. */
const sockets = new WeakMap<Client, Socket>();

/**
 * Drops a connection's socket at once, ended or not: for a host that is gone, whose peer will never
 * send its FIN (a half-closed socket would otherwise wait forever and keep the process alive).
 */
export function destroyConnection(client: Client): void {
  const socket = sockets.get(client);
  if (socket) socket.destroy();
  else client.destroy();
}

/** Connects with the host key pinned: a host that presents any other key is refused. */
export function connect(options: ConnectOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    // Our own socket (ssh2 takes one that is still connecting), so that destroyConnection can reach it.
    const socket = new Socket();
    sockets.set(client, socket);
    socket.connect({ host: options.host, port: options.port });
    const fail = (error: Error) => {
      client.end();
      reject(error);
    };
    client.once('ready', () => {
      client.off('error', fail);
      // Node leaves Nagle on for outgoing sockets: a keystroke must not wait for the last ACK.
      client.setNoDelay(true);
      resolve(client);
    });
    // Not once: ssh2 can emit a second error (e.g. "Connection lost before handshake" after a
    // reset while sshd restarts), and an error event with no listener would end the process.
    client.on('error', fail);
    client.connect({
      sock: socket,
      username: options.username,
      privateKey: options.privateKey,
      readyTimeout: options.readyTimeoutMs ?? 10_000,
      algorithms: preferredAlgorithms,
      keepaliveInterval: 15_000,
      hostVerifier: (key: Buffer) => key.length === options.hostKey.length && timingSafeEqual(key, options.hostKey),
    });
  });
}

const maxOutputBytes = 1024 * 1024;

class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  push(chunk: Buffer): void {
    if (this.size >= maxOutputBytes) {
      this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs one command on an open connection as an exec channel (no new login, ~ms). */
export function execOn(client: Client, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel: ClientChannel) => {
      if (error) {
        reject(error);
        return;
      }
      const stdout = new BoundedBuffer();
      const stderr = new BoundedBuffer();
      let timedOut = false;
      let code: number | null = null;
      const timer = setTimeout(() => {
        timedOut = true;
        channel.signal('KILL');
        channel.close();
      }, options.timeoutMs ?? 10_000);
      channel.on('data', (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      channel.on('exit', (exitCode: number | null) => {
        code = typeof exitCode === 'number' ? exitCode : null;
      });
      channel.on('close', () => {
        clearTimeout(timer);
        resolve({ stdout: stdout.text(), stderr: stderr.text(), code: timedOut ? null : code, timedOut });
      });
      if (options.stdin !== undefined) channel.end(options.stdin);
      else channel.end();
    });
  });
}
