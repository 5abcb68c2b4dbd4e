import type { CheckContext, FileStat } from '../../labs/check-kit.js';
import { shellQuote } from '../../labs/shell-quote.js';
import type { LabUser, StartedEnvironment } from '../environments/types.js';

/** `~/x` is relative to the user's home; anything else must be absolute. */
function locate(path: string): string {
  if (path === '~') return 'cd ~ && stat -c "%F|%a|%U|%s" -- .';
  if (path.startsWith('~/')) return `cd ~ && stat -c "%F|%a|%U|%s" -- ${shellQuote(path.slice(2))}`;
  if (!path.startsWith('/')) throw new Error(`check paths must start with ~/ or /: "${path}"`);
  return `stat -c "%F|%a|%U|%s" -- ${shellQuote(path)}`;
}

const fileTypes: Record<string, FileStat['type']> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  'symbolic link': 'symlink',
};

export function createCheckContext(environment: StartedEnvironment, session: CheckContext['session'], timeoutMs: number): CheckContext {
  const exec: CheckContext['exec'] = (host, command, options = {}) => environment.exec(host, command, { timeoutMs, ...options });
  return {
    session,
    exec,
    async stat(host: string, path: string, user: LabUser = 'learner') {
      const result = await exec(host, locate(path), { user });
      if (result.code !== 0) return null;
      const [type, mode, owner, size] = result.stdout.trim().split('|');
      return { type: fileTypes[type ?? ''] ?? 'other', mode: parseInt(mode ?? '0', 8), owner: owner ?? '', size: Number(size) };
    },
    async readFile(host: string, path: string, user: LabUser = 'learner') {
      const target = path.startsWith('~/') ? shellQuote(path.slice(2)) : shellQuote(path);
      const result = await exec(host, `cd ~ && cat -- ${target}`, { user });
      return result.code === 0 ? result.stdout : null;
    },
  };
}
