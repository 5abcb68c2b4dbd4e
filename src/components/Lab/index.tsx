import useBrokenLinks from '@docusaurus/useBrokenLinks';
import clsx from 'clsx';
import { useEffect, useRef } from 'react';
import CommandBlock from './CommandBlock';
import { announceActive, onRunRequest } from './bus';
import SessionPanel from './SessionPanel';
import { stepStatus } from './session-state';
import styles from './styles.module.css';
import type { TerminalHandle } from './Terminal';
import { useLabApi } from './useLabApi';
import { useLabData } from './useLabData';
import { useLabSession } from './useLabSession';

export default function Lab({ id }: { id: string }) {
  const lab = useLabData(id);
  // The /labs page links to #lab-<id>: tell the link checker this anchor exists.
  useBrokenLinks().collectAnchor(`lab-${id}`);
  const api = useLabApi();
  const session = useLabSession(id, api);
  const { phase, steps, solution, completedBefore } = session.state;
  const terminal = useRef<TerminalHandle>(null);

  // Command blocks elsewhere on the page type into this lab while it runs.
  const isRunning = phase.name === 'running';
  useEffect(() => {
    announceActive(isRunning);
    if (!isRunning) return;
    const stop = onRunRequest((command) => terminal.current?.type(command));
    return () => {
      stop();
      announceActive(false);
    };
  }, [isRunning]);

  if (!lab) {
    return <div className="alert alert--danger">No lab named “{id}”. Check the id in this page.</div>;
  }
  const running = phase.name === 'running' ? phase.session : undefined;
  const typeCommand = running ? (text: string) => terminal.current?.type(text) : undefined;

  return (
    <section id={`lab-${lab.id}`} className={styles.lab} aria-label={`Lab: ${lab.title}`} data-lab-id={lab.id} data-lab-running={running ? 'true' : 'false'}>
      <header className={styles.header}>
        <div>
          <span className={styles.badge}>Hands-on lab</span>
          <h3 className={styles.title}>{lab.title}</h3>
          <p className={styles.summary}>{lab.summary}</p>
          <p className={styles.meta}>
            {lab.difficulty} · about {lab.minutes} min · hosts: {lab.hosts.map((h) => h.name).join(', ')}
          </p>
        </div>
        <div className={styles.controls}>
          {(phase.name === 'idle' || phase.name === 'failed') && (
            <button type="button" className="button button--primary" data-testid="lab-start" onClick={() => void session.start()}>
              {phase.name === 'failed' ? 'Start a fresh lab' : 'Start lab'}
            </button>
          )}
          {running && (
            <>
              <button type="button" className="button button--secondary button--sm" data-testid="lab-reset" onClick={() => void session.reset()}>
                Reset
              </button>
              <button type="button" className="button button--danger button--sm" data-testid="lab-end" onClick={() => void session.end()}>
                End
              </button>
            </>
          )}
        </div>
      </header>

      <SessionPanel session={session} api={api} terminal={terminal} />

      <ol className={styles.steps}>
        {lab.steps.map((step) => {
          const state = steps[step.id];
          const status = stepStatus(session.state, step.id);
          const stepSolution = solution?.[step.id];
          return (
            <li key={step.id} className={clsx(styles.step, styles[status])} data-testid={`lab-step-${step.id}`} data-status={status}>
              <div className={styles.stepHead}>
                <span className={styles.stepMark} aria-hidden>
                  {status === 'passed' ? '✓' : status === 'failed' ? '✗' : '○'}
                </span>
                <strong>{step.title}</strong>
                {step.optional && <span className={styles.optional}>optional</span>}
                {completedBefore[step.id] && <span className={styles.done}>completed before</span>}
              </div>
              {step.parts.map((part, index) =>
                part.kind === 'html' ? (
                  <div key={index} className={styles.prose} dangerouslySetInnerHTML={{ __html: part.html }} />
                ) : (
                  <CommandBlock key={index} code={part.code} language={part.language} onRun={typeCommand} />
                ),
              )}
              <div className={styles.checkRow}>
                <button
                  type="button"
                  className="button button--sm button--primary"
                  data-testid="lab-check"
                  disabled={!running || state?.checking}
                  onClick={() => void session.check(step.id)}
                >
                  {state?.checking ? 'Checking…' : 'Check'}
                </button>
                {!running && <span className={styles.muted}>Start the lab to check your work.</span>}
              </div>
              {state?.result && (
                <div className={clsx(styles.message, state.result.passed ? styles.messagePass : styles.messageFail)} data-testid="lab-message" role="status">
                  {state.result.message}
                  {!state.result.passed && state.result.hint && <div className={styles.hint}>Hint: {state.result.hint}</div>}
                </div>
              )}
              {stepSolution && (
                <pre className={styles.solution} data-testid="lab-solution">
                  {stepSolution.join('\n')}
                </pre>
              )}
            </li>
          );
        })}
      </ol>
      {running && !solution && (
        <button type="button" className="button button--sm button--link" onClick={() => void session.revealSolution()}>
          Stuck? Show the solution
        </button>
      )}
    </section>
  );
}
