import clsx from 'clsx';
import type { Ref } from 'react';
import type { ChoiceQuestion } from '@site/src/interview/bank';
import { type AnswerRecord, type CategoryTitles, summarize } from '@site/src/interview/quiz-core';
import { Inline } from './RichText';
import styles from './styles.module.css';

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export interface QuizResultProps {
  label: string;
  categoryTitles: CategoryTitles;
  compact: boolean;
  questions: ChoiceQuestion[];
  answers: AnswerRecord[];
  review: boolean;
  newBest: boolean;
  elapsedMs: number;
  headingRef: Ref<HTMLHeadingElement>;
  onReviewMistakes(): void;
  onRestart?: () => void;
  restartLabel: string;
  onExit?: () => void;
}

/** The end of a round: the score, the results by category, what was missed, and what to do next. */
export default function QuizResult({
  label,
  categoryTitles,
  compact,
  questions,
  answers,
  review,
  newBest,
  elapsedMs,
  headingRef,
  onReviewMistakes,
  onRestart,
  restartLabel,
  onExit,
}: QuizResultProps) {
  const summary = summarize(answers, categoryTitles);
  const missed = summary.missed.map((id) => questions.find((q) => q.id === id)).filter((q): q is ChoiceQuestion => q !== undefined);
  return (
    <section className={clsx(styles.quiz, compact && styles.compact)} aria-label={label}>
      <div className={styles.result}>
        <h3 ref={headingRef} tabIndex={-1} className={styles.focusTarget}>
          {review ? 'Review finished' : 'Quiz finished'}
        </h3>
        <p className={styles.score} data-testid="quiz-score" data-correct-count={summary.correct} data-total={summary.total} data-percent={summary.percent}>
          You scored{' '}
          <strong>
            {summary.correct} / {summary.total}
          </strong>{' '}
          ({summary.percent}%){!compact && <> in {formatDuration(elapsedMs)}</>}.
        </p>
        {newBest && <p className={styles.newBest}>New best score for this quiz — saved in this browser.</p>}
        {review && <p className={styles.muted}>Mistake reviews don't change your best score.</p>}

        {!compact && summary.byCategory.length > 0 && (
          <table className={styles.resultTable}>
            <caption>Results by category</caption>
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">Correct</th>
                <th scope="col">Score</th>
              </tr>
            </thead>
            <tbody>
              {summary.byCategory.map((r) => {
                const pct = Math.round((r.correct / r.total) * 100);
                return (
                  <tr key={r.category} data-testid="quiz-category-result" data-category={r.category}>
                    <th scope="row">{r.title}</th>
                    <td>
                      {r.correct} / {r.total}
                    </td>
                    <td>
                      <span className={styles.bar} aria-hidden="true">
                        <span style={{ width: `${pct}%` }} />
                      </span>{' '}
                      {pct}%
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}

        {missed.length > 0 ? (
          <div className={styles.missed}>
            <h4>Missed ({missed.length})</h4>
            <ul>
              {missed.map((q) => (
                <li key={q.id}>
                  <Inline text={q.question.split('\n')[0]!} />
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p>No mistakes — well done.</p>
        )}

        <div className={styles.actions}>
          {missed.length > 0 && (
            <button type="button" className="button button--primary" data-testid="quiz-review" onClick={onReviewMistakes}>
              Review my mistakes ({missed.length})
            </button>
          )}
          {onRestart && (
            <button type="button" className="button button--secondary" onClick={onRestart}>
              {restartLabel}
            </button>
          )}
          {onExit && (
            <button type="button" className="button button--secondary" onClick={onExit}>
              Choose another quiz
            </button>
          )}
        </div>
      </div>
    </section>
  );
}
