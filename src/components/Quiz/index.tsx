import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { categories, getCategory, choiceQuestions } from '@site/src/interview/bank';
import { categoryTitles, MIX, pickQuestions, seededRandom, type QuizScope } from '@site/src/interview/quiz';
import { recordQuizResult } from '@site/src/interview/progress';
import QuizRunner, { SECONDS_PER_QUESTION } from './QuizRunner';
import styles from './styles.module.css';

export { default as QuizRunner } from './QuizRunner';

const MIX_SIZES = [5, 10, 15, 20, 30] as const;

export interface QuizPreset {
  scope: QuizScope;
  /** Change it to apply the same scope again. */
  nonce: number;
}

interface Running {
  scope: QuizScope;
  count: number | 'all';
  timed: boolean;
  seed: number;
  id: number;
}

function scopeTitle(scope: QuizScope): string {
  return scope === MIX ? 'Random mix' : (getCategory(scope)?.title ?? scope);
}

/**
 * The quiz on /interview: choose a category or a random mix, optionally timed,
 * then answer with instant feedback. Finished quizzes update the best score
 * kept in this browser.
 */
export default function Quiz({ preset }: { preset?: QuizPreset }) {
  const uid = useId();
  const [scope, setScope] = useState<QuizScope>(preset?.scope ?? MIX);
  const [mixSize, setMixSize] = useState<number>(10);
  const [timed, setTimed] = useState(false);
  const [running, setRunning] = useState<Running | null>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  // Set once React has hydrated the form (before that, Start would do nothing useful).
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  // A category card asked for this scope: show the settings with it selected.
  useEffect(() => {
    if (!preset) return;
    setScope(preset.scope);
    setRunning(null);
    requestAnimationFrame(() => startRef.current?.focus({ preventScroll: true }));
  }, [preset]);

  function start(e?: FormEvent) {
    e?.preventDefault();
    setRunning((prev) => ({
      scope,
      count: scope === MIX ? mixSize : 'all',
      timed,
      seed: Math.floor(Math.random() * 2 ** 31),
      id: (prev?.id ?? 0) + 1,
    }));
  }

  // The seed fully determines the questions and their order.
  const questions = useMemo(() => (running ? pickQuestions(running.scope, running.count, seededRandom(running.seed)) : []), [running]);

  if (running) {
    const title = scopeTitle(running.scope);
    return (
      <QuizRunner
        key={running.id}
        questions={questions}
        seed={running.seed}
        categoryTitles={categoryTitles}
        timed={running.timed}
        label={`${title} quiz`}
        autoFocus
        onComplete={(summary) => recordQuizResult(running.scope, summary.correct, summary.total)}
        onRestart={() => start()}
        onExit={() => setRunning(null)}
      />
    );
  }

  const pool = scope === MIX ? choiceQuestions.length : (getCategory(scope)?.choiceQuestions.length ?? 0);

  return (
    <form className={styles.setup} onSubmit={start} aria-label="Quiz settings" data-ready={ready}>
      <div className={styles.field}>
        <label htmlFor={`${uid}-scope`}>Questions from</label>
        <select id={`${uid}-scope`} data-testid="quiz-scope" value={scope} onChange={(e) => setScope(e.target.value as QuizScope)}>
          <option value={MIX}>Random mix of all categories</option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title} ({c.choiceQuestions.length} questions)
            </option>
          ))}
        </select>
      </div>
      {scope === MIX ? (
        <div className={styles.field}>
          <label htmlFor={`${uid}-count`}>Number of questions</label>
          <select id={`${uid}-count`} data-testid="quiz-count" value={mixSize} onChange={(e) => setMixSize(Number(e.target.value))}>
            {MIX_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p className={styles.muted}>All {pool} quiz questions of this category, in random order.</p>
      )}
      <div className={styles.checkboxField}>
        <input id={`${uid}-timed`} type="checkbox" data-testid="quiz-timed" checked={timed} onChange={(e) => setTimed(e.target.checked)} />
        <label htmlFor={`${uid}-timed`}>Timed mode: {SECONDS_PER_QUESTION} seconds per question (unanswered questions count as missed)</label>
      </div>
      <div className={styles.actions}>
        <button ref={startRef} type="submit" className="button button--primary button--lg" data-testid="quiz-start">
          Start quiz{scope === MIX ? '' : `: ${scopeTitle(scope)}`}
        </button>
      </div>
    </form>
  );
}
