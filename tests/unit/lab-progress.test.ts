import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labStanding, standingText } from '../../src/components/LabList/lab-progress';

const lab = {
  id: 'keygen',
  steps: [
    { id: 'make-key', title: 'Make a key' },
    { id: 'passphrase', title: 'Protect it' },
    { id: 'extra', title: 'Try another type', optional: true },
  ],
};

describe('a lab on the /labs page', () => {
  test('optional steps do not count towards the required total', () => {
    // Before: every passed step was counted, so this read "2 of 2 steps done" while one required step was still open.
    const standing = labStanding(lab, { keygen: { 'make-key': true, extra: true } });
    assert.deepEqual(standing, { required: 2, requiredPassed: 1, optional: 1, optionalPassed: 1, complete: false });
    assert.equal(standingText(standing), '1 of 2 steps done (and 1 optional)');
  });

  test('complete when every required step passed, optional or not', () => {
    const standing = labStanding(lab, { keygen: { 'make-key': true, passphrase: true } });
    assert.equal(standing.complete, true);
    assert.equal(standingText(standing), 'Completed ✓');
  });

  test('only an optional step passed is not "not started", nor counted as required', () => {
    const standing = labStanding(lab, { keygen: { extra: true } });
    assert.equal(standing.requiredPassed, 0);
    assert.equal(standingText(standing), '0 of 2 steps done (and 1 optional)');
    assert.equal(standingText(labStanding(lab, {})), 'Not started');
  });

  test('steps of another lab, or stale ids, do not count', () => {
    assert.equal(labStanding(lab, { other: { 'make-key': true }, keygen: { gone: true } }).requiredPassed, 0);
  });
});
