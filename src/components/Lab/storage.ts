/** What the widget keeps in the browser: the open session per lab and the steps passed. No account. */

export interface StoredSession {
  id: string;
  token: string;
}

const sessionKey = (labId: string) => `ssh-lab:session:${labId}`;
const progressKey = 'ssh-lab:progress';

function read<T>(key: string, fallback: T): T {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === undefined) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or full storage: the lab still works, it just forgets.
  }
}

export const storedSession = (labId: string) => read<StoredSession | null>(sessionKey(labId), null);
export const storeSession = (labId: string, session: StoredSession | undefined) => write(sessionKey(labId), session);

export type Progress = Record<string, Record<string, boolean>>;

export const readProgress = () => read<Progress>(progressKey, {});

export function markPassed(labId: string, stepIds: string[]): Progress {
  const progress = readProgress();
  progress[labId] = { ...progress[labId], ...Object.fromEntries(stepIds.map((id) => [id, true])) };
  write(progressKey, progress);
  window.dispatchEvent(new Event('ssh-lab:progress'));
  return progress;
}

export function resetProgress(labId?: string): void {
  const progress = readProgress();
  if (labId) delete progress[labId];
  write(progressKey, labId ? progress : {});
  window.dispatchEvent(new Event('ssh-lab:progress'));
}
