import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canReconnect,
  connectionNote,
  initialLabSession,
  labSessionReducer,
  stepStatus,
  terminalEventOfControl,
  terminalEventOfSocket,
  type LabSessionAction,
  type LabSessionState,
} from '../../src/components/Lab/session-state';
import { explain } from '../../src/components/Lab/explain';
import { runningSession } from '../helpers/lab-session';

const session = runningSession();

const run = (...actions: LabSessionAction[]) => actions.reduce(labSessionReducer, initialLabSession);
const running = (...actions: LabSessionAction[]) => run({ type: 'start', resuming: false }, { type: 'started', session }, ...actions);

describe('the lab session reducer', () => {
  test('Start: starting, then running, and the terminal may take focus', () => {
    const starting = run({ type: 'start', resuming: false });
    assert.deepEqual(starting.phase, { name: 'starting', resuming: false });
    const state = labSessionReducer(starting, { type: 'started', session });
    assert.equal(state.phase.name, 'running');
    assert.equal(state.learnerStarted, true);
  });

  test('an automatic resume at page load does not let the terminal scroll into view or take focus', () => {
    // Before: the terminal scrolled itself into view and took focus on every page load with a stored session.
    const state = run({ type: 'start', resuming: true }, { type: 'started', session });
    assert.equal(state.phase.name, 'running');
    assert.equal(state.learnerStarted, false);
  });

  test('a check: checking, then its result; a pass is remembered as completed', () => {
    let state = running({ type: 'check-begun', stepId: 'make-key' });
    assert.equal(state.steps['make-key']?.checking, true);
    state = labSessionReducer(state, { type: 'checked', result: { id: 'make-key', passed: false, message: 'no key' } });
    assert.equal(stepStatus(state, 'make-key'), 'failed');
    state = labSessionReducer(state, { type: 'checked', result: { id: 'make-key', passed: true, message: 'ok' } });
    assert.equal(stepStatus(state, 'make-key'), 'passed');
    assert.equal(state.completedBefore['make-key'], true);
  });

  test('a step passed in an earlier session shows passed only while no session runs', () => {
    const loaded = run({ type: 'progress-loaded', completed: { 'make-key': true } });
    assert.equal(stepStatus(loaded, 'make-key'), 'passed');
    assert.equal(
      stepStatus(labSessionReducer(labSessionReducer(loaded, { type: 'start', resuming: false }), { type: 'started', session }), 'make-key'),
      'pending',
    );
  });

  test('a check refused because the session is gone ends the session as expired', () => {
    const state = running({ type: 'check-failed', stepId: 'make-key', message: 'This session has ended.', sessionGone: true });
    assert.deepEqual(state.phase, { name: 'failed', kind: 'expired', message: 'This session has ended.' });
  });

  test('connection states come from protocol kinds, and say when to offer "Reconnect here"', () => {
    const replaced = running({ type: 'terminal', event: terminalEventOfControl({ type: 'status', state: 'replaced', message: 'any wording' })! });
    assert.deepEqual(replaced.connection, { state: 'replaced' });
    assert.equal(canReconnect(replaced.connection), true);
    const back = labSessionReducer(replaced, { type: 'terminal', event: terminalEventOfControl({ type: 'status', state: 'reattached' })! });
    assert.equal(connectionNote(back.connection), 'Reconnected to your shell.');
    assert.equal(canReconnect(back.connection), false);
    const retrying = labSessionReducer(back, { type: 'terminal', event: terminalEventOfSocket({ kind: 'retrying', attempt: 1, delayMs: 400 })! });
    assert.equal(canReconnect(retrying.connection), false);
    const lost = labSessionReducer(retrying, { type: 'terminal', event: terminalEventOfSocket({ kind: 'closed', reason: 'gave-up' })! });
    assert.equal(canReconnect(lost.connection), true);
    const exited = running({ type: 'terminal', event: terminalEventOfSocket({ kind: 'closed', reason: 'shell-ended' })! });
    assert.deepEqual(exited.connection, { state: 'shell-exited' });
  });

  test('a server moving the terminal (4010) shows a short "reconnecting", not a lost connection, and offers no button', () => {
    const moving = terminalEventOfSocket({ kind: 'retrying', attempt: 1, delayMs: 300, moving: true });
    assert.deepEqual(moving, { kind: 'reconnecting' });
    const state = running({ type: 'terminal', event: { kind: 'connected', reattached: false } }, { type: 'terminal', event: moving! });
    assert.deepEqual(state.connection, { state: 'reconnecting' });
    assert.equal(state.phase.name, 'running', 'not an error');
    assert.equal(connectionNote(state.connection), 'Reconnecting to your shell…');
    assert.equal(canReconnect(state.connection), false);
    assert.deepEqual(
      terminalEventOfSocket({ kind: 'retrying', attempt: 1, delayMs: 300 }),
      { kind: 'disconnected', retrying: true },
      'an ordinary drop is still one',
    );
    const back = labSessionReducer(state, { type: 'terminal', event: { kind: 'connected', reattached: true } });
    assert.deepEqual(back.connection, { state: 'connected', reattached: true });
  });

  test('the environment stopping ends the session as lost; the close after it changes nothing', () => {
    const lost = running({
      type: 'terminal',
      event: terminalEventOfControl({ type: 'exit', code: null, reason: 'environment-lost', message: 'The lab environment stopped.' })!,
    });
    assert.deepEqual(lost.phase, { name: 'failed', kind: 'lost', message: 'The lab environment stopped.' });
    const after = labSessionReducer(lost, { type: 'terminal', event: terminalEventOfSocket({ kind: 'closed', reason: 'session-gone' })! });
    assert.equal(after, lost);
  });

  test('a session gone without an exit message still ends the session', () => {
    const state = running({ type: 'terminal', event: terminalEventOfSocket({ kind: 'closed', reason: 'session-gone' })! });
    assert.equal(state.phase.name === 'failed' && state.phase.kind, 'expired');
  });

  test('explanations: newest first, no duplicates, at most three; output without errors changes nothing', () => {
    const find = (text: string) => explain(text);
    let state: LabSessionState = running();
    for (const text of ['Connection refused', 'Connection timed out', 'No route to host', 'Connection refused']) {
      state = labSessionReducer(state, { type: 'explained', found: find(text) });
    }
    assert.deepEqual(
      state.explanations.map((e) => e.id),
      ['connection-refused', 'no-route-to-host', 'connection-timed-out'],
    );
    assert.equal(labSessionReducer(state, { type: 'explained', found: [] }), state);
    assert.deepEqual(labSessionReducer(state, { type: 'explanations-dismissed' }).explanations, []);
  });

  test("a fresh start forgets the last session's checks, explanations and solution", () => {
    const used = running(
      { type: 'checked', result: { id: 'make-key', passed: false, message: 'no' } },
      { type: 'explained', found: explain('Connection refused') },
      { type: 'solution', steps: [{ id: 'make-key', commands: ['ssh-keygen'] }] },
    );
    assert.deepEqual(used.solution, { 'make-key': ['ssh-keygen'] });
    const fresh = labSessionReducer(used, { type: 'start', resuming: false });
    assert.deepEqual([fresh.steps, fresh.explanations, fresh.solution], [{}, [], undefined]);
  });

  test('End returns to idle', () => {
    assert.deepEqual(running({ type: 'ended' }).phase, { name: 'idle' });
  });
});
