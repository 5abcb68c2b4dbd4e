/**
 * Quotes a value for a POSIX shell: the only way text that is not a literal of ours (a path a
 * check names, a key line) reaches a command line. Shared by the lab kit and the server's check
 * context, so it lives with the kit: the kit never imports from src/server/.
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A path as one shell word that keeps `~/` working: `~/a b` becomes `~/'a b'` (bash expands a
 * tilde before an unquoted slash only), anything else is quoted whole.
 */
export function shellPath(path: string): string {
  if (path === '~') return '~';
  if (path.startsWith('~/')) return path.length > 2 ? `~/${shellQuote(path.slice(2))}` : '~/';
  return shellQuote(path);
}
