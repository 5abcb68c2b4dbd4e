import { useId, useMemo, useState } from 'react';
import Link from '@docusaurus/Link';
import { useLocation } from '@docusaurus/router';
import { CATEGORY_IDS, getCategory } from '@site/src/interview/bank';
import { hashString, pickSelfCheck } from '@site/src/interview/quiz';
import { QuizRunner } from '@site/src/components/Quiz';
import styles from './styles.module.css';

export interface SelfCheckProps {
  /** A question-bank category id. */
  category: string;
  count?: number;
}

/**
 * `<SelfCheck category="keys-auth" count={3} />` in a tutorial chapter: a short
 * quiz from the interview question bank with instant feedback. The first set of
 * questions is chosen deterministically (same HTML on server and client); "Try
 * other questions" draws a new set.
 */
export default function SelfCheck({ category, count = 3 }: SelfCheckProps) {
  const titleId = useId();
  // Seeded by page and category: stable between server and client, different per chapter.
  const { pathname } = useLocation();
  const [round, setRound] = useState(() => ({ seed: hashString(`${pathname}#${category}`), n: 0 }));
  const cat = getCategory(category);
  const size = Math.max(1, Math.floor(count));
  const questions = useMemo(() => (cat ? pickSelfCheck(cat.id, size, round.seed) : []), [cat, size, round.seed]);
  if (!cat) {
    // Fails the build with a clear message instead of shipping a broken self-check.
    throw new Error(`<SelfCheck category="${category}">: unknown category. Use one of: ${CATEGORY_IDS.join(', ')}.`);
  }

  return (
    <section className={styles.selfCheck} aria-labelledby={titleId} data-testid="self-check" data-category={cat.id}>
      <div className={styles.header}>
        <span className={styles.icon} aria-hidden="true">
          ✓
        </span>
        <div>
          <p id={titleId} className={styles.title}>
            Self-check: {cat.title}
          </p>
          <p className={styles.subtitle}>
            {questions.length} quick {questions.length === 1 ? 'question' : 'questions'} from the <Link to="/interview">interview prep</Link> bank. Nothing is
            recorded.
          </p>
        </div>
      </div>
      <QuizRunner
        key={round.n}
        questions={questions}
        seed={round.seed}
        label={`Self-check: ${cat.title}`}
        compact
        autoFocus={round.n > 0}
        onRestart={() => setRound((r) => ({ seed: Math.floor(Math.random() * 2 ** 31), n: r.n + 1 }))}
        restartLabel="Try other questions"
      />
    </section>
  );
}
