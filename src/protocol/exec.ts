/**
 * What a command run on a lab host takes and gives back. Shared by the backend's providers and
 * the lab authoring kit (src/labs/), which must not import from src/server/. No runtime code.
 */

export type HostRole = 'workstation' | 'server';
export type LabUser = 'learner' | 'root';

export interface ExecOptions {
  user?: LabUser;
  stdin?: string | Buffer;
  timeoutMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the command was killed or timed out. */
  code: number | null;
  timedOut: boolean;
}

export interface StartedHost {
  name: string;
  role: HostRole;
  ports: number[];
  address: string;
  /** SHA256 fingerprint of the host key, as ssh-keygen -lf prints it. */
  fingerprint: string;
  /** The host's public key line (`ssh-ed25519 AAAA…`). */
  publicKey: string;
}
