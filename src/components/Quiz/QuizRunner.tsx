import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import clsx from 'clsx';
import { getCategory, type ChoiceQuestion } from '@site/src/interview/bank';
import {
  isAnswerCorrect,
  optionOrder,
  summarize,
  type AnswerRecord,
  type QuizSummary,
} from '@site/src/interview/quiz';
import RichText, { Inline } from './RichText';
import QuestionDetails from './QuestionDetails';
import styles from './styles.module.css';

export const SECONDS_PER_QUESTION = 45;

export interface QuizRunnerProps {
  /** The questions, in the order to ask them. */
  questions: ChoiceQuestion[];
  /** Seeds the order of each question's options. */
  seed: number;
  /** Timed mode: each question must be answered within `secondsPerQuestion`. */
  timed?: boolean;
  secondsPerQuestion?: number;
  /** Accessible name of the quiz, e.g. "Basics quiz". */
  label: string;
  /** Smaller layout for embedding in a tutorial chapter. */
  compact?: boolean;
  /** Move keyboard focus to the first question on mount (after the learner pressed Start). */
  autoFocus?: boolean;
  /** Called once when the first round (not a mistakes review) ends. Return true to announce a new best score. */
  onComplete?: (summary: QuizSummary, answers: AnswerRecord[]) => boolean | void;
  /** Shown on the result screen: start a fresh quiz with the same settings. */
  onRestart?: () => void;
  restartLabel?: string;
  /** Shown on the result screen: back to the quiz settings. */
  onExit?: () => void;
}

