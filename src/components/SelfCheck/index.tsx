import Link from '@docusaurus/Link';
import { useId, useMemo, useState } from 'react';
import QuizRunner from '@site/src/components/Quiz/QuizRunner';
import type { SelfCheckPick } from './pick';
import styles from './styles.module.css';

export interface SelfCheckProps {
  /** A question-bank category id. */
  category: string;
  count?: number;
  /** Added by src/plugins/remark-self-check.ts at build time: the first questions, as JSON. */
  picked?: string;
}

/**
 * `<SelfCheck category="keys-auth" count={3} />` in a tutorial chapter: a short quiz from the
 * interview question bank with instant feedback. The first questions were chosen at build time
 * (same HTML on server and client, and the page does not carry the bank); "Try other questions"
 * loads the bank and draws a new set.
 */
export default function SelfCheck({ category, picked }: SelfCheckProps) {
  if (!picked) {
    throw new Error(`<SelfCheck category="${category}">: no questions picked. It works in docs pages, where src/plugins/remark-self-check.ts picks them.`);
  }
  const titleId = useId();
  const first = useMemo(() => JSON.parse(picked) as SelfCheckPick, [picked]);
  const [round, setRound] = useState({ n: 0, seed: first.seed, questions: first.questions });
  const titles = useMemo(() => ({ [first.category]: first.title }), [first]);
  const drawAgain = async () => {
    const { pickSelfCheck } = await import('@site/src/interview/quiz');
    const seed = Math.floor(Math.random() * 2 ** 31);
    setRound((r) => ({ n: r.n + 1, seed, questions: pickSelfCheck(first.category, first.count, seed) }));
  };
  const { questions } = round;

  return (
    <section className={styles.selfCheck} aria-labelledby={titleId} data-testid="self-check" data-category={first.category}>
      <div className={styles.header}>
        <span className={styles.icon} aria-hidden="true">
          ✓
        </span>
        <div>
          <p id={titleId} className={styles.title}>
            Self-check: {first.title}
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
        categoryTitles={titles}
        label={`Self-check: ${first.title}`}
        compact
        autoFocus={round.n > 0}
        onRestart={() => void drawAgain()}
        restartLabel="Try other questions"
      />
    </section>
  );
}
