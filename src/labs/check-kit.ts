import type { ExecOptions, ExecResult, LabUser, StartedHost } from '../protocol/exec.js';

/** What a lab's check function gets: the hosts to inspect, nothing of the learner's typing. */
export interface CheckContext {
  /** Runs through bash on a host, as learner unless told otherwise (root cannot read learner's 0700 files). */
  exec(host: string, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** A file's type, mode and owner, or null when it does not exist. `~/` means the user's home. */
  stat(host: string, path: string, user?: LabUser): Promise<FileStat | null>;
  /** A file's text, or null when it does not exist or cannot be read. */
  readFile(host: string, path: string, user?: LabUser): Promise<string | null>;
  readonly session: { user: string; password: string; hosts: readonly StartedHost[] };
}

export interface FileStat {
  type: 'file' | 'directory' | 'symlink' | 'other';
  /** Permission bits, e.g. 0o600. */
  mode: number;
  owner: string;
  size: number;
}

export interface CheckResult {
  passed: boolean;
  message: string;
  hint?: string;
}

export type CheckFunction = (context: CheckContext) => Promise<CheckResult>;
export type LabChecks = Record<string, CheckFunction>;

export const pass = (message: string): CheckResult => ({ passed: true, message });
export const fail = (message: string, hint?: string): CheckResult => ({ passed: false, message, ...(hint ? { hint } : {}) });

/** labs/<id>/checks.ts default-exports this: one function per step id. */
export function defineChecks<T extends LabChecks>(checks: T): T {
  return checks;
}

/** Octal text of a mode, as chmod takes it: 0o644 -> "0644". */
export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** "a directory", "a symbolic link", … for a path that should be a regular file. */
export function fileTypeName(type: FileStat['type']): string {
  return type === 'file' ? 'a regular file' : type === 'directory' ? 'a directory' : type === 'symlink' ? 'a symbolic link' : 'not a regular file';
}

/*
 * The helpers checks share, each in a module of its own beside this file, exported here so that
 * a lab imports everything from one place.
 */
export { clientConfig, clientSettings, parseClientSettings, type ClientSettings } from './client-config.js';
export { describeKeyFile, keyFile, parseKeyPrints, type KeyFile, type KeyPrint } from './key-files.js';
export { keyFingerprint, knownHostKeys, labHost, markerMeaning, parseKnownHostsLookup, type KnownHostEntry } from './known-hosts.js';
export { tcpListeners, type TcpListener } from './listeners.js';
export { shellPath, shellQuote } from './shell-quote.js';
export { awaitSshdListening, probeKexOption, reachesSshd, sshProbe, type ProbeIdentity, type ProbeResult, type Reach } from './ssh-probe.js';