interface Round {
  questions: ChoiceQuestion[];
  /** A replay of the previous round's mistakes. */
  review: boolean;
  /** Changes on every round so per-round state and effects reset. */
  n: number;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export default function QuizRunner({
  questions,
  seed,
  timed = false,
  secondsPerQuestion = SECONDS_PER_QUESTION,
  label,
  compact = false,
  autoFocus = false,
  onComplete,
  onRestart,
  restartLabel = 'Retake quiz',
  onExit,
}: QuizRunnerProps) {
  const uid = useId();
  const [round, setRound] = useState<Round>({ questions, review: false, n: 0 });
  const [index, setIndex] = useState(0);
  const [selected, setSelected] = useState<number[]>([]);
  const [answers, setAnswers] = useState<AnswerRecord[]>([]);
  const [finished, setFinished] = useState(false);
  const [newBest, setNewBest] = useState(false);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [deadline, setDeadline] = useState<number | null>(null);
  const [now, setNow] = useState(0);

  const questionRef = useRef<HTMLDivElement>(null);
  const feedbackRef = useRef<HTMLHeadingElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const focusNext = useRef<'question' | 'feedback' | 'result' | null>(autoFocus ? 'question' : null);

  const question = round.questions[index];
  const answer = answers.length > index ? answers[index] : undefined;
  const submitted = answer !== undefined;
  const order = useMemo(() => (question ? optionOrder(question, seed + round.n) : []), [question, seed, round.n]);

  // Start the clock on the client only (the server render has no clock).
  useEffect(() => {
    if (startedAt === null) setStartedAt(Date.now());
  }, [startedAt]);

  // Move focus where a keyboard or screen-reader user expects it after each step.
  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target === 'question') questionRef.current?.focus();
    if (target === 'feedback') feedbackRef.current?.focus();
    if (target === 'result') resultRef.current?.focus();
  });

  // Timed mode: a deadline per question; when it passes, the question counts as missed.
  useEffect(() => {
    if (!timed || finished || submitted || !question) {
      setDeadline(null);
      return;
    }
    const end = Date.now() + secondsPerQuestion * 1000;
    setDeadline(end);
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [timed, finished, submitted, question, round.n, index, secondsPerQuestion]);

  const remaining = deadline === null ? null : Math.max(0, Math.ceil((deadline - now) / 1000));

  useEffect(() => {
    if (remaining === 0 && !submitted) record(selected, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [remaining]);

  function record(choice: number[], timedOut = false) {
    if (!question || submitted) return;
    const entry: AnswerRecord = {
      questionId: question.id,
      category: question.category,
      selected: [...choice].sort((a, b) => a - b),
      correct: !timedOut && isAnswerCorrect(question, choice),
      ...(timedOut ? { timedOut: true } : {}),
    };
    setAnswers((prev) => [...prev, entry]);
    focusNext.current = 'feedback';
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (selected.length > 0) record(selected);
  }

  function toggle(i: number) {
    if (submitted || !question) return;
    if (question.type === 'single') setSelected([i]);
    else setSelected((prev) => (prev.includes(i) ? prev.filter((x) => x !== i) : [...prev, i]));
  }

  function next() {
    setSelected([]);
    if (index + 1 < round.questions.length) {
      setIndex(index + 1);
      focusNext.current = 'question';
      return;
    }
    setFinished(true);
    setElapsed(startedAt === null ? 0 : Date.now() - startedAt);
    focusNext.current = 'result';
    if (!round.review && onComplete) setNewBest(Boolean(onComplete(summarize(answers), answers)));
  }

  function reviewMistakes() {
    const missed = new Set(answers.filter((a) => !a.correct).map((a) => a.questionId));
    setRound((r) => ({ questions: r.questions.filter((q) => missed.has(q.id)), review: true, n: r.n + 1 }));
    setIndex(0);
    setSelected([]);
    setAnswers([]);
    setFinished(false);
    setNewBest(false);
    setStartedAt(Date.now());
    focusNext.current = 'question';
  }

  if (finished) {
    const summary = summarize(answers);
    const missed = summary.missed.map((id) => round.questions.find((q) => q.id === id)!).filter(Boolean);
    return (
      <section className={clsx(styles.quiz, compact && styles.compact)} aria-label={label}>
        <div className={styles.result}>
          <h3 ref={resultRef} tabIndex={-1} className={styles.focusTarget}>
            {round.review ? 'Review finished' : 'Quiz finished'}
          </h3>
          <p
            className={styles.score}
            data-testid="quiz-score"
            data-correct-count={summary.correct}
            data-total={summary.total}
            data-percent={summary.percent}
          >
            You scored{' '}
            <strong>
              {summary.correct} / {summary.total}
            </strong>{' '}
            ({summary.percent}%){!compact && <> in {formatDuration(elapsed)}</>}.
          </p>
          {newBest && <p className={styles.newBest}>New best score for this quiz — saved in this browser.</p>}
          {round.review && <p className={styles.muted}>Mistake reviews don't change your best score.</p>}

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
              <button type="button" className="button button--primary" data-testid="quiz-review" onClick={reviewMistakes}>
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

  if (!question) return null;

  const category = getCategory(question.category);
  const questionId = `${uid}-q`;
  const total = round.questions.length;
  const correctSoFar = answers.filter((a) => a.correct).length;
  /** Wrong options the learner did not pick: explained on request after answering. */
  const others = answer ? order.filter((i) => !answer.selected.includes(i) && !question.options[i]!.correct) : [];

  return (
    <section className={clsx(styles.quiz, compact && styles.compact)} aria-label={label}>
      <div className={styles.status}>
        <span>
          {round.review && <span className={clsx('badge badge--warning', styles.badge)}>Review</span>}
          Question {index + 1} of {total}
          {answers.length > 0 && (
            <span className={styles.muted}>
              {' '}
              · {correctSoFar} correct so far
            </span>
          )}
        </span>
        {remaining !== null && (
          <span
            role="timer"
            aria-label={`${remaining} seconds left`}
            className={clsx(styles.timer, remaining <= 10 && styles.timerLow)}
          >
            {remaining}s
          </span>
        )}
      </div>
      <progress className={styles.progress} max={total} value={index + (submitted ? 1 : 0)} aria-label="Quiz progress" />

      <form
        onSubmit={onSubmit}
        data-testid="quiz-question"
        data-question-id={question.id}
        data-question-type={question.type}
        className={styles.questionForm}
      >
        <fieldset aria-labelledby={questionId} className={styles.fieldset}>
          <div className={styles.meta}>
            {category && <span className={clsx('badge badge--secondary', styles.badge)}>{category.title}</span>}
            <span className={clsx('badge', styles.badge, styles[`difficulty-${question.difficulty}`])}>
              {question.difficulty}
            </span>
            <span className={styles.hint}>
              {question.type === 'single' ? 'Choose one answer' : 'Choose all that apply'}
            </span>
          </div>
          <div id={questionId} ref={questionRef} tabIndex={-1} className={clsx(styles.questionText, styles.focusTarget)}>
            <RichText text={question.question} />
          </div>
          <div className={styles.options}>
            {order.map((i) => {
              const option = question.options[i]!;
              const checked = answer ? answer.selected.includes(i) : selected.includes(i);
              const state = answer ? (option.correct ? 'right' : checked ? 'wrong' : 'neutral') : undefined;
              const inputId = `${uid}-o${i}`;
              return (
                <div
                  key={`${round.n}-${index}-${i}`}
                  className={clsx(styles.option, checked && styles.optionChecked, state && styles[`option-${state}`])}
                >
                  <label htmlFor={inputId} data-testid="quiz-option" data-option-index={i} className={styles.optionLabel}>
                    <input
                      id={inputId}
                      type={question.type === 'single' ? 'radio' : 'checkbox'}
                      name={`${uid}-options`}
                      checked={checked}
                      disabled={submitted}
                      onChange={() => toggle(i)}
                    />
                    <span className={styles.optionText}>
                      <Inline text={option.text} />
                    </span>
                    {state === 'right' && (
                      <span className={styles.mark}>{checked ? '✓ your answer, right' : '✓ right answer'}</span>
                    )}
                    {state === 'wrong' && <span className={styles.mark}>✗ your answer, wrong</span>}
                  </label>
                  {answer && (checked || option.correct) && (
                    <p className={styles.why}>
                      <Inline text={option.why} />
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        </fieldset>
        {!submitted && (
          <div className={styles.actions}>
            <button
              type="submit"
              className="button button--primary"
              data-testid="quiz-submit"
              disabled={selected.length === 0}
            >
              Check answer
            </button>
          </div>
        )}
      </form>

      {answer && (
        <div
          className={clsx(styles.feedback, answer.correct ? styles.feedbackRight : styles.feedbackWrong)}
          data-testid="quiz-feedback"
          data-correct={String(answer.correct)}
        >
          <h3 ref={feedbackRef} tabIndex={-1} className={clsx(styles.feedbackTitle, styles.focusTarget)}>
            {answer.correct ? '✓ Correct' : answer.timedOut ? '⏱ Time is up' : '✗ Not quite'}
          </h3>
          <QuestionDetails question={question} />
          {others.length > 0 && (
            <details className={styles.otherOptions}>
              <summary>Why the other options are wrong</summary>
              <ul>
                {others.map((i) => (
                    <li key={i}>
                      <Inline text={question.options[i]!.text} /> — <Inline text={question.options[i]!.why} />
                    </li>
                  ))}
              </ul>
            </details>
          )}
          <div className={styles.actions}>
            <button type="button" className="button button--primary" data-testid="quiz-next" onClick={next}>
              {index + 1 < total ? 'Next question' : 'See results'}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
