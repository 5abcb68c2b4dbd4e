import Link from '@docusaurus/Link';
import clsx from 'clsx';
import { useEffect, useMemo, useRef } from 'react';
import labStyles from '../Lab/styles.module.css';
import SessionPanel from '../Lab/SessionPanel';
import type { TerminalHandle } from '../Lab/Terminal';
import { useLabApi } from '../Lab/useLabApi';
import type { LabPageData } from '../../protocol/catalogue';
import { useLabSession } from '../Lab/useLabSession';
import { beginAttempt, challengeHints, countGoals, finishAttempt, formatDuration, hintsText, takeHint } from './challenge';
import Stopwatch from './Stopwatch';
import { challengeAttempts, saveResult, useChallengeAttempts, useChallengeResults, writeAttempt } from './storage';
import styles from './styles.module.css';

/**
 * A lab played as a challenge: the goal and the hosts, not the steps. The same session, terminal
 * and checks as the guided lab; hints one at a time on request; the clock runs from the moment the
 * environment is ready, and the best result is kept in this browser.
 */
export default function Challenge({ lab }: { lab: LabPageData }) {
  const { id } = lab;
  const api = useLabApi();
  const session = useLabSession(id, api, 'challenge');
  const terminal = useRef<TerminalHandle>(null);
  const attempt = useChallengeAttempts()[id];
  const best = useChallengeResults()[id];
  const { phase, steps, checkAllError } = session.state;
  const running = phase.name === 'running' ? phase.session : undefined;
  const hints = useMemo(() => challengeHints(lab), [lab]);
  const goals = useMemo(() => countGoals(lab, steps), [lab, steps]);

  // The clock starts when this attempt's environment is first ready; a resumed session keeps its attempt.
  const runningId = running?.id;
  useEffect(() => {
    if (runningId && !challengeAttempts.read()[id]) writeAttempt(id, beginAttempt(Date.now()));
  }, [runningId, id]);

  // The first check that finds every required goal met solves the attempt; its result is kept if it is the best.
  const solved = Boolean(runningId && goals.solved);
  useEffect(() => {
    const current = challengeAttempts.read()[id];
    if (!solved || !current || current.finished) return;
    const finished = finishAttempt(current, Date.now());
    writeAttempt(id, finished);
    if (finished.finished) saveResult(id, finished.finished);
  }, [solved, id]);

  const checking = lab.steps.some((step) => steps[step.id]?.checking);
  const checked = lab.steps.some((step) => steps[step.id]?.result);
  const hintsUsed = running && attempt ? attempt.hintsUsed : 0;
  const canHint = Boolean(running && attempt && !attempt.finished && attempt.hintsUsed < hints.length);

  const start = () => {
    writeAttempt(id, undefined);
    void session.start();
  };
  const reset = () => {
    // A new environment continues the attempt (same clock, same hints) unless it was solved: then it is a new round.
    if (attempt?.finished) writeAttempt(id, undefined);
    void session.reset();
  };
  const end = () => {
    writeAttempt(id, undefined);
    void session.end();
  };

  return (
    <section className={labStyles.lab} aria-label={`Challenge: ${lab.title}`} data-lab-id={lab.id} data-lab-running={running ? 'true' : 'false'}>
      <header className={labStyles.header}>
        <div>
          <span className={labStyles.badge}>Challenge · {lab.difficulty}</span>
          <h1 className={styles.title}>{lab.title}</h1>
          <p className={styles.goal} data-testid="challenge-goal">
            {lab.summary}
          </p>
          <ul className={styles.hosts} aria-label="Hosts">
            {lab.hosts.map((host) => (
              <li key={host.name}>
                <code>{host.name}</code> ({host.role}){host.description ? ` — ${host.description}` : ''}
              </li>
            ))}
          </ul>
          <p className={labStyles.meta}>
            About {lab.minutes} min as a guided lab. No steps here: the checker says what is still wrong. Prefer step by step? The guided lab is in{' '}
            <Link to={`${lab.chapter}#lab-${lab.id}`}>{lab.chapter.replace('/docs/', '')}</Link>.
          </p>
        </div>
        <div className={labStyles.controls}>
          {running && attempt && <Stopwatch attempt={attempt} />}
          {(phase.name === 'idle' || phase.name === 'failed') && (
            <button type="button" className="button button--primary" data-testid="challenge-start" onClick={start}>
              {phase.name === 'failed' ? 'Start afresh' : 'Start'}
            </button>
          )}
          {running && (
            <>
              <button type="button" className="button button--secondary button--sm" data-testid="challenge-reset" onClick={reset}>
                Reset
              </button>
              <button type="button" className="button button--danger button--sm" data-testid="challenge-end" onClick={end}>
                End
              </button>
            </>
          )}
        </div>
      </header>

      <SessionPanel session={session} api={api} terminal={terminal} />

      <div className={styles.panel}>
        <div className={labStyles.checkRow}>
          <button
            type="button"
            className="button button--sm button--primary"
            data-testid="challenge-check"
            disabled={!running || checking}
            onClick={() => void session.checkAll(lab.steps.map((step) => step.id))}
          >
            {checking ? 'Checking…' : 'Check'}
          </button>
          <span
            data-testid="challenge-goals"
            data-checked={checked ? 'true' : 'false'}
            data-met={goals.requiredMet}
            data-required={goals.required}
            data-solved={goals.solved ? 'true' : 'false'}
            role="status"
          >
            {checked
              ? `${goals.requiredMet} of ${goals.required} goals met${goals.optional ? ` · ${goals.optionalMet} of ${goals.optional} optional` : ''}`
              : `${goals.required} goal${goals.required === 1 ? '' : 's'}${goals.optional ? ` and ${goals.optional} optional` : ''}: press Check to see where you stand.`}
          </span>
          {!running && <span className={labStyles.muted}>Start the challenge to check your work.</span>}
        </div>
        {checkAllError && (
          <div className={clsx(labStyles.message, labStyles.messageFail)} role="alert">
            {checkAllError}
          </div>
        )}
        {goals.failures.length > 0 && (
          <ul className={styles.failures} aria-label="Still wrong">
            {goals.failures.map((failure) => (
              <li
                key={failure.stepId}
                className={clsx(labStyles.message, labStyles.messageFail)}
                data-testid="challenge-failure"
                data-optional={failure.optional}
              >
                {failure.optional && <strong>Optional: </strong>}
                {failure.message}
              </li>
            ))}
          </ul>
        )}

        <div className={styles.hintRow}>
          <button
            type="button"
            className="button button--sm button--outline button--secondary"
            data-testid="challenge-hint"
            disabled={!canHint}
            onClick={() => attempt && writeAttempt(id, takeHint(attempt, hints.length))}
          >
            {hints.length === 0 ? 'No hints for this one' : hintsUsed >= hints.length ? 'No more hints' : 'Show a hint'}
          </button>
          <span className={labStyles.muted} data-testid="challenge-hints-used" data-count={hintsUsed}>
            {hintsUsed} of {hints.length} hints used
          </span>
        </div>
        {hintsUsed > 0 && (
          <ol className={styles.hints}>
            {hints.slice(0, hintsUsed).map((hint) => (
              <li key={hint} data-testid="challenge-hint-text">
                {hint}
              </li>
            ))}
          </ol>
        )}

        {(attempt?.finished || best) && (
          <div className={styles.result} data-testid="challenge-result" data-solved-now={running && attempt?.finished ? 'true' : 'false'} role="status">
            {running && attempt?.finished && (
              <p>
                <strong>Solved</strong> in {formatDuration(attempt.finished.timeMs)} with {hintsText(attempt.finished.hintsUsed)}.
              </p>
            )}
            {best && (
              <p>
                Your best: {formatDuration(best.timeMs)} with {hintsText(best.hintsUsed)} ({new Date(best.completedAt).toLocaleDateString()}).{' '}
                <Link to="/challenges">All challenges</Link>
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
