import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  beginAttempt,
  byDifficulty,
  type ChallengeResult,
  challengeHints,
  countGoals,
  elapsedMs,
  finishAttempt,
  formatDuration,
  hintsText,
  recordResult,
  takeHint,
} from '../../src/components/Challenge/challenge';
import type { StepState } from '../../src/components/Lab/session-state';

const lab = {
  steps: [
    { id: 'make-key', hint: 'ed25519 is chosen with -t.' },
    { id: 'no-hint' },
    { id: 'protect-key', optional: true, hint: '-f chooses the file name.' },
    { id: 'install', hint: 'ssh-copy-id does it for you.' },
  ],
};

const failed = (id: string, message: string): StepState => ({ status: 'failed', result: { id, passed: false, message } });
const passed = (id: string): StepState => ({ status: 'passed', result: { id, passed: true, message: 'ok' } });

describe('challenge hints', () => {
  test('come in step order, steps without a hint skipped', () => {
    assert.deepEqual(challengeHints(lab), ['ed25519 is chosen with -t.', '-f chooses the file name.', 'ssh-copy-id does it for you.']);
  });

  test('are revealed one at a time and never beyond the last', () => {
    let attempt = beginAttempt(1_000);
    attempt = takeHint(attempt, 2);
    assert.equal(attempt.hintsUsed, 1);
    attempt = takeHint(takeHint(attempt, 2), 2);
    assert.equal(attempt.hintsUsed, 2);
  });

  test('stop once the challenge is solved', () => {
    const solved = finishAttempt(takeHint(beginAttempt(0), 3), 5_000);
    assert.equal(takeHint(solved, 3), solved);
    assert.equal(solved.finished?.hintsUsed, 1);
  });
});

describe('challenge goals', () => {
  test('before any check: nothing met, nothing wrong, not solved', () => {
    assert.deepEqual(countGoals(lab, {}), { required: 3, requiredMet: 0, optional: 1, optionalMet: 0, solved: false, failures: [] });
  });

  test('optional steps are counted apart and do not stop a solve', () => {
    const goals = countGoals(lab, {
      'make-key': passed('make-key'),
      'no-hint': passed('no-hint'),
      install: passed('install'),
      'protect-key': failed('protect-key', 'The work key has no passphrase.'),
    });
    assert.equal(goals.solved, true);
    assert.equal(goals.requiredMet, 3);
    assert.equal(goals.optionalMet, 0);
    assert.deepEqual(goals.failures, [{ stepId: 'protect-key', optional: true, message: 'The work key has no passphrase.' }]);
  });

  test('what is still wrong lists required goals first, in step order, with the checker’s words', () => {
    const goals = countGoals(lab, {
      'protect-key': failed('protect-key', 'no work key'),
      install: failed('install', 'no authorized_keys'),
      'make-key': failed('make-key', 'no key'),
      'no-hint': passed('no-hint'),
    });
    assert.equal(goals.solved, false);
    assert.equal(goals.requiredMet, 1);
    assert.deepEqual(
      goals.failures.map((f) => f.message),
      ['no key', 'no authorized_keys', 'no work key'],
    );
  });

  test('a step being checked again keeps its last result until the answer comes', () => {
    const goals = countGoals(lab, { 'make-key': { ...failed('make-key', 'no key'), checking: true } });
    assert.deepEqual(
      goals.failures.map((f) => f.stepId),
      ['make-key'],
    );
  });

  test('a lab of optional steps only is solved when all of them pass', () => {
    const allOptional = {
      steps: [
        { id: 'a', optional: true },
        { id: 'b', optional: true },
      ],
    };
    assert.equal(countGoals(allOptional, { a: passed('a') }).solved, false);
    assert.deepEqual(countGoals(allOptional, { a: passed('a'), b: passed('b') }), {
      required: 2,
      requiredMet: 2,
      optional: 0,
      optionalMet: 0,
      solved: true,
      failures: [],
    });
  });
});

describe('challenge results', () => {
  test('the attempt records its time from the start and its hints when solved, once', () => {
    const attempt = finishAttempt(takeHint(beginAttempt(10_000), 1), 75_500);
    assert.deepEqual(attempt.finished, { completedAt: new Date(75_500).toISOString(), timeMs: 65_500, hintsUsed: 1 });
    assert.equal(finishAttempt(attempt, 99_000), attempt, 'a solved attempt keeps its first result');
    assert.equal(elapsedMs(attempt, 1_000_000), 65_500, 'the clock stops at the solve');
    assert.equal(elapsedMs(beginAttempt(10_000), 12_000), 2_000);
  });

  const result = (timeMs: number, hintsUsed: number): ChallengeResult => ({ completedAt: '2026-12-01T22:00:00.000Z', timeMs, hintsUsed });

  test('the first result of a lab is kept', () => {
    assert.deepEqual(recordResult({}, 'keygen', result(90_000, 2)), { keygen: result(90_000, 2) });
  });

  test('the best result is kept: fewer hints first, then faster', () => {
    const kept = { keygen: result(90_000, 1), other: result(5_000, 0) };
    assert.equal(recordResult(kept, 'keygen', result(200_000, 2)), kept, 'more hints does not replace, however fast');
    assert.equal(recordResult(kept, 'keygen', result(95_000, 1)), kept, 'as many hints and slower does not replace');
    assert.deepEqual(recordResult(kept, 'keygen', result(300_000, 0)).keygen, result(300_000, 0), 'fewer hints replaces');
    assert.deepEqual(recordResult(kept, 'keygen', result(60_000, 1)).keygen, result(60_000, 1), 'as many hints and faster replaces');
    assert.deepEqual(recordResult(kept, 'keygen', result(60_000, 1)).other, result(5_000, 0), 'other labs are untouched');
  });
});

describe('challenge words', () => {
  test('durations and hints', () => {
    assert.equal(formatDuration(0), '0:00');
    assert.equal(formatDuration(65_900), '1:05');
    assert.equal(formatDuration(3_723_000), '1:02:03');
    assert.deepEqual([0, 1, 2].map(hintsText), ['no hints', '1 hint', '2 hints']);
  });

  test('the list groups by difficulty, easiest first, catalogue order kept, empty groups left out', () => {
    const labs = [
      { id: 'c', difficulty: 'advanced' as const },
      { id: 'a', difficulty: 'beginner' as const },
      { id: 'b', difficulty: 'beginner' as const },
    ];
    assert.deepEqual(
      byDifficulty(labs).map((g) => [g.difficulty, g.labs.map((l) => l.id)]),
      [
        ['beginner', ['a', 'b']],
        ['advanced', ['c']],
      ],
    );
  });
});
