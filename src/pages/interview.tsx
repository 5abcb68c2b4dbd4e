import { useId, useRef, useState, type KeyboardEvent } from 'react';
import clsx from 'clsx';
import Layout from '@theme/Layout';
import Heading from '@theme/Heading';
import Link from '@docusaurus/Link';
import { categories, questions, choiceQuestions, type Category } from '@site/src/interview/bank';
import { MIX, percent, type QuizScope } from '@site/src/interview/quiz';
import { formatBest, resetProgress, useProgress, type Progress } from '@site/src/interview/progress';
import Quiz, { type QuizPreset } from '@site/src/components/Quiz';
import FlashCards, { type FlashCardsPreset } from '@site/src/components/FlashCards';
import styles from './interview/_interview.module.css';

type Tab = 'quiz' | 'cards';
const TABS: { id: Tab; label: string }[] = [
  { id: 'quiz', label: 'Quiz' },
  { id: 'cards', label: 'Flash cards' },
];

function CategoryCard({ category, progress, onQuiz, onCards }: { category: Category; progress: Progress; onQuiz: () => void; onCards: () => void }) {
  const best = progress.best[category.id];
  const known = category.questions.filter((q) => progress.cards[q.id] === 'known').length;
  const scenarios = category.questions.filter((q) => q.type === 'scenario').length;
  const open = category.questions.length - category.choiceQuestions.length - scenarios;
  const headingId = `category-${category.id}`;
  return (
    <article
      className={clsx('card', styles.category)}
      aria-labelledby={headingId}
      data-testid="interview-category"
      data-category={category.id}
      data-count={category.questions.length}
      data-best={best ? `${best.correct}/${best.total}` : ''}
    >
      <div className="card__header">
        <Heading as="h3" id={headingId} className={styles.categoryTitle}>
          {category.title}
        </Heading>
      </div>
      <div className="card__body">
        <p className={styles.categoryDescription}>{category.description}</p>
        <ul className={styles.facts}>
          <li>
            <strong className={styles.count}>{category.questions.length}</strong> questions
            <span className={styles.muted}>
              {' '}
              ({category.choiceQuestions.length} in quizzes{open > 0 ? `, ${open} flash-card only` : ''}
              {scenarios > 0 ? `, ${scenarios} scenarios to talk through` : ''})
            </span>
          </li>
          <li>
            Best quiz score: {best ? <strong data-testid="interview-best">{formatBest(best)}</strong> : <span className={styles.muted}>not taken yet</span>}
          </li>
          <li>
            Cards known: {known} / {category.questions.length}
            <span className={styles.meter} aria-hidden="true">
              <span style={{ width: `${percent(known, category.questions.length)}%` }} />
            </span>
          </li>
        </ul>
      </div>
      <div className={clsx('card__footer', styles.categoryActions)}>
        <button type="button" className="button button--primary button--sm" onClick={onQuiz} data-testid="category-quiz" aria-label={`Quiz: ${category.title}`}>
          Quiz
        </button>
        <button
          type="button"
          className="button button--secondary button--sm"
          onClick={onCards}
          data-testid="category-cards"
          aria-label={`Flash cards: ${category.title}`}
        >
          Flash cards
        </button>
      </div>
    </article>
  );
}

function ResetProgress() {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(false);
  if (confirming) {
    return (
      // biome-ignore lint/a11y/useSemanticElements: a question and two buttons, not a form's field set.
      <div className={styles.reset} role="group" aria-label="Confirm reset">
        <span>Clear best scores and card marks in this browser?</span>
        <button
          type="button"
          className="button button--danger button--sm"
          data-testid="progress-reset-confirm"
          // biome-ignore lint/a11y/noAutofocus: the confirmation replaces the button just pressed; focus must not fall back to the page.
          autoFocus
          onClick={() => {
            resetProgress();
            setConfirming(false);
            setDone(true);
          }}
        >
          Yes, reset
        </button>
        <button type="button" className="button button--secondary button--sm" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    );
  }
  return (
    <div className={styles.reset}>
      <span role="status" className={styles.muted}>
        {done ? 'Progress cleared.' : ''}
      </span>
      <button
        type="button"
        className="button button--outline button--secondary button--sm"
        data-testid="progress-reset"
        onClick={() => {
          setDone(false);
          setConfirming(true);
        }}
      >
        Reset progress
      </button>
    </div>
  );
}

