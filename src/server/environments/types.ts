import type { Client } from 'ssh2';
import type { ExecOptions, ExecResult, HostRole, LabUser, StartedHost } from '../../protocol/exec.js';

export type { ExecOptions, ExecResult, HostRole, LabUser, StartedHost } from '../../protocol/exec.js';

/**
 * The provider contract every environment backend implements (Docker now; Kubernetes pods
 * later). Sessions, the pool and the routes know only this file; a provider reports its
 * failures with the two error classes below, which the registry turns into public errors.
 */

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

/**
 * The learner's shell as the terminal uses it: output, backpressure and the end as on an ssh2
 * channel; keystrokes and the terminal's size in whatever terms the shell's host understands
 * (persistent-shell.ts frames them for dtach).
 */
export interface ShellChannel {
  readonly stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown };
  /** Keystrokes written and not yet sent. */
  readonly writableLength: number;
  write(bytes: Buffer | string): boolean;
  setWindow(rows: number, cols: number): void;
  pause(): void;
  resume(): void;
  close(): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'exit', listener: (code: number | null) => void): this;
  on(event: 'close' | 'drain', listener: () => void): this;
  off(event: 'data', listener: (chunk: Buffer) => void): this;
  off(event: 'close' | 'drain', listener: () => void): this;
  once(event: 'close', listener: () => void): this;
}

export type LostListener = (reason: string) => void;

export interface StartedEnvironment {
  readonly sessionId: string;
  readonly hosts: readonly StartedHost[];
  /** Run a command (through `bash -c`) on a host as a user. Never throws for a non-zero exit. */
  exec(host: string, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** The learner's interactive login shell on the workstation, attached at this size. */
  openShell(size: { cols: number; rows: number }): Promise<ShellChannel>;
  /**
   * The backend's shared, host-key-pinned connection to a host as a user: the SSH gateway opens its
   * own channels on it (a shell with the learner's pty, exec, the sftp subsystem).
   */
  connection(host: string, user: LabUser): Promise<Client>;
  /** Called once if a host stops or the backend can no longer reach it while the environment is in use. */
  onLost(listener: LostListener): void;
  dispose(): Promise<void>;
  // --- shared session directory (several replicas) ---
  /** Everything another backend process needs to reach and dispose this environment (JSON-serialisable). */
  describe(): EnvironmentRecord;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A started environment as the shared session directory stores it: enough for another replica to
 * reach its hosts (address, ports, pinned host key) and to remove it. `provider` holds what only
 * that provider understands (container ids, a network name) under its `kind`.
 */
export interface EnvironmentRecord {
  sessionId: string;
  hosts: StartedHost[];
  provider: { kind: string; [field: string]: unknown };
}

/** The backend's own SSH login key: every replica must hold the same one to reach every host. */
export interface LoginKey {
  privateKey: string;
  publicKey: string;
}

export interface ProviderStatus {
  available: boolean;
  message?: string;
}

/** How hard the pool may refill right now: the provider knows where its hosts run and how loaded that is. */
export interface ProviderPacing {
  /** Least time between two pooled environment starts (0: back to back). */
  delayMs: number;
}

export interface EnvironmentProvider {
  /**
   * Start-up checks an operator must hear about at once, not at the first learner's click (a
   * missing firewall permission, say). Throws with a message that says what to do. An engine that
   * is merely down is not a failure here: status() reports it and the provider recovers later.
   */
  verify(): Promise<void>;
  /** Throws ProviderUnavailableError when the backend does not answer, ProviderCapacityError when it is full. */
  start(spec: EnvironmentSpec): Promise<StartedEnvironment>;
  status(): Promise<ProviderStatus>;
  /**
   * Remove labelled leftovers whose session is not in `live`; returns how many resources were removed.
   * `liveOwners` (several replicas sharing a directory): the backends whose heartbeat is current; a
   * resource of any other owner is a leftover. Without it the provider judges owners itself.
   */
  reap(live: ReadonlySet<string>, liveOwners?: ReadonlySet<string>): Promise<number>;
  // --- shared session directory (several replicas) ---
  /** The owner label this process puts on what it starts (its replica id in the directory). */
  readonly owner?: string;
  /** A working handle on an environment another process started (from its describe()); starts nothing. */
  attach(record: EnvironmentRecord): Promise<StartedEnvironment>;
  /**
   * Every replica must log in with the same key: `agree` is given this process's own key and
   * returns the one the replicas share (the first one stored), which the provider then uses.
   */
  agreeLoginKey?(agree: (own: LoginKey) => Promise<LoginKey>): Promise<void>;
  /** Refill pacing for the warm pool; without it the pool refills back to back. */
  pacing?(): ProviderPacing;
  /** Stops the provider's own background work (event streams) at shutdown; environments are disposed before. */
  close?(): void;
}

/** The provider's backend (an engine, a cluster) does not answer or lacks what it needs (an image). */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** The backend answers but has no room for another environment; the message says what ran out. */
export class ProviderCapacityError extends Error {
  override readonly name = 'ProviderCapacityError';
  /** What ran out, as a phrase: "the subnet pool 172.29.0.0/16 is exhausted". */
  constructor(readonly exhausted: string) {
    super(exhausted);
  }
}
