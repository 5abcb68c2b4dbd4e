import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain, OutputExplainer } from '../../src/components/Lab/explain';

const ids = (list: { id: string }[]) => list.map((e) => e.id);

describe('explaining OpenSSH errors in terminal output', () => {
  test('a message within one frame', () => {
    assert.deepEqual(ids(explain('learner@server: Permission denied (publickey,password).\r\n')), ['permission-denied-publickey']);
    assert.deepEqual(ids(new OutputExplainer().feed('ssh: connect to host server port 2222: Connection refused\r\n')), ['connection-refused']);
  });

  test('a message split across two output frames is recognised when its second half arrives', () => {
    // Before: each frame was scanned alone, so neither half matched and nothing was explained.
    const explainer = new OutputExplainer();
    assert.deepEqual(explainer.feed('learner@server: Permission denied (publi'), []);
    assert.deepEqual(ids(explainer.feed('ckey).\r\n$ ')), ['permission-denied-publickey']);
  });

  test('split over three frames, mid-word', () => {
    const explainer = new OutputExplainer();
    assert.deepEqual(explainer.feed('@@@ WARNING: UNPROT'), []);
    assert.deepEqual(explainer.feed('ECTED PRIVATE K'), []);
    assert.deepEqual(ids(explainer.feed('EY FILE! @@@\r\n')), ['unprotected-private-key']);
  });

  test('an error already explained is not explained again by later output', () => {
    const explainer = new OutputExplainer();
    assert.deepEqual(ids(explainer.feed('Host key verification failed.\r\n')), ['host-key-changed']);
    assert.deepEqual(explainer.feed('$ ls\r\nnotes.txt\r\n$ '), []);
    assert.deepEqual(ids(explainer.feed('Host key verification failed.\r\n')), ['host-key-changed']);
  });

  test('only the recent tail is kept', () => {
    const explainer = new OutputExplainer(64);
    explainer.feed('Could not resolve hos');
    explainer.feed('x'.repeat(100));
    assert.deepEqual(explainer.feed('tname'), []);
  });
});
