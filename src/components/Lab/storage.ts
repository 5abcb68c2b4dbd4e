import * as z from 'zod';
import { storageKeys, storedValue, type StoredValue } from '../../browser/storage';

/** What the widget keeps in the browser: the open session per lab and the steps passed. No account. */

const storedSessionSchema = z.object({ id: z.string().min(1), token: z.string().min(1) });
export type StoredSession = z.infer<typeof storedSessionSchema>;

const progressSchema = z.record(z.string(), z.record(z.string(), z.boolean()));
/** Steps passed, per lab id and step id. */
export type Progress = z.infer<typeof progressSchema>;

/** How a lab is played: each way keeps its own open session, so a challenge never resumes the guided lab's work. */
export type LabMode = 'guided' | 'challenge';

const sessions = new Map<string, StoredValue<StoredSession | null>>();
function sessionValue(labId: string, mode: LabMode): StoredValue<StoredSession | null> {
  const key = mode === 'challenge' ? storageKeys.challengeSession(labId) : storageKeys.labSession(labId);
  let value = sessions.get(key);
  if (!value) {
    value = storedValue<StoredSession | null>({ key, schema: storedSessionSchema, fallback: null });
    sessions.set(key, value);
  }
  return value;
}

export const storedSession = (labId: string, mode: LabMode = 'guided'): StoredSession | null => sessionValue(labId, mode).read();
export const storeSession = (labId: string, session: StoredSession | undefined, mode: LabMode = 'guided'): void => {
  sessionValue(labId, mode).write(session);
};

const progress = storedValue<Progress>({ key: storageKeys.labProgress, schema: progressSchema, fallback: {} });

export const readProgress = (): Progress => progress.read();
/** Calls `listener` when lab progress changes in this tab or another. */
export const onProgressChange = (listener: () => void): (() => void) => progress.subscribe(listener);

export function markPassed(labId: string, stepIds: string[]): Progress {
  const current = readProgress();
  const next = { ...current, [labId]: { ...current[labId], ...Object.fromEntries(stepIds.map((id) => [id, true])) } };
  progress.write(next);
  return next;
}

export function resetProgress(labId?: string): void {
  if (!labId) {
    progress.write({});
    return;
  }
  const { [labId]: _removed, ...rest } = readProgress();
  progress.write(rest);
}
