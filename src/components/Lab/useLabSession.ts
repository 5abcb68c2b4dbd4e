import { useCallback, useEffect, useReducer, useRef } from 'react';
import { LabApiError, type LabApi } from './api';
import { OutputExplainer } from './explain';
import { initialLabSession, labSessionReducer, type LabSessionState, type TerminalEvent } from './session-state';
import { type LabMode, markPassed, readProgress, storedSession, storeSession } from './storage';

export interface LabSession {
  state: LabSessionState;
  start(): Promise<void>;
  end(): Promise<void>;
  reset(): Promise<void>;
  check(stepId: string): Promise<void>;
  /** Checks these steps in one request (the challenge's Check). */
  checkAll(stepIds: string[]): Promise<void>;
  revealSolution(): Promise<void>;
  dismissExplanations(): void;
  onTerminalEvent(event: TerminalEvent): void;
  onOutput(text: string): void;
}

const asApiError = (error: unknown) => (error instanceof LabApiError ? error : new LabApiError('other', String(error)));

/**
 * One lab's session in this page: the reducer's state plus the effects around it (the API, what
 * this browser stores). A session this browser already has is resumed at page load; the guided
 * lab and its challenge (`mode`) each keep their own.
 */
export function useLabSession(labId: string, api: LabApi, mode: LabMode = 'guided'): LabSession {
  const [state, dispatch] = useReducer(labSessionReducer, initialLabSession);
  const explainer = useRef(new OutputExplainer());
  const running = state.phase.name === 'running' ? state.phase.session : undefined;

  useEffect(() => {
    dispatch({ type: 'progress-loaded', completed: readProgress()[labId] ?? {} });
    const stored = storedSession(labId, mode);
    if (!stored) return;
    let current = true;
    dispatch({ type: 'start', resuming: true });
    api
      .getSession(stored.id, stored.token)
      .then((view) => current && dispatch({ type: 'started', session: { ...view, token: stored.token } }))
      .catch((error: unknown) => {
        if (!current) return;
        const failure = asApiError(error);
        storeSession(labId, undefined, mode);
        if (failure.kind === 'gone') dispatch({ type: 'ended' });
        else dispatch({ type: 'start-failed', kind: failure.kind, message: failure.message });
      });
    return () => {
      current = false;
    };
  }, [api, labId, mode]);

  // A session that is over is forgotten, whatever ended it.
  const over = state.phase.name === 'failed' && (state.phase.kind === 'expired' || state.phase.kind === 'lost');
  useEffect(() => {
    if (over) storeSession(labId, undefined, mode);
  }, [over, labId, mode]);

  const start = useCallback(async () => {
    dispatch({ type: 'start', resuming: false });
    explainer.current.reset();
    try {
      const created = await api.createSession(labId);
      storeSession(labId, { id: created.id, token: created.token }, mode);
      dispatch({ type: 'started', session: created });
    } catch (error) {
      const failure = asApiError(error);
      dispatch({ type: 'start-failed', kind: failure.kind, message: failure.message });
    }
  }, [api, labId, mode]);

  const endRunning = useCallback(async () => {
    if (running) await api.endSession(running.id, running.token).catch(() => undefined);
    storeSession(labId, undefined, mode);
  }, [api, labId, mode, running]);

  const end = useCallback(async () => {
    await endRunning();
    dispatch({ type: 'ended' });
  }, [endRunning]);

  const reset = useCallback(async () => {
    await endRunning();
    await start();
  }, [endRunning, start]);

  const check = useCallback(
    async (stepId: string) => {
      if (!running) return;
      dispatch({ type: 'check-begun', stepId });
      try {
        const { steps } = await api.check(running.id, running.token, stepId);
        const result = steps.find((s) => s.id === stepId) ?? steps[0];
        if (!result) throw new LabApiError('other', 'The check returned no result.');
        if (result.passed) markPassed(labId, [result.id]);
        dispatch({ type: 'checked', result });
      } catch (error) {
        const failure = asApiError(error);
        dispatch({ type: 'check-failed', stepId, message: failure.message, sessionGone: failure.kind === 'gone' });
      }
    },
    [api, labId, running],
  );

  const checkAll = useCallback(
    async (stepIds: string[]) => {
      if (!running) return;
      dispatch({ type: 'check-all-begun', stepIds });
      try {
        const { steps } = await api.check(running.id, running.token);
        const passed = steps.filter((s) => s.passed).map((s) => s.id);
        if (passed.length) markPassed(labId, passed);
        dispatch({ type: 'checked-all', results: steps });
      } catch (error) {
        const failure = asApiError(error);
        dispatch({ type: 'check-all-failed', stepIds, message: failure.message, sessionGone: failure.kind === 'gone' });
      }
    },
    [api, labId, running],
  );

  const revealSolution = useCallback(async () => {
    if (!running) return;
    const { steps } = await api.solution(running.id, running.token);
    dispatch({ type: 'solution', steps });
  }, [api, running]);

  const dismissExplanations = useCallback(() => dispatch({ type: 'explanations-dismissed' }), []);
  const onTerminalEvent = useCallback((event: TerminalEvent) => dispatch({ type: 'terminal', event }), []);
  const onOutput = useCallback((text: string) => dispatch({ type: 'explained', found: explainer.current.feed(text) }), []);

  return { state, start, end, reset, check, checkAll, revealSolution, dismissExplanations, onTerminalEvent, onOutput };
}
