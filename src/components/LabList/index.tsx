import Link from '@docusaurus/Link';
import { useEffect, useState } from 'react';
import { onProgressChange, readProgress, resetProgress, type Progress } from '../Lab/storage';
import { useLabCatalogue } from '../Lab/useLabCatalogue';
import { labStanding, standingText } from './lab-progress';
import styles from './styles.module.css';

/** Every lab from the catalogue, with its chapter and this browser's progress. */
export default function LabList() {
  const labs = useLabCatalogue();
  const [progress, setProgress] = useState<Progress>({});
  useEffect(() => {
    const refresh = () => setProgress(readProgress());
    refresh();
    return onProgressChange(refresh);
  }, []);
  return (
    <>
      <div className={styles.grid}>
        {labs.map((lab) => {
          const standing = labStanding(lab, progress);
          const requiredSteps = standing.required;
          return (
            <article key={lab.id} className={styles.card} data-testid="lab-card" data-lab-id={lab.id} data-complete={standing.complete ? 'true' : 'false'}>
              <h3 className={styles.title}>
                <Link to={`${lab.chapter}#lab-${lab.id}`}>{lab.title}</Link>
              </h3>
              <p>{lab.summary}</p>
              <p className={styles.meta}>
                {lab.difficulty} · ~{lab.minutes} min · {requiredSteps} steps{standing.optional ? ` + ${standing.optional} optional` : ''}
              </p>
              <div
                className={styles.bar}
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={requiredSteps}
                aria-valuenow={standing.requiredPassed}
                aria-label={`${lab.title} progress`}
              >
                <div style={{ width: `${requiredSteps ? (100 * standing.requiredPassed) / requiredSteps : 100}%` }} />
              </div>
              <p className={styles.meta}>
                {standingText(standing)} · in <Link to={lab.chapter}>{lab.chapter.replace('/docs/', '')}</Link>
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
