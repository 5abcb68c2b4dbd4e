import { lazy, Suspense, useEffect, useState } from 'react';
import { storageKeys } from '../../browser/storage';
import LabView from './LabView';
import { initialLabSession, type LabSessionState } from './session-state';
import styles from './styles.module.css';
import { useLabData } from './useLabData';

// The session, API client, zod schemas and terminal arrive only when a lab is wanted on this page.
const LabInteractive = lazy(() => import('./LabInteractive'));

/** Whether this browser has an open session of the lab (read without parsing: the interactive part validates it). */
function hasStoredSession(labId: string): boolean {
  try {
    return window.localStorage.getItem(storageKeys.labSession(labId)) !== null;
  } catch {
    return false;
  }
}

/** The lab's steps passed before (the "completed before" marks), read without zod: only `true` values count. */
function passedBefore(labId: string): Record<string, boolean> {
  try {
    const all: unknown = JSON.parse(window.localStorage.getItem(storageKeys.labProgress) ?? '{}');
    const mine: unknown = all && typeof all === 'object' ? (all as Record<string, unknown>)[labId] : undefined;
    if (!mine || typeof mine !== 'object') return {};
    return Object.fromEntries(Object.entries(mine).filter(([, passed]) => passed === true));
  } catch {
    return {};
  }
}

/**
 * `<Lab id="keygen" />` in a chapter: the lab's steps as server-rendered HTML, and its Start
 * button. The interactive part loads when the learner presses Start, or at once when this browser
 * has a session of the lab to resume; until then a page carries only this light shell.
 */
export default function Lab({ id }: { id: string }) {
  const lab = useLabData(id);
  const [wanted, setWanted] = useState<'no' | 'resume' | 'start'>('no');
  const [idle, setIdle] = useState<LabSessionState>(initialLabSession);
  useEffect(() => {
    setIdle({ ...initialLabSession, completedBefore: passedBefore(id) });
    if (hasStoredSession(id)) setWanted((w) => (w === 'no' ? 'resume' : w));
  }, [id]);

  if (!lab) {
    return <div className="alert alert--danger">No lab named “{id}”. Check the id in this page.</div>;
  }
  if (wanted === 'no') return <LabView lab={lab} state={idle} actions={{ start: () => setWanted('start') }} />;
  // While the part loads, the shell shows what is under way, with no button to press twice.
  const progress = (
    <div className={styles.progress} role="status">
      <span className={styles.spinner} aria-hidden /> {wanted === 'resume' ? 'Reconnecting to your lab…' : 'Starting your hosts…'}
    </div>
  );
  const starting: LabSessionState = { ...idle, phase: { name: 'starting', resuming: wanted === 'resume' } };
  const loading = <LabView lab={lab} state={starting} actions={{ start: () => undefined }} panel={progress} />;
  return (
    <Suspense fallback={loading}>
      <LabInteractive lab={lab} startAtOnce={wanted === 'start'} />
    </Suspense>
  );
}
