/** Flash cards: a deck by category, the card, its back (answer or model answer) and the marks kept in the browser. Just over 300 lines: one component with its small parts. */
import { useEffect, useId, useRef, useState } from 'react';
import clsx from 'clsx';
import {
  categories,
  getCategory,
  getQuestion,
  isChoice,
  isScenario,
  questions as allQuestions,
  type CategoryId,
  type Question,
} from '@site/src/interview/bank';
import { shuffle } from '@site/src/interview/quiz';
import { markCard, useProgress, type CardMark, type Progress } from '@site/src/interview/progress';
import RichText, { Inline } from '@site/src/components/Quiz/RichText';
import QuestionDetails from '@site/src/components/Quiz/QuestionDetails';
import quizStyles from '@site/src/components/Quiz/styles.module.css';
import styles from './styles.module.css';

type DeckCategory = CategoryId | 'all';
type DeckFilter = 'all' | 'review' | 'unseen';

export interface FlashCardsPreset {
  category: DeckCategory;
  nonce: number;
}

const FILTERS: { value: DeckFilter; label: string }[] = [
  { value: 'all', label: 'All cards' },
  { value: 'review', label: 'Only cards marked "review again"' },
  { value: 'unseen', label: 'Only cards not yet marked' },
];

function buildDeck(category: DeckCategory, filter: DeckFilter, progress: Progress, shuffled: boolean): string[] {
  const pool = category === 'all' ? allQuestions : (getCategory(category)?.questions ?? []);
  const picked = pool.filter((q) => {
    const mark = progress.cards[q.id];
    if (filter === 'review') return mark === 'review';
    if (filter === 'unseen') return mark === undefined;
    return true;
  });
  const ids = picked.map((q) => q.id);
  return shuffled ? shuffle(ids) : ids;
}

