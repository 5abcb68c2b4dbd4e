import type { ClientChannel } from 'ssh2';

/** The provider interface every environment backend implements (Docker now; Kubernetes pods could later). */

export type HostRole = 'workstation' | 'server';
export type LabUser = 'learner' | 'root';

export interface HostSpec {
  name: string;
  role: HostRole;
  /** sshd ports; the first is the one the backend connects to. */
  ports: number[];
  forwarding: 'no' | 'local' | 'remote' | 'yes';
  agentForwarding: boolean;
}

export interface EnvironmentSpec {
  sessionId: string;
  labId: string;
  hosts: HostSpec[];
  password: string;
  lifetimeSeconds: number;
}

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

export type LostListener = (reason: string) => void;

export interface StartedEnvironment {
  readonly sessionId: string;
  readonly hosts: readonly StartedHost[];
  /** Run a command (through `bash -c`) on a host as a user. Never throws for a non-zero exit. */
  exec(host: string, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** An interactive login shell for learner on the workstation. */
  openShell(size: { cols: number; rows: number }): Promise<ClientChannel>;
  /** Called once if a host stops or its connection drops while the environment is in use. */
  onLost(listener: LostListener): void;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface ProviderStatus {
  available: boolean;
  message?: string;
}

export interface EnvironmentProvider {
  start(spec: EnvironmentSpec): Promise<StartedEnvironment>;
  status(): Promise<ProviderStatus>;
  /** Remove labelled leftovers whose session is not in `live`; returns how many resources were removed. */
  reap(live: ReadonlySet<string>): Promise<number>;
}
