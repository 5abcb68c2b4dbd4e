import type { RunningSession } from '../../src/components/Lab/session-state';

/** A started keygen session as the widget's reducer holds it (one workstation, a token). */
export function runningSession(): RunningSession {
  return {
    id: 's1',
    labId: 'keygen',
    createdAt: '2026-12-01T20:00:00Z',
    expiresAt: '2026-12-01T20:30:00Z',
    user: 'learner',
    password: 'abcd-efgh-jkmn',
    hosts: [{ name: 'workstation', role: 'workstation', ports: [] }],
    facts: {},
    token: 't',
  };
}