function CorrectOptions({ question }: { question: Question }) {
  if (!isChoice(question)) return null;
  const right = question.options.filter((o) => o.correct);
  return (
    <div className={styles.correctOptions}>
      <strong>{right.length === 1 ? 'Right option:' : 'Right options:'}</strong>
      <ul>
        {right.map((o) => (
          <li key={o.text}>
            <Inline text={o.text} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A scenario's back: the model answer, then its key points as a checklist to grade yourself by. */
function ModelAnswer({ question }: { question: Question }) {
  if (!isScenario(question)) return null;
  return (
    <div className={styles.modelAnswer} data-testid="card-model-answer">
      <h4 className={styles.answerHeading}>Model answer</h4>
      <RichText text={question.modelAnswer} />
      {question.keyPoints && (
        <div className={styles.keyPoints}>
          <strong>Did your answer cover these?</strong>
          <ul>
            {question.keyPoints.map((point) => (
              <li key={point}>
                <Inline text={point} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/**
 * Flash cards: the question first, then reveal the answer, explanation, code and
 * "when to use", and mark the card "knew it" or "review again". Marks are kept
 * in this browser and can drive the next deck ("only cards to review"). Scenario cards ask you to
 * talk the situation through first; their back shows a model answer and the key points, and your
 * own "knew it" is the grade (quizzes only ask questions they can grade).
 */
export default function FlashCards({ preset }: { preset?: FlashCardsPreset }) {
  const uid = useId();
  const progress = useProgress();
  const [category, setCategory] = useState<DeckCategory>(preset?.category ?? 'all');
  const [filter, setFilter] = useState<DeckFilter>('all');
  const [shuffled, setShuffled] = useState(false);
  // Server render and first client render use bank order; shuffling only happens on request.
  const [deck, setDeck] = useState<string[]>(() => buildDeck(category, 'all', progress, false));
  const [position, setPosition] = useState(0);
  const [revealed, setRevealed] = useState(false);
  const [session, setSession] = useState<Record<string, CardMark>>({});
  const questionRef = useRef<HTMLDivElement>(null);
  const answerRef = useRef<HTMLHeadingElement>(null);
  const endRef = useRef<HTMLHeadingElement>(null);
  const focusNext = useRef<'question' | 'answer' | 'end' | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target === 'question') questionRef.current?.focus();
    if (target === 'answer') answerRef.current?.focus();
    if (target === 'end') endRef.current?.focus();
  });

  function rebuild(next: { category?: DeckCategory; filter?: DeckFilter; shuffled?: boolean }) {
    const c = next.category ?? category;
    const f = next.filter ?? filter;
    const s = next.shuffled ?? shuffled;
    setCategory(c);
    setFilter(f);
    setShuffled(s);
    setDeck(buildDeck(c, f, progress, s));
    setPosition(0);
    setRevealed(false);
    setSession({});
  }

  useEffect(() => {
    if (preset) rebuild({ category: preset.category, filter: 'all' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preset]);

  function go(to: number) {
    setPosition(to);
    setRevealed(false);
    focusNext.current = to >= deck.length ? 'end' : 'question';
  }

  function mark(id: string, value: CardMark) {
    markCard(id, value);
    setSession((s) => ({ ...s, [id]: value }));
    go(position + 1);
  }

  const known = Object.values(progress.cards).filter((m) => m === 'known').length;
  const toReview = Object.values(progress.cards).filter((m) => m === 'review').length;
  const current = deck[position] ? getQuestion(deck[position]!) : undefined;
  const sessionReview = deck.filter((id) => session[id] === 'review');
  const sessionKnown = deck.filter((id) => session[id] === 'known').length;

  return (
    <div className={styles.flashcards} data-ready={ready}>
      {/* biome-ignore lint/a11y/useSemanticElements: a row of controls, not a form's field set. */}
      <div className={styles.controls} role="group" aria-label="Deck settings">
        <div className={quizStyles.field}>
          <label htmlFor={`${uid}-cat`}>Deck</label>
          <select id={`${uid}-cat`} data-testid="card-category" value={category} onChange={(e) => rebuild({ category: e.target.value as DeckCategory })}>
            <option value="all">All categories ({allQuestions.length} cards)</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title} ({c.questions.length})
              </option>
            ))}
          </select>
        </div>
        <div className={quizStyles.field}>
          <label htmlFor={`${uid}-filter`}>Show</label>
          <select id={`${uid}-filter`} data-testid="card-filter" value={filter} onChange={(e) => rebuild({ filter: e.target.value as DeckFilter })}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.controlButtons}>
          <button type="button" className="button button--secondary" aria-pressed={shuffled} onClick={() => rebuild({ shuffled: !shuffled })}>
            {shuffled ? 'Shuffled' : 'Shuffle'}
          </button>
        </div>
      </div>
      <p className={quizStyles.muted} aria-live="polite">
        {known} known · {toReview} to review · {allQuestions.length - known - toReview} not yet marked (all categories)
      </p>

      {deck.length === 0 ? (
        <div className={styles.card}>
          <p>No cards match this choice.</p>
          <button type="button" className="button button--primary" onClick={() => rebuild({ filter: 'all' })}>
            Show all cards
          </button>
        </div>
      ) : !current ? (
        <div className={styles.card}>
          <h3 ref={endRef} tabIndex={-1} className={quizStyles.focusTarget}>
            End of the deck
          </h3>
          <p>
            This round: {sessionKnown} known, {sessionReview.length} to review
            {deck.length - sessionKnown - sessionReview.length > 0 && `, ${deck.length - sessionKnown - sessionReview.length} skipped`}.
          </p>
          <div className={quizStyles.actions}>
            {sessionReview.length > 0 && (
              <button
                type="button"
                className="button button--primary"
                onClick={() => {
                  setDeck(sessionReview);
                  setSession({});
                  go(0);
                }}
              >
                Go through the {sessionReview.length} to review again
              </button>
            )}
            <button type="button" className="button button--secondary" onClick={() => rebuild({})}>
              Start the deck over
            </button>
          </div>
        </div>
      ) : (
        <article className={styles.card} data-testid="flash-card" data-question-id={current.id} aria-labelledby={`${uid}-q`}>
          <div className={quizStyles.meta}>
            <span className={styles.counter}>
              Card {position + 1} of {deck.length}
            </span>
            <span className={clsx('badge badge--secondary', quizStyles.badge)}>{getCategory(current.category)?.title}</span>
            <span className={clsx('badge', quizStyles.badge, quizStyles[`difficulty-${current.difficulty}`])}>{current.difficulty}</span>
            {isScenario(current) && (
              <span className={clsx('badge badge--info', quizStyles.badge)} data-testid="card-scenario">
                scenario
              </span>
            )}
            {progress.cards[current.id] && (
              <span className={quizStyles.hint}>last time: {progress.cards[current.id] === 'known' ? 'knew it' : 'review again'}</span>
            )}
          </div>
          <div id={`${uid}-q`} ref={questionRef} tabIndex={-1} className={clsx(quizStyles.questionText, quizStyles.focusTarget)}>
            <RichText text={current.question} />
          </div>
          {isScenario(current) && !revealed && (
            <p className={quizStyles.muted}>Talk it through as you would in an interview, then compare with the model answer.</p>
          )}

          {!revealed ? (
            <div className={quizStyles.actions}>
              <button
                type="button"
                className="button button--primary"
                data-testid="card-reveal"
                aria-expanded={false}
                aria-controls={`${uid}-a`}
                onClick={() => {
                  setRevealed(true);
                  focusNext.current = 'answer';
                }}
              >
                Show answer
              </button>
              <button type="button" className="button button--link" onClick={() => go(position + 1)}>
                Skip
              </button>
            </div>
          ) : (
            <div id={`${uid}-a`} className={styles.answer}>
              <h4 ref={answerRef} tabIndex={-1} className={clsx(styles.answerHeading, quizStyles.focusTarget)}>
                Answer
              </h4>
              <p className={styles.answerText} data-testid="card-answer">
                <Inline text={current.answer} />
              </p>
              <CorrectOptions question={current} />
              <ModelAnswer question={current} />
              <QuestionDetails question={current} showAnswer={false} />
              {/* biome-ignore lint/a11y/useSemanticElements: a row of controls, not a form's field set. */}
              <div className={quizStyles.actions} role="group" aria-label="How did you do?">
                <button type="button" className="button button--success" data-testid="card-known" onClick={() => mark(current.id, 'known')}>
                  ✓ Knew it
                </button>
                <button type="button" className="button button--warning" data-testid="card-review-again" onClick={() => mark(current.id, 'review')}>
                  ↻ Review again
                </button>
              </div>
            </div>
          )}
          <nav className={styles.nav} aria-label="Cards">
            <button type="button" className="button button--sm button--outline button--secondary" disabled={position === 0} onClick={() => go(position - 1)}>
              ← Previous
            </button>
            <button type="button" className="button button--sm button--outline button--secondary" onClick={() => go(position + 1)}>
              Next →
            </button>
          </nav>
        </article>
      )}
    </div>
  );
}
