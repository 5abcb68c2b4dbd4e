import BrowserOnly from '@docusaurus/BrowserOnly';
import Link from '@docusaurus/Link';
import useBrokenLinks from '@docusaurus/useBrokenLinks';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import { useColorMode } from '@docusaurus/theme-common';
import clsx from 'clsx';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SessionView, StepResult } from '../../protocol/api';
import { LabApi, LabApiError, type FailureKind } from './api';
import CommandBlock from './CommandBlock';
import { announceActive, onRunRequest } from './bus';
import { explain, type Explanation } from './explain';
import KeyBar from './KeyBar';
import { markPassed, readProgress, storedSession, storeSession } from './storage';
import styles from './styles.module.css';
import type { TerminalEvent, TerminalHandle } from './Terminal';
import { useLabData } from './useLabData';

// xterm.js arrives only when a lab starts: pages without a started lab do not load it.
const LabTerminal = lazy(() => import('./Terminal'));

type Running = SessionView & { token: string };
type Phase =
  | { name: 'idle' }
  | { name: 'starting'; message: string }
  | { name: 'running'; session: Running }
  | { name: 'failed'; kind: FailureKind | 'expired' | 'lost'; message: string };
type StepState = { status: 'pending' | 'passed' | 'failed'; result?: StepResult; checking?: boolean };

