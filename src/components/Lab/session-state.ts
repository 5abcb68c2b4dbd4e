import type { SessionView, StepResult } from '../../protocol/api';
import type { ServerMessage } from '../../protocol/terminal';
import type { FailureKind } from './api';
import type { Explanation } from './explain';
import type { SocketEvent } from './reconnecting-socket';

/**
 * Everything the lab widget shows, as one pure reducer: the session's phase, each step's check,
 * the terminal connection and the error explanations. Decisions are made on kinds and codes from
 * the protocol, never on message text; the text shown is looked up from the state at the end.
 */

export type RunningSession = SessionView & { token: string };
export type FailedKind = FailureKind | 'expired' | 'lost';

export type Phase =
  | { name: 'idle' }
  /** `resuming`: a session this browser already had, picked up again at page load. */
  | { name: 'starting'; resuming: boolean }
  | { name: 'running'; session: RunningSession }
  | { name: 'failed'; kind: FailedKind; message: string };

export interface StepState {
  status: 'pending' | 'passed' | 'failed';
  result?: StepResult;
  checking?: boolean;
}

export type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; reattached: boolean }
  | { state: 'retrying' }
  /** The server moved the terminal (a backend stopping in a rolling restart): the shell lives on, the socket comes back. Not an error. */
  | { state: 'reconnecting' }
  /** Gave up retrying. */
  | { state: 'lost' }
  | { state: 'replaced' }
  | { state: 'shell-exited' };

/** What the terminal reports to the widget. */
export type TerminalEvent =
  | { kind: 'connected'; reattached: boolean }
  | { kind: 'replaced' }
  | { kind: 'shell-exited' }
  | { kind: 'session-over'; reason: 'environment-lost' | 'session-ended'; message: string }
  | { kind: 'disconnected'; retrying: boolean }
  /** The server asked the socket to reconnect elsewhere; it is doing so. */
  | { kind: 'reconnecting' };

export interface LabSessionState {
  phase: Phase;
  steps: Record<string, StepState>;
  connection: Connection;
  explanations: Explanation[];
  solution?: Record<string, string[]>;
  /** Steps this browser saw pass before, in any session. */
  completedBefore: Record<string, boolean>;
  /** The learner asked for this session (Start, Reset): the terminal may scroll into view and take focus. An automatic resume at page load must not. */
  learnerStarted: boolean;
  /** Why the last check of every step at once (the challenge's Check) got no answer. */
  checkAllError?: string;
}

export type LabSessionAction =
  | { type: 'progress-loaded'; completed: Record<string, boolean> }
  | { type: 'start'; resuming: boolean }
  | { type: 'started'; session: RunningSession }
  | { type: 'start-failed'; kind: FailedKind; message: string }
  | { type: 'ended' }
  | { type: 'check-begun'; stepId: string }
  | { type: 'checked'; result: StepResult }
  | { type: 'check-failed'; stepId: string; message: string; sessionGone: boolean }
  /** The challenge checks every step in one request. */
  | { type: 'check-all-begun'; stepIds: string[] }
  | { type: 'checked-all'; results: StepResult[] }
  | { type: 'check-all-failed'; stepIds: string[]; message: string; sessionGone: boolean }
  | { type: 'terminal'; event: TerminalEvent }
  | { type: 'explained'; found: Explanation[] }
  | { type: 'explanations-dismissed' }
  | { type: 'solution'; steps: { id: string; commands: string[] }[] };

export const initialLabSession: LabSessionState = {
  phase: { name: 'idle' },
  steps: {},
  connection: { state: 'connecting' },
  explanations: [],
  completedBefore: {},
  learnerStarted: false,
};

/** At most this many explanations at once, the newest first. */
const shownExplanations = 3;

