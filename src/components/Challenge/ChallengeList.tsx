import Link from '@docusaurus/Link';
import clsx from 'clsx';
import { useLabCatalogue } from '../Lab/useLabCatalogue';
import { byDifficulty, formatDuration, hintsText } from './challenge';
import { useChallengeResults } from './storage';
import styles from './styles.module.css';

const headings = { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' } as const;

/** Every lab as a challenge, easiest first, with this browser's best result. */
export default function ChallengeList() {
  const labs = useLabCatalogue();
  const results = useChallengeResults();
  return (
    <>
      {byDifficulty(labs).map((group) => (
        <section key={group.difficulty} aria-labelledby={`challenges-${group.difficulty}`} data-testid={`challenges-${group.difficulty}`}>
          <h2 id={`challenges-${group.difficulty}`}>{headings[group.difficulty]}</h2>
          <div className={styles.grid}>
            {group.labs.map((lab) => {
              const result = results[lab.id];
              return (
                <article
                  key={lab.id}
                  className={clsx(styles.card, result && styles.solved)}
                  data-testid="challenge-card"
                  data-lab-id={lab.id}
                  data-solved={result ? 'true' : 'false'}
                >
                  <h3>
                    <Link to={`/challenges/${lab.id}`}>{lab.title}</Link>
                  </h3>
                  <p>{lab.summary}</p>
                  <p className={styles.cardMeta} data-testid="challenge-card-result">
                    {result ? `Solved in ${formatDuration(result.timeMs)} with ${hintsText(result.hintsUsed)}` : 'Not solved yet'}
                  </p>
                </article>
              );
            })}
          </div>
        </section>
      ))}
    </>
  );
}
