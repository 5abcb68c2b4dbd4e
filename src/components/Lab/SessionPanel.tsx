import BrowserOnly from '@docusaurus/BrowserOnly';
import Link from '@docusaurus/Link';
import { useColorMode } from '@docusaurus/theme-common';
import clsx from 'clsx';
import { lazy, type RefObject, Suspense, useEffect, useState } from 'react';
import type { LabApi } from './api';
import KeyBar from './KeyBar';
import OwnTerminalPanel from './OwnTerminalPanel';
import { canReconnect, connectionNote, type FailedKind } from './session-state';
import styles from './styles.module.css';
import type { TerminalHandle } from './Terminal';
import TimeLeft from './TimeLeft';
import type { LabSession } from './useLabSession';

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

export interface SessionPanelProps {
  session: LabSession;
  api: LabApi;
  terminal: RefObject<TerminalHandle | null>;
}

/**
 * A lab session as both ways of playing a lab show it: starting, why it failed, the session's
 * user, password and hosts, and the terminal with its tools and error explanations.
 */
export default function SessionPanel({ session, api, terminal }: SessionPanelProps) {
  const { phase, connection, explanations, learnerStarted } = session.state;
  const { colorMode } = useColorMode();
  const [screenReader, setScreenReader] = useState(false);
  const [touch, setTouch] = useState(false);
  useEffect(() => setTouch(window.matchMedia('(pointer: coarse)').matches), []);
  const running = phase.name === 'running' ? phase.session : undefined;

  return (
    <>
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
          <OwnTerminalPanel api={api} sessionId={running.id} token={running.token} hosts={running.hosts} />
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
    </>
  );
}