export default function InterviewPage() {
  const progress = useProgress();
  const uid = useId();
  const [tab, setTab] = useState<Tab>('quiz');
  const [quizPreset, setQuizPreset] = useState<QuizPreset>();
  const [cardsPreset, setCardsPreset] = useState<FlashCardsPreset>();
  const practiceRef = useRef<HTMLElement>(null);
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ quiz: null, cards: null });

  const known = Object.values(progress.cards).filter((m) => m === 'known').length;
  const mixBest = progress.best[MIX];

  function openPractice(next: Tab) {
    setTab(next);
    practiceRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function onTabKey(e: KeyboardEvent<HTMLButtonElement>) {
    const i = TABS.findIndex((t) => t.id === tab);
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = TABS.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    const id = TABS[next]!.id;
    setTab(id);
    tabRefs.current[id]?.focus();
  }

  return (
    <Layout
      title="Interview prep"
      description="SSH and SCP interview questions with flash cards and quizzes: basics, keys, scp/sftp/rsync, config and forwarding, troubleshooting, internals and security."
    >
      <header className={clsx('hero', styles.hero)}>
        <div className="container">
          <Heading as="h1" className={styles.heroTitle}>
            SSH interview prep
          </Heading>
          <p className={styles.heroLead}>
            {questions.length} questions that come up in interviews for developers, administrators and DevOps engineers — with short answers, fuller
            explanations, examples and when you would use them. Written for OpenSSH 9.x (Debian 12 ships 9.2); version-specific facts say so.
          </p>
          <ul className={styles.stats} aria-label="Your progress">
            <li>
              <strong>{categories.length}</strong> categories
            </li>
            <li>
              <strong>{choiceQuestions.length}</strong> quiz questions
            </li>
            <li>
              <strong>{progress.quizzesTaken}</strong> quizzes taken
            </li>
            <li>
              <strong>{known}</strong> cards known
            </li>
            {mixBest && (
              <li>
                Random mix best: <strong>{formatBest(mixBest)}</strong>
              </li>
            )}
          </ul>
          <p className={styles.privacy}>Progress is saved in this browser only (localStorage) — no account needed.</p>
        </div>
      </header>

      <main className="container margin-vert--lg">
        <section aria-labelledby={`${uid}-categories`}>
          <div className={styles.sectionHeader}>
            <Heading as="h2" id={`${uid}-categories`}>
              Categories
            </Heading>
            <ResetProgress />
          </div>
          <div className={styles.grid}>
            {categories.map((c) => (
              <CategoryCard
                key={c.id}
                category={c}
                progress={progress}
                onQuiz={() => {
                  setQuizPreset((p) => ({ scope: c.id as QuizScope, nonce: (p?.nonce ?? 0) + 1 }));
                  openPractice('quiz');
                }}
                onCards={() => {
                  setCardsPreset((p) => ({ category: c.id, nonce: (p?.nonce ?? 0) + 1 }));
                  openPractice('cards');
                }}
              />
            ))}
          </div>
        </section>

        <section ref={practiceRef} aria-labelledby={`${uid}-practice`} className={styles.practice} id="practice">
          <Heading as="h2" id={`${uid}-practice`}>
            Practise
          </Heading>
          <div role="tablist" aria-label="Practice mode" className={styles.tabs}>
            {TABS.map((t) => (
              <button
                key={t.id}
                ref={(el) => {
                  tabRefs.current[t.id] = el;
                }}
                type="button"
                role="tab"
                id={`${uid}-tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`${uid}-panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                className={clsx(styles.tab, tab === t.id && styles.tabActive)}
                data-testid={`tab-${t.id}`}
                onClick={() => setTab(t.id)}
                onKeyDown={onTabKey}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`${uid}-panel-quiz`} aria-labelledby={`${uid}-tab-quiz`} hidden={tab !== 'quiz'} className={styles.panel}>
            <p className={styles.panelIntro}>
              Answer single- and multiple-choice questions with instant feedback. At the end you get your score per category and can replay exactly the
              questions you missed.
            </p>
            <Quiz preset={quizPreset} />
          </div>
          <div role="tabpanel" id={`${uid}-panel-cards`} aria-labelledby={`${uid}-tab-cards`} hidden={tab !== 'cards'} className={styles.panel}>
            <p className={styles.panelIntro}>
              Read the question, answer it in your head (or out loud, as in an interview), then reveal the answer and mark whether you knew it.
            </p>
            <FlashCards preset={cardsPreset} />
          </div>
        </section>

        <section className={styles.more}>
          <p>
            New to a topic? Start with the <Link to="/docs/why-ssh">tutorial</Link> or practise on real hosts in the <Link to="/labs">labs</Link>.
          </p>
        </section>
      </main>
    </Layout>
  );
}
