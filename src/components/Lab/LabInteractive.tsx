import { useEffect, useRef } from 'react';
import type { LabPageData } from '../../protocol/catalogue';
import { announceActive, onRunRequest } from './bus';
import LabView from './LabView';
import SessionPanel from './SessionPanel';
import type { TerminalHandle } from './Terminal';
import { useLabApi } from './useLabApi';
import { useLabSession } from './useLabSession';

export interface LabInteractiveProps {
  lab: LabPageData;
  /** Start a session as soon as this part is loaded: the learner pressed Start before it arrived. */
  startAtOnce: boolean;
}

/**
 * The running part of a lab: its session (API client, wire schemas, stored state) and the
 * terminal. Loaded by `Lab` only when needed, so pages that nobody starts a lab on never ship it.
 */
export default function LabInteractive({ lab, startAtOnce }: LabInteractiveProps) {
  const api = useLabApi();
  const session = useLabSession(lab.id, api);
  const terminal = useRef<TerminalHandle>(null);

  // Once, on arrival: a Start pressed while this part was loading is not lost.
  const startPending = useRef(startAtOnce);
  const { start } = session;
  useEffect(() => {
    if (!startPending.current) return;
    startPending.current = false;
    void start();
  }, [start]);

  // Command blocks elsewhere on the page type into this lab while it runs.
  const isRunning = session.state.phase.name === 'running';
  useEffect(() => {
    announceActive(isRunning);
    if (!isRunning) return;
    const stop = onRunRequest((command) => terminal.current?.type(command));
    return () => {
      stop();
      announceActive(false);
    };
  }, [isRunning]);

  const typeCommand = isRunning ? (text: string) => terminal.current?.type(text) : undefined;
  return (
    <LabView
      lab={lab}
      state={session.state}
      actions={{
        start: () => void session.start(),
        reset: () => void session.reset(),
        end: () => void session.end(),
        check: (stepId) => void session.check(stepId),
        revealSolution: () => void session.revealSolution(),
      }}
      panel={<SessionPanel session={session} api={api} terminal={terminal} />}
      typeCommand={typeCommand}
    />
  );
}
