import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';

test('SSH_LAB_REDIS_URL: unset is the in-memory directory; a Redis URL is taken; anything else is one clear line', () => {
  assert.equal(loadConfig({}).redisUrl, undefined);
  assert.equal(loadConfig({ SSH_LAB_REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
  assert.equal(loadConfig({ SSH_LAB_REDIS_URL: 'rediss://user:secret@redis.internal:6380/2' }).redisUrl, 'rediss://user:secret@redis.internal:6380/2');
  for (const bad of ['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis://', 'not a url']) {
    assert.throws(
      () => loadConfig({ SSH_LAB_REDIS_URL: bad }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        const lines = error.message.split('\n').slice(1);
        assert.equal(lines.length, 1, error.message);
        assert.match(lines[0]!, /SSH_LAB_REDIS_URL=.*is not a Redis URL such as redis:\/\/127\.0\.0\.1:6379/);
        return true;
      },
      bad,
    );
  }
});
