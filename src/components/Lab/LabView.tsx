import useBrokenLinks from '@docusaurus/useBrokenLinks';
import clsx from 'clsx';
import type { ReactNode } from 'react';
import type { LabPageData } from '../../protocol/catalogue';
import CommandBlock from './CommandBlock';
import { initialLabSession, type LabSessionState, stepStatus } from './session-state';
import styles from './styles.module.css';

/** What the lab's buttons do; absent while the interactive part is not loaded (only Start works then). */
export interface LabActions {
  start(): void;
  reset?(): void;
  end?(): void;
  check?(stepId: string): void;
  revealSolution?(): void;
}

export interface LabViewProps {
  lab: LabPageData;
  state?: LabSessionState;
  actions: LabActions;
  /** The session's panel (progress, failure, terminal); the interactive part fills it. */
  panel?: ReactNode;
  typeCommand?: (text: string) => void;
}

/**
 * A lab as the page shows it: header, Start/Reset/End and the steps with their instructions.
 * Rendered alone (idle) in the server HTML and before the interactive part loads, and by that
 * part once it runs, so the markup is the same and nothing shifts when it arrives.
 */
export default function LabView({ lab, state = initialLabSession, actions, panel, typeCommand }: LabViewProps) {
  // The /labs page links to #lab-<id>: tell the link checker this anchor exists.
  useBrokenLinks().collectAnchor(`lab-${lab.id}`);
  const { phase, steps, solution, completedBefore } = state;
  const running = phase.name === 'running' ? phase.session : undefined;

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
            <button type="button" className="button button--primary" data-testid="lab-start" onClick={() => actions.start()}>
              {phase.name === 'failed' ? 'Start a fresh lab' : 'Start lab'}
            </button>
          )}
          {running && (
            <>
              <button type="button" className="button button--secondary button--sm" data-testid="lab-reset" onClick={() => actions.reset?.()}>
                Reset
              </button>
              <button type="button" className="button button--danger button--sm" data-testid="lab-end" onClick={() => actions.end?.()}>
                End
              </button>
            </>
          )}
        </div>
      </header>

      {panel}

      <ol className={styles.steps}>
        {lab.steps.map((step) => {
          const stepState = steps[step.id];
          const status = stepStatus(state, step.id);
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
                  disabled={!running || stepState?.checking}
                  onClick={() => actions.check?.(step.id)}
                >
                  {stepState?.checking ? 'Checking…' : 'Check'}
                </button>
                {!running && <span className={styles.muted}>Start the lab to check your work.</span>}
              </div>
              {stepState?.result && (
                <div
                  className={clsx(styles.message, stepState.result.passed ? styles.messagePass : styles.messageFail)}
                  data-testid="lab-message"
                  role="status"
                >
                  {stepState.result.message}
                  {!stepState.result.passed && stepState.result.hint && <div className={styles.hint}>Hint: {stepState.result.hint}</div>}
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
        <button type="button" className="button button--sm button--link" onClick={() => actions.revealSolution?.()}>
          Stuck? Show the solution
        </button>
      )}
    </section>
  );
}
