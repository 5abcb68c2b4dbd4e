import { useEffect, useId, useMemo, useReducer, useRef, type FormEvent } from 'react';
import clsx from 'clsx';
import type { ChoiceQuestion } from '@site/src/interview/bank';
import { type AnswerRecord, type CategoryTitles, optionOrder, type QuizSummary, summarize } from '@site/src/interview/quiz-core';
import QuestionDetails from './QuestionDetails';
import QuestionTimer from './QuestionTimer';
import QuizResult from './QuizResult';
import { currentAnswer, currentQuestion, initialQuizRound, isLastQuestion, quizRoundReducer } from './quiz-round';
import RichText, { Inline } from './RichText';
import styles from './styles.module.css';

/** One quiz round on the page: the state lives in quiz-round.ts; this renders it and moves focus. */

export const SECONDS_PER_QUESTION = 45;

export interface QuizRunnerProps {
  /** The questions, in the order to ask them. */
  questions: ChoiceQuestion[];
  /** Seeds the order of each question's options. */
  seed: number;
  /** Timed mode: each question must be answered within `secondsPerQuestion`. */
  timed?: boolean;
  secondsPerQuestion?: number;
  /** The title of each category the questions come from (quiz.ts's categoryTitles, or a self-check's one). */
  categoryTitles: CategoryTitles;
  /** Accessible name of the quiz, e.g. "Basics quiz". */
  label: string;
  /** Smaller layout for embedding in a tutorial chapter. */
  compact?: boolean;
  /** Move keyboard focus to the first question on mount (after the learner pressed Start). */
  autoFocus?: boolean;
  /** Called once when the first round (not a mistakes review) ends. Return true to announce a new best score. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler may return nothing (keep the default) or false.
  onComplete?: (summary: QuizSummary, answers: AnswerRecord[]) => boolean | void;
  /** Shown on the result screen: start a fresh quiz with the same settings. */
  onRestart?: () => void;
  restartLabel?: string;
  /** Shown on the result screen: back to the quiz settings. */
  onExit?: () => void;
}

