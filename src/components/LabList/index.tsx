import Link from '@docusaurus/Link';
import { useEffect, useState } from 'react';
import { readProgress, resetProgress, type Progress } from '../Lab/storage';
import { useLabCatalogue } from '../Lab/useLabData';
import styles from './styles.module.css';

/** Every lab from the catalogue, with its chapter and this browser's progress. */
export default function LabList() {
  const labs = useLabCatalogue();
  const [progress, setProgress] = useState<Progress>({});
  useEffect(() => {
    const refresh = () => setProgress(readProgress());
    refresh();
    window.addEventListener('ssh-lab:progress', refresh);
    window.addEventListener('storage', refresh);
    return () => {
      window.removeEventListener('ssh-lab:progress', refresh);
      window.removeEventListener('storage', refresh);
    };
  }, []);
  const done = (id: string) => Object.values(progress[id] ?? {}).filter(Boolean).length;
  return (
    <>
      <div className={styles.grid}>
        {labs.map((lab) => {
          const required = lab.steps.filter((s) => !s.optional).length;
          const passed = done(lab.id);
          const complete = lab.steps.filter((s) => !s.optional).every((s) => progress[lab.id]?.[s.id]);
          return (
            <article key={lab.id} className={styles.card} data-testid="lab-card" data-lab-id={lab.id} data-complete={complete ? 'true' : 'false'}>
              <h3 className={styles.title}>
                <Link to={`${lab.chapter}#lab-${lab.id}`}>{lab.title}</Link>
              </h3>
              <p>{lab.summary}</p>
              <p className={styles.meta}>
                {lab.difficulty} · ~{lab.minutes} min · {lab.steps.length} steps
              </p>
              <div className={styles.bar} role="progressbar" aria-valuemin={0} aria-valuemax={lab.steps.length} aria-valuenow={passed} aria-label={`${lab.title} progress`}>
                <div style={{ width: `${(100 * passed) / lab.steps.length}%` }} />
              </div>
              <p className={styles.meta}>
                {complete ? 'Completed ✓' : passed ? `${passed} of ${required} steps done` : 'Not started'} · in <Link to={lab.chapter}>{lab.chapter.replace('/docs/', '')}</Link>
              </p>
            </article>
          );
        })}
      </div>
      <button type="button" className="button button--sm button--outline button--secondary margin-top--lg" onClick={() => resetProgress()}>
        Reset my lab progress
      </button>
    </>
  );
}
