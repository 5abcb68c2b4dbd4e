import BrowserOnly from '@docusaurus/BrowserOnly';
import Link from '@docusaurus/Link';
import useBrokenLinks from '@docusaurus/useBrokenLinks';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import { useColorMode } from '@docusaurus/theme-common';
import clsx from 'clsx';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { LabApi } from './api';
import CommandBlock from './CommandBlock';
import { announceActive, onRunRequest } from './bus';
import KeyBar from './KeyBar';
import { canReconnect, connectionNote, stepStatus, type FailedKind } from './session-state';
import styles from './styles.module.css';
import type { TerminalHandle } from './Terminal';
import TimeLeft from './TimeLeft';
import { useLabData } from './useLabData';
import { useLabSession } from './useLabSession';

// xterm.js arrives only when a lab starts: pages without a started lab do not load it.
const LabTerminal = lazy(() => import('./Terminal'));

const failureTitles: Record<FailedKind, string> = {
  unreachable: 'The lab service cannot be reached',
  unavailable: 'Lab environments are unavailable right now',
  capacity: 'All lab machines are busy',
  gone: 'This lab session has ended',
  expired: 'This lab session has expired',
  lost: 'The lab environment stopped',
  other: 'The lab could not start',
};

function useApi(): LabApi {
  const { siteConfig } = useDocusaurusContext();
  const base = String(siteConfig.customFields?.apiBase ?? '');
  return useMemo(() => new LabApi(base), [base]);
}

export default function Lab({ id }: { id: string }) {
  const lab = useLabData(id);
  // The /labs page links to #lab-<id>: tell the link checker this anchor exists.
  useBrokenLinks().collectAnchor(`lab-${id}`);
  const api = useApi();
  const { colorMode } = useColorMode();
  const session = useLabSession(id, api);
  const { phase, steps, connection, explanations, solution, completedBefore, learnerStarted } = session.state;
  const [screenReader, setScreenReader] = useState(false);
  const [touch, setTouch] = useState(false);
  const terminal = useRef<TerminalHandle>(null);

  useEffect(() => setTouch(window.matchMedia('(pointer: coarse)').matches), []);

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

      {phase.name === 'starting' && (
        <div className={styles.progress} role="status" data-testid="lab-progress">
          <span className={styles.spinner} aria-hidden /> {phase.resuming ? 'Reconnecting to your lab…' : 'Starting your hosts…'}
        </div>
      )}
      {phase.name === 'failed' && (
        <div
          className={clsx('alert', phase.kind === 'lost' || phase.kind === 'expired' ? 'alert--warning' : 'alert--danger')}
          role="alert"
          data-testid="lab-error"
          data-kind={phase.kind}
        >
          <strong>{failureTitles[phase.kind]}.</strong> {phase.message}
        </div>
      )}

      {running && (
        <div className={styles.sessionBar} data-testid="lab-session">
          <span>
            user <code>{running.user}</code>
          </span>
          <span>
            password <code data-testid="lab-password">{running.password}</code>
          </span>
          <span>
            hosts{' '}
            {running.hosts.map((h) => (
              <code key={h.name}>{h.name}</code>
            ))}
          </span>
          <TimeLeft expiresAt={running.expiresAt} />
          {Object.entries(running.facts)
            .filter(([key]) => key.endsWith('.fingerprint') && !key.startsWith('workstation'))
            .map(([key, value]) => (
              <span key={key} className={styles.fact}>
                {key.replace('.fingerprint', '')} host key <code>{value}</code>
              </span>
            ))}
        </div>
      )}

      {running && (
        <div className={styles.terminalArea}>
          <div className={styles.terminalTools}>
            <span className={styles.connection} role="status" data-testid="lab-connection" data-state={connection.state}>
              {connectionNote(connection)}
            </span>
            {canReconnect(connection) && (
              <button type="button" className="button button--sm button--primary" data-testid="lab-reconnect" onClick={() => terminal.current?.reconnect()}>
                Reconnect here
              </button>
            )}
            <button
              type="button"
              className="button button--sm button--outline button--secondary"
              onClick={() => void terminal.current?.copySelection()}
              title="Ctrl+Shift+C"
            >
              Copy
            </button>
            <button
              type="button"
              className="button button--sm button--outline button--secondary"
              onClick={() => void terminal.current?.paste()}
              title="Ctrl+Shift+V"
            >
              Paste
            </button>
            <label className={styles.toggle}>
              <input type="checkbox" checked={screenReader} onChange={(e) => setScreenReader(e.target.checked)} /> Screen-reader mode
            </label>
          </div>
          <BrowserOnly fallback={<div className={styles.terminal} />}>
            {() => (
              <Suspense fallback={<div className={styles.terminal}>Loading terminal…</div>}>
                <LabTerminal
                  ref={terminal}
                  api={api}
                  sessionId={running.id}
                  token={running.token}
                  dark={colorMode === 'dark'}
                  screenReader={screenReader}
                  takeFocus={learnerStarted}
                  onEvent={session.onTerminalEvent}
                  onOutput={session.onOutput}
                />
              </Suspense>
            )}
          </BrowserOnly>
          {touch && <KeyBar onKey={(sequence) => terminal.current?.type(sequence)} />}
          {explanations.length > 0 && (
            <aside className={styles.explanations} aria-live="polite" data-testid="lab-explanation">
              {explanations.map((e) => (
                <div key={e.id} className={styles.explanation}>
                  <strong>{e.title}</strong> — {e.meaning}
                  <ul>
                    {e.fixes.map((fix) => (
                      <li key={fix}>{fix}</li>
                    ))}
                  </ul>
                  <Link to={`/docs/troubleshooting#${e.anchor}`}>More in Troubleshooting</Link>
                </div>
              ))}
              <button type="button" className="button button--sm button--link" onClick={session.dismissExplanations}>
                Dismiss
              </button>
            </aside>
          )}
        </div>
      )}

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