export default function QuizRunner({
  questions,
  seed,
  timed = false,
  secondsPerQuestion = SECONDS_PER_QUESTION,
  categoryTitles,
  label,
  compact = false,
  autoFocus = false,
  onComplete,
  onRestart,
  restartLabel = 'Retake quiz',
  onExit,
}: QuizRunnerProps) {
  const uid = useId();
  const [state, dispatch] = useReducer(quizRoundReducer, undefined, () => initialQuizRound(questions, timed ? secondsPerQuestion : null));

  const questionRef = useRef<HTMLDivElement>(null);
  const feedbackRef = useRef<HTMLHeadingElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const focusNext = useRef<'question' | 'feedback' | 'result' | null>(autoFocus ? 'question' : null);

  const question = currentQuestion(state);
  const answer = currentAnswer(state);
  const submitted = answer !== undefined;
  const index = state.index;
  const order = useMemo(() => (question ? optionOrder(question, seed + state.round) : []), [question, seed, state.round]);

  // Start the clock on the client only (the server render has no clock).
  useEffect(() => dispatch({ type: 'clock-started', now: Date.now() }), []);

  // An answer was recorded (submitted or timed out): its feedback takes the focus.
  const answered = state.answers.length;
  useEffect(() => {
    if (answered > 0) focusNext.current = 'feedback';
  }, [answered]);

  // Move focus where a keyboard or screen-reader user expects it after each step.
  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target === 'question') questionRef.current?.focus();
    if (target === 'feedback') feedbackRef.current?.focus();
    if (target === 'result') resultRef.current?.focus();
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    dispatch({ type: 'submit' });
  }

  function next() {
    const finishing = isLastQuestion(state);
    const newBest = finishing && !state.review && onComplete ? Boolean(onComplete(summarize(state.answers, categoryTitles), state.answers)) : false;
    focusNext.current = finishing ? 'result' : 'question';
    dispatch({ type: 'next', now: Date.now(), newBest });
  }

  function reviewMistakes() {
    focusNext.current = 'question';
    dispatch({ type: 'review-mistakes', now: Date.now() });
  }

  if (state.finished) {
    return (
      <QuizResult
        label={label}
        categoryTitles={categoryTitles}
        compact={compact}
        questions={state.questions}
        answers={state.answers}
        review={state.review}
        newBest={state.newBest}
        elapsedMs={state.elapsedMs}
        headingRef={resultRef}
        onReviewMistakes={reviewMistakes}
        onRestart={onRestart}
        restartLabel={restartLabel}
        onExit={onExit}
      />
    );
  }

  if (!question) return null;

  const categoryTitle = categoryTitles[question.category];
  const questionId = `${uid}-q`;
  const total = state.questions.length;
  const correctSoFar = state.answers.filter((a) => a.correct).length;
  /** Wrong options the learner did not pick: explained on request after answering. */
  const others = answer ? order.filter((i) => !answer.selected.includes(i) && !question.options[i]!.correct) : [];

  return (
    <section className={clsx(styles.quiz, compact && styles.compact)} aria-label={label}>
      <div className={styles.status}>
        <span>
          {state.review && <span className={clsx('badge badge--warning', styles.badge)}>Review</span>}
          Question {index + 1} of {total}
          {state.answers.length > 0 && <span className={styles.muted}> · {correctSoFar} correct so far</span>}
        </span>
        {state.deadline !== null && <QuestionTimer deadline={state.deadline} onTimeUp={() => dispatch({ type: 'time-up' })} />}
      </div>
      <progress className={styles.progress} max={total} value={index + (submitted ? 1 : 0)} aria-label="Quiz progress" />

      <form onSubmit={onSubmit} data-testid="quiz-question" data-question-id={question.id} data-question-type={question.type} className={styles.questionForm}>
        <fieldset aria-labelledby={questionId} className={styles.fieldset}>
          <div className={styles.meta}>
            {categoryTitle && <span className={clsx('badge badge--secondary', styles.badge)}>{categoryTitle}</span>}
            <span className={clsx('badge', styles.badge, styles[`difficulty-${question.difficulty}`])}>{question.difficulty}</span>
            <span className={styles.hint}>{question.type === 'single' ? 'Choose one answer' : 'Choose all that apply'}</span>
          </div>
          <div id={questionId} ref={questionRef} tabIndex={-1} className={clsx(styles.questionText, styles.focusTarget)}>
            <RichText text={question.question} />
          </div>
          <div className={styles.options}>
            {order.map((i) => {
              const option = question.options[i]!;
              const checked = answer ? answer.selected.includes(i) : state.selected.includes(i);
              const verdict = answer ? (option.correct ? 'right' : checked ? 'wrong' : 'neutral') : undefined;
              const inputId = `${uid}-o${i}`;
              return (
                <div
                  key={`${state.round}-${index}-${i}`}
                  className={clsx(styles.option, checked && styles.optionChecked, verdict && styles[`option-${verdict}`])}
                >
                  <label htmlFor={inputId} data-testid="quiz-option" data-option-index={i} className={styles.optionLabel}>
                    <input
                      id={inputId}
                      type={question.type === 'single' ? 'radio' : 'checkbox'}
                      name={`${uid}-options`}
                      checked={checked}
                      disabled={submitted}
                      onChange={() => dispatch({ type: 'toggle', option: i })}
                    />
                    <span className={styles.optionText}>
                      <Inline text={option.text} />
                    </span>
                    {verdict === 'right' && <span className={styles.mark}>{checked ? '✓ your answer, right' : '✓ right answer'}</span>}
                    {verdict === 'wrong' && <span className={styles.mark}>✗ your answer, wrong</span>}
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
            <button type="submit" className="button button--primary" data-testid="quiz-submit" disabled={state.selected.length === 0}>
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
