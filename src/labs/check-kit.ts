import type { ExecOptions, ExecResult, LabUser, StartedHost } from '../server/environments/types.js';

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

/** The settings ssh would use for a host: what `ssh -G <host>` prints, run as learner. */
export interface ClientSettings {
  /** ssh could read its configuration files. */
  ok: boolean;
  /** What ssh said when it could not, one line per problem; `reason` is the first of them. */
  error: string;
  reason: string;
  /** The first value of a keyword, in lower case as ssh -G prints it ("port", "proxyjump"). */
  get(keyword: string): string | undefined;
  /** Every value of a keyword that may repeat ("identityfile", "localforward"). */
  all(keyword: string): string[];
}

/** `ssh -G <host>` on a host of the lab (the workstation unless told): how ssh reads the learner's config. */
export async function clientSettings(lab: CheckContext, host: string, from = 'workstation'): Promise<ClientSettings> {
  const result = await lab.exec(from, `ssh -T -G ${host}`);
  const values = new Map<string, string[]>();
  for (const line of result.stdout.split('\n')) {
    const [keyword, ...rest] = line.trim().split(' ');
    if (keyword) values.set(keyword, [...(values.get(keyword) ?? []), rest.join(' ')]);
  }
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Pseudo-terminal'));
  return {
    ok: result.code === 0,
    error: lines.join('\n'),
    reason: lines[0] ?? '',
    get: (keyword) => values.get(keyword)?.[0],
    all: (keyword) => values.get(keyword) ?? [],
  };
}
