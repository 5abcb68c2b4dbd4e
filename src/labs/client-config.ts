import { fileTypeName, octal, type CheckContext } from './check-kit.js';
import { shellQuote } from './shell-quote.js';

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

/** Parses `ssh -G` output and its complaints. */
export function parseClientSettings(stdout: string, stderr: string, code: number | null): ClientSettings {
  const values = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [keyword, ...rest] = line.trim().split(' ');
    if (keyword) values.set(keyword, [...(values.get(keyword) ?? []), rest.join(' ')]);
  }
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Pseudo-terminal'));
  return {
    ok: code === 0,
    error: lines.join('\n'),
    reason: lines[0] ?? '',
    get: (keyword) => values.get(keyword)?.[0],
    all: (keyword) => values.get(keyword) ?? [],
  };
}

/** `ssh -G <host>` on a host of the lab (the workstation unless told): how ssh reads the learner's config. */
export async function clientSettings(lab: CheckContext, host: string, from = 'workstation'): Promise<ClientSettings> {
  const result = await lab.exec(from, `ssh -T -G ${shellQuote(host)}`);
  return parseClientSettings(result.stdout, result.stderr, result.code);
}

/**
 * `ssh -G <host>` together with the first thing wrong with ~/.ssh/config itself, in the words
 * every config lab uses: missing, not a regular file, refused by ssh ("Bad owner or
 * permissions", a misspelt keyword), or group-writable (Debian's ssh lets that pass when the
 * group is the user's own; stock OpenSSH refuses it). A learner's settings only count when
 * `problem` is null.
 */
export async function clientConfig(lab: CheckContext, host: string, from = 'workstation'): Promise<{ settings: ClientSettings; problem: string | null }> {
  const path = '~/.ssh/config';
  const [file, settings] = await Promise.all([lab.stat(from, path), clientSettings(lab, host, from)]);
  const problem = (() => {
    if (!file) return `There is no ${path} on ${from} yet.`;
    if (file.type !== 'file') {
      return `${path} on ${from} is ${fileTypeName(file.type)}; ssh's per-user configuration is a regular file. Remove it and write the file itself.`;
    }
    if (!settings.ok) {
      if (/Bad owner or permissions/.test(settings.error)) {
        return `${path} on ${from} is mode ${octal(file.mode)}: other users can write it, so ssh refuses to use it ("Bad owner or permissions"). Run chmod 600 ~/.ssh/config.`;
      }
      return `ssh cannot read ${path} on ${from}: ${settings.reason || `ssh -G ${host} failed`}. Fix that line.`;
    }
    if (file.mode & 0o022) {
      return `${path} on ${from} is mode ${octal(file.mode)}: it is group-writable. Debian's ssh lets that pass because your group has no other members, but stock OpenSSH refuses such a file ("Bad owner or permissions"). Run chmod 600 ~/.ssh/config.`;
    }
    return null;
  })();
  return { settings, problem };
}
