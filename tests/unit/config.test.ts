import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';

test('defaults give a safe local configuration', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.hostFirewall, true);
  assert.deepEqual(config.allowedOrigins, []);
});

test('every bad value is named in one message', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', SSH_LAB_MAX_SESSIONS: '0', SSH_LAB_HOST_FIREWALL: 'maybe' }),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT="eighty"/);
      assert.match(error.message, /SSH_LAB_MAX_SESSIONS="0"/);
      assert.match(error.message, /SSH_LAB_HOST_FIREWALL="maybe"/);
      return true;
    },
  );
});

test('cross-field rules are checked', () => {
  assert.throws(() => loadConfig({ SSH_LAB_FLOW_LOW_BYTES: '2000000', SSH_LAB_FLOW_HIGH_BYTES: '1000000' }), /FLOW_LOW_BYTES must be below/);
  assert.throws(() => loadConfig({ SSH_LAB_HOST_MEMORY_MB: '64', SSH_LAB_HOST_HOME_MB: '64' }), /counts against SSH_LAB_HOST_MEMORY_MB/);
  assert.throws(() => loadConfig({ SSH_LAB_ALLOWED_ORIGINS: 'example.org' }), /not an origin/);
});

test('allowed origins are split and trimmed', () => {
  assert.deepEqual(loadConfig({ SSH_LAB_ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080' }).allowedOrigins, ['https://a.example', 'http://b.example:8080']);
});