export function labSessionReducer(state: LabSessionState, action: LabSessionAction): LabSessionState {
  switch (action.type) {
    case 'progress-loaded':
      return { ...state, completedBefore: action.completed };
    case 'start':
      return {
        ...state,
        phase: { name: 'starting', resuming: action.resuming },
        steps: {},
        explanations: [],
        solution: undefined,
        checkAllError: undefined,
        connection: { state: 'connecting' },
        learnerStarted: !action.resuming,
      };
    case 'started':
      return state.phase.name === 'starting' ? { ...state, phase: { name: 'running', session: action.session }, connection: { state: 'connecting' } } : state;
    case 'start-failed':
      return { ...state, phase: { name: 'failed', kind: action.kind, message: action.message } };
    case 'ended':
      return { ...state, phase: { name: 'idle' }, connection: { state: 'connecting' }, learnerStarted: false };
    case 'check-begun':
      return { ...state, steps: { ...state.steps, [action.stepId]: { ...(state.steps[action.stepId] ?? { status: 'pending' }), checking: true } } };
    case 'checked': {
      const { result } = action;
      const completedBefore = result.passed ? { ...state.completedBefore, [result.id]: true } : state.completedBefore;
      return { ...state, steps: { ...state.steps, [result.id]: { status: result.passed ? 'passed' : 'failed', result } }, completedBefore };
    }
    case 'check-failed': {
      const steps = { ...state.steps, [action.stepId]: { status: 'failed' as const, result: { id: action.stepId, passed: false, message: action.message } } };
      return { ...state, steps, ...(action.sessionGone ? { phase: { name: 'failed', kind: 'expired', message: action.message } } : {}) };
    }
    case 'check-all-begun':
      return { ...state, checkAllError: undefined, steps: withSteps(state.steps, action.stepIds, (step) => ({ ...step, checking: true })) };
    case 'checked-all': {
      const passed = action.results.filter((r) => r.passed).map((r) => [r.id, true] as const);
      const steps = {
        ...state.steps,
        ...Object.fromEntries(action.results.map((r) => [r.id, { status: r.passed ? 'passed' : 'failed', result: r } as StepState])),
      };
      return { ...state, steps, completedBefore: { ...state.completedBefore, ...Object.fromEntries(passed) } };
    }
    case 'check-all-failed': {
      const steps = withSteps(state.steps, action.stepIds, ({ checking: _done, ...step }) => step);
      return {
        ...state,
        steps,
        checkAllError: action.message,
        ...(action.sessionGone ? { phase: { name: 'failed', kind: 'expired', message: action.message } } : {}),
      };
    }
    case 'terminal':
      return onTerminalEvent(state, action.event);
    case 'explained': {
      if (!action.found.length) return state;
      const kept = state.explanations.filter((e) => !action.found.some((f) => f.id === e.id));
      return { ...state, explanations: [...action.found, ...kept].slice(0, shownExplanations) };
    }
    case 'explanations-dismissed':
      return { ...state, explanations: [] };
    case 'solution':
      return { ...state, solution: Object.fromEntries(action.steps.map((s) => [s.id, s.commands])) };
  }
}

/** The steps with `change` applied to each of `ids` (a step not checked yet starts as pending). */
function withSteps(steps: Record<string, StepState>, ids: string[], change: (step: StepState) => StepState): Record<string, StepState> {
  return { ...steps, ...Object.fromEntries(ids.map((id) => [id, change(steps[id] ?? { status: 'pending' })])) };
}

function onTerminalEvent(state: LabSessionState, event: TerminalEvent): LabSessionState {
  // A terminal of a session that is over has nothing more to say.
  if (state.phase.name !== 'running') return state;
  switch (event.kind) {
    case 'connected':
      return { ...state, connection: { state: 'connected', reattached: event.reattached } };
    case 'replaced':
      return { ...state, connection: { state: 'replaced' } };
    case 'shell-exited':
      return { ...state, connection: { state: 'shell-exited' } };
    case 'disconnected':
      return { ...state, connection: { state: event.retrying ? 'retrying' : 'lost' } };
    case 'reconnecting':
      return { ...state, connection: { state: 'reconnecting' } };
    case 'session-over':
      return { ...state, phase: { name: 'failed', kind: event.reason === 'environment-lost' ? 'lost' : 'expired', message: event.message } };
  }
}

/** What a step shows: this session's check, else (with no session running) whether it passed before. */
export function stepStatus(state: LabSessionState, stepId: string): StepState['status'] {
  const step = state.steps[stepId];
  if (step) return step.status;
  return state.phase.name !== 'running' && state.completedBefore[stepId] ? 'passed' : 'pending';
}

/** The terminal's connection in words, for the status line. */
export function connectionNote(connection: Connection): string {
  switch (connection.state) {
    case 'connecting':
      return '';
    case 'connected':
      return connection.reattached ? 'Reconnected to your shell.' : '';
    case 'retrying':
      return 'Connection lost; reconnecting…';
    case 'reconnecting':
      return 'Reconnecting to your shell…';
    case 'lost':
      return 'Connection lost.';
    case 'replaced':
      return 'This terminal is open in another tab or window.';
    case 'shell-exited':
      return 'The shell ended (exit).';
  }
}

/** Whether the widget offers "Reconnect here": the terminal stopped trying by itself. */
export function canReconnect(connection: Connection): boolean {
  return connection.state === 'lost' || connection.state === 'replaced' || connection.state === 'shell-exited';
}

/** A control message from the server, as a terminal event (undefined: nothing for the widget). */
export function terminalEventOfControl(message: ServerMessage): TerminalEvent | undefined {
  if (message.type === 'status') return message.state === 'replaced' ? { kind: 'replaced' } : { kind: 'connected', reattached: message.state === 'reattached' };
  if (message.type === 'exit')
    return message.reason === 'shell-exited' ? { kind: 'shell-exited' } : { kind: 'session-over', reason: message.reason, message: message.message };
  return undefined;
}

/** The socket's own news, as a terminal event. */
export function terminalEventOfSocket(event: SocketEvent): TerminalEvent | undefined {
  if (event.kind === 'retrying') return event.moving ? { kind: 'reconnecting' } : { kind: 'disconnected', retrying: true };
  if (event.kind !== 'closed') return undefined;
  switch (event.reason) {
    case 'gave-up':
      return { kind: 'disconnected', retrying: false };
    case 'replaced':
      return { kind: 'replaced' };
    case 'shell-ended':
      return { kind: 'shell-exited' };
    case 'session-gone':
      return { kind: 'session-over', reason: 'session-ended', message: 'This session has ended or expired.' };
  }
}
