import { lazy, Suspense, startTransition, useEffect, useMemo, useState } from 'react';
import { storageKeys } from '../../browser/storage';
import LabView from './LabView';
import { initialLabSession, type LabSessionState } from './session-state';
import styles from './styles.module.css';
import type { LabPageData } from '../../protocol/catalogue';

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

export interface LabProps {
  /** A lab's id: a folder of labs/. */
  id: string;
  /** Added by src/plugins/remark-lab-data.ts at build time: the lab's steps, as JSON. */
  data?: string;
}

/**
 * `<Lab id="keygen" />` in a chapter: the lab's steps as server-rendered HTML, and its Start
 * button. The interactive part loads when the learner presses Start, or at once when this browser
 * has a session of the lab to resume; until then a page carries only this light shell.
 */
export default function Lab({ id, data }: LabProps) {
  const lab = useMemo(() => (data ? (JSON.parse(data) as LabPageData) : undefined), [data]);
  const [wanted, setWanted] = useState<'no' | 'resume' | 'start'>('no');
  const [idle, setIdle] = useState<LabSessionState>(initialLabSession);
  useEffect(() => {
    // A transition, and only when the stored progress differs from what is shown: an update here
    // landed in the one synchronous render after hydration and re-rendered every step of the lab.
    const completedBefore = passedBefore(id);
    const same = (shown: Record<string, boolean>) => Object.keys(shown).join() === Object.keys(completedBefore).join();
    startTransition(() => setIdle((idle) => (same(idle.completedBefore) ? idle : { ...initialLabSession, completedBefore })));
    if (hasStoredSession(id)) setWanted((w) => (w === 'no' ? 'resume' : w));
  }, [id]);

  if (!lab) {
    return <div className="alert alert--danger">No steps for the lab “{id}”: a lab works in docs pages, where src/plugins/remark-lab-data.ts adds them.</div>;
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
