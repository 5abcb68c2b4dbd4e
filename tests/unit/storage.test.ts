import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as z from 'zod';
import { storageKeys, storedValue, versionedKey, type KeyValueStorage } from '../../src/browser/storage';

/** A Map behind the Web Storage methods the helper uses. */
function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const throwing: KeyValueStorage = {
  getItem: () => {
    throw new Error('SecurityError: storage is disabled');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError: storage is disabled');
  },
};

const schema = z.object({ count: z.number().int() });

describe('the browser storage helper', () => {
  test('writes JSON and reads it back, validated', () => {
    const store = memoryStorage();
    const value = storedValue({ key: 'ssh-lab:test:v1', schema, fallback: { count: 0 }, storage: () => store });
    assert.deepEqual(value.read(), { count: 0 });
    assert.equal(value.write({ count: 3 }), true);
    assert.equal(store.data.get('ssh-lab:test:v1'), '{"count":3}');
    assert.deepEqual(value.read(), { count: 3 });
    value.write(undefined);
    assert.equal(store.data.has('ssh-lab:test:v1'), false);
    assert.deepEqual(value.read(), { count: 0 });
  });

  test('a corrupt or differently shaped value reads as the fallback', () => {
    const store = memoryStorage();
    const value = storedValue({ key: 'k', schema, fallback: { count: 0 }, storage: () => store });
    store.data.set('k', '{not json');
    assert.deepEqual(value.read(), { count: 0 });
    store.data.set('k', '{"count":"three"}');
    assert.deepEqual(value.read(), { count: 0 });
  });

  test('disabled or full storage neither throws nor keeps anything', () => {
    const value = storedValue({ key: 'k', schema, fallback: { count: 0 }, storage: () => throwing });
    assert.deepEqual(value.read(), { count: 0 });
    assert.equal(value.write({ count: 1 }), false);
    const absent = storedValue({ key: 'k', schema, fallback: { count: 0 }, storage: () => undefined });
    assert.equal(absent.write({ count: 1 }), false);
    assert.deepEqual(absent.read(), { count: 0 });
  });

  test('the same stored text gives the same object (a stable snapshot for useSyncExternalStore)', () => {
    const store = memoryStorage();
    const value = storedValue({ key: 'k', schema, fallback: { count: 0 }, storage: () => store });
    value.write({ count: 2 });
    const first = value.read();
    assert.equal(value.read(), first);
    store.data.set('k', '{"count":5}'); // another tab wrote it
    assert.notEqual(value.read(), first);
    assert.deepEqual(value.read(), { count: 5 });
  });

  test('keys carry their format version; the existing keys stay where learners have them', () => {
    assert.equal(versionedKey('interview-progress', 1), 'ssh-lab:interview-progress:v1');
    assert.equal(storageKeys.interviewProgress, 'ssh-lab:interview-progress:v1');
    assert.equal(storageKeys.labSession('keygen'), 'ssh-lab:session:keygen');
    assert.equal(storageKeys.labProgress, 'ssh-lab:progress');
  });
});