const failureTitles: Record<FailureKind | 'expired' | 'lost', string> = {
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

function timeLeft(expiresAt: string, now: number): string {
  const seconds = Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export default function Lab({ id }: { id: string }) {
  const lab = useLabData(id);
  // The /labs page links to #lab-<id>: tell the link checker this anchor exists.
  useBrokenLinks().collectAnchor(`lab-${id}`);
  const api = useApi();
  const { colorMode } = useColorMode();
  const [phase, setPhase] = useState<Phase>({ name: 'idle' });
  const [steps, setSteps] = useState<Record<string, StepState>>({});
  const [connection, setConnection] = useState<string>('');
  const [explanations, setExplanations] = useState<Explanation[]>([]);
  const [screenReader, setScreenReader] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [touch, setTouch] = useState(false);
  const [solution, setSolution] = useState<Record<string, string[]>>();
  const [completedBefore, setCompletedBefore] = useState<Record<string, boolean>>({});
  const terminal = useRef<TerminalHandle>(null);
  const recentOutput = useRef('');

  // Resume a session this browser already has (a reload keeps the same shell).
  useEffect(() => {
    setTouch(window.matchMedia('(pointer: coarse)').matches);
    setCompletedBefore(readProgress()[id] ?? {});
    const stored = storedSession(id);
    if (!stored) return;
    setPhase({ name: 'starting', message: 'Reconnecting to your lab…' });
    api
      .getSession(stored.id, stored.token)
      .then((view) => setPhase({ name: 'running', session: { ...view, token: stored.token } }))
      .catch((error: LabApiError) => {
        storeSession(id, undefined);
        setPhase(error.kind === 'gone' ? { name: 'idle' } : { name: 'failed', kind: error.kind, message: error.message });
      });
  }, [api, id]);

  useEffect(() => {
    if (phase.name !== 'running') return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [phase.name]);

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

  const start = useCallback(async () => {
    setPhase({ name: 'starting', message: 'Starting your hosts…' });
    setSteps({});
    setExplanations([]);
    setSolution(undefined);
    try {
      const created = await api.createSession(id);
      storeSession(id, { id: created.id, token: created.token });
      setPhase({ name: 'running', session: created });
    } catch (error) {
      const failure = error instanceof LabApiError ? error : new LabApiError('other', String(error));
      setPhase({ name: 'failed', kind: failure.kind, message: failure.message });
    }
  }, [api, id]);

  const end = useCallback(async () => {
    if (phase.name === 'running') await api.endSession(phase.session.id, phase.session.token).catch(() => undefined);
    storeSession(id, undefined);
    setPhase({ name: 'idle' });
    setConnection('');
  }, [api, id, phase]);

  const reset = useCallback(async () => {
    if (phase.name === 'running') await api.endSession(phase.session.id, phase.session.token).catch(() => undefined);
    storeSession(id, undefined);
    await start();
  }, [api, id, phase, start]);

  const check = useCallback(
    async (stepId: string) => {
      if (phase.name !== 'running') return;
      setSteps((s) => ({ ...s, [stepId]: { ...(s[stepId] ?? { status: 'pending' }), checking: true } }));
      try {
        const { steps: results } = await api.check(phase.session.id, phase.session.token, stepId);
        const result = results[0]!;
        setSteps((s) => ({ ...s, [stepId]: { status: result.passed ? 'passed' : 'failed', result } }));
        if (result.passed) setCompletedBefore(markPassed(id, [stepId])[id] ?? {});
      } catch (error) {
        const message = (error as Error).message;
        setSteps((s) => ({ ...s, [stepId]: { status: 'failed', result: { id: stepId, passed: false, message } } }));
        if (error instanceof LabApiError && error.kind === 'gone') setPhase({ name: 'failed', kind: 'expired', message });
      }
    },
    [api, id, phase],
  );

  const onTerminalEvent = useCallback(
    (event: TerminalEvent) => {
      switch (event.kind) {
        case 'connected':
          setConnection(event.reattached ? 'Reconnected to your shell.' : '');
          break;
        case 'replaced':
          setConnection('This terminal is open in another tab or window.');
          break;
        case 'shell-exited':
          setConnection('The shell ended (exit).');
          break;
        case 'disconnected':
          setConnection(event.retrying ? 'Connection lost; reconnecting…' : 'Connection lost.');
          break;
        case 'session-over':
          storeSession(id, undefined);
          setPhase({ name: 'failed', kind: event.reason === 'environment-lost' ? 'lost' : 'expired', message: event.message });
          break;
      }
    },
    [id],
  );

  const onOutput = useCallback((text: string) => {
    // Only the recent tail is scanned: cheap, and an old error does not linger.
    recentOutput.current = (recentOutput.current + text).slice(-4096);
    const found = explain(text);
    if (found.length) setExplanations((current) => [...found, ...current.filter((c) => !found.some((f) => f.id === c.id))].slice(0, 3));
  }, []);

  const revealSolution = useCallback(async () => {
    if (phase.name !== 'running') return;
    const { steps: s } = await api.solution(phase.session.id, phase.session.token);
    setSolution(Object.fromEntries(s.map((step) => [step.id, step.commands])));
  }, [api, phase]);

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
            <button type="button" className="button button--primary" data-testid="lab-start" onClick={() => void start()}>
              {phase.name === 'failed' ? 'Start a fresh lab' : 'Start lab'}
            </button>
          )}
          {running && (
            <>
              <button type="button" className="button button--secondary button--sm" data-testid="lab-reset" onClick={() => void reset()}>
                Reset
              </button>
              <button type="button" className="button button--danger button--sm" data-testid="lab-end" onClick={() => void end()}>
                End
              </button>
            </>
          )}
        </div>
      </header>

      {phase.name === 'starting' && (
        <div className={styles.progress} role="status" data-testid="lab-progress">
          <span className={styles.spinner} aria-hidden /> {phase.message}
        </div>
      )}
      {phase.name === 'failed' && (
        <div className={clsx('alert', phase.kind === 'lost' || phase.kind === 'expired' ? 'alert--warning' : 'alert--danger')} role="alert" data-testid="lab-error" data-kind={phase.kind}>
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
            hosts {running.hosts.map((h) => <code key={h.name}>{h.name}</code>)}
          </span>
          <span data-testid="lab-time-left">time left {timeLeft(running.expiresAt, now)}</span>
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
            <span className={styles.connection} role="status">
              {connection}
            </span>
            {(connection.startsWith('This terminal is open') || connection.startsWith('The shell ended') || connection === 'Connection lost.') && (
              <button type="button" className="button button--sm button--primary" onClick={() => terminal.current?.reconnect()}>
                Reconnect here
              </button>
            )}
            <button type="button" className="button button--sm button--outline button--secondary" onClick={() => void terminal.current?.copySelection()} title="Ctrl+Shift+C">
              Copy
            </button>
            <button type="button" className="button button--sm button--outline button--secondary" onClick={() => void terminal.current?.paste()} title="Ctrl+Shift+V or right-click">
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
                  onEvent={onTerminalEvent}
                  onOutput={onOutput}
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
              <button type="button" className="button button--sm button--link" onClick={() => setExplanations([])}>
                Dismiss
              </button>
            </aside>
          )}
        </div>
      )}

      <ol className={styles.steps}>
        {lab.steps.map((step) => {
          const state = steps[step.id];
          const status = state?.status ?? (running ? 'pending' : completedBefore[step.id] ? 'passed' : 'pending');
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
                  onClick={() => void check(step.id)}
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
              {solution?.[step.id] && (
                <pre className={styles.solution} data-testid="lab-solution">
                  {solution[step.id]!.join('\n')}
                </pre>
              )}
            </li>
          );
        })}
      </ol>
      {running && !solution && (
        <button type="button" className="button button--sm button--link" onClick={() => void revealSolution()}>
          Stuck? Show the solution
        </button>
      )}
    </section>
  );
}
