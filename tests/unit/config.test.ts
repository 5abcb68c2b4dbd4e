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
  assert.throws(
    () => loadConfig({ SSH_LAB_FLOW_LOW_BYTES: '2000000', SSH_LAB_FLOW_HIGH_BYTES: '1000000' }),
    /SSH_LAB_FLOW_LOW_BYTES="2000000": must be below SSH_LAB_FLOW_HIGH_BYTES/,
  );
  assert.throws(() => loadConfig({ SSH_LAB_HOST_MEMORY_MB: '64', SSH_LAB_HOST_HOME_MB: '64' }), /counts against SSH_LAB_HOST_MEMORY_MB/);
  assert.throws(() => loadConfig({ SSH_LAB_ALLOWED_ORIGINS: 'example.org' }), /not an origin/);
});

test('allowed origins are split and trimmed', () => {
  assert.deepEqual(loadConfig({ SSH_LAB_ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080' }).allowedOrigins, [
    'https://a.example',
    'http://b.example:8080',
  ]);
});

test('every bad value is reported at once, one line each, the subnet pool and list variables included', () => {
  assert.throws(
    () =>
      loadConfig({
        SSH_LAB_SUBNET_POOL: '172.29.0/16',
        SSH_LAB_ALLOWED_ORIGINS: 'https://ok.example, example.org',
        SSH_LAB_POOL_SIZES: 'keygen=2,copy-id',
        SSH_LAB_POOL_SIZE: '-1',
        SSH_LAB_METRICS_TOKEN: 'short',
      }),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      const lines = error.message.split('\n').slice(1);
      assert.equal(lines.length, 5, error.message);
      assert.match(error.message, /SSH_LAB_SUBNET_POOL="172.29.0\/16": "172.29.0\/16" is not a CIDR block/);
      assert.match(error.message, /SSH_LAB_ALLOWED_ORIGINS=".*": "example.org" is not an origin/);
      assert.match(error.message, /SSH_LAB_POOL_SIZES=".*": "copy-id" is not lab-id=size/);
      assert.match(error.message, /SSH_LAB_POOL_SIZE="-1": /);
      assert.match(error.message, /SSH_LAB_METRICS_TOKEN=.*at least 16 characters/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ SSH_LAB_SUBNET_POOL: '10.0.0.0/31' }), /SSH_LAB_SUBNET_POOL="10.0.0.0\/31": .*too small/);
  assert.throws(
    () => loadConfig({ SSH_LAB_SUBNET_POOL: '10.1.0.0/24', SSH_LAB_SUBNET_PREFIX: '20' }),
    /SSH_LAB_SUBNET_PREFIX="20": must not be below the prefix of SSH_LAB_SUBNET_POOL \(\/24\)/,
  );
  assert.throws(
    () => loadConfig({ SSH_LAB_MAX_SESSIONS: '2', SSH_LAB_MAX_SESSIONS_PER_CLIENT: '3' }),
    /SSH_LAB_MAX_SESSIONS_PER_CLIENT="3": must not exceed SSH_LAB_MAX_SESSIONS \(2\)/,
  );
});

test('lists and the metrics token reach the Config', () => {
  const config = loadConfig({ SSH_LAB_POOL_SIZES: 'keygen=2, copy-id=0', SSH_LAB_METRICS_TOKEN: 'a'.repeat(32), SSH_LAB_RUNTIME: '' });
  assert.deepEqual(config.poolSizes, { keygen: 2, 'copy-id': 0 });
  assert.equal(config.metricsToken, 'a'.repeat(32));
  assert.equal(config.hostLimits.runtime, undefined);
  assert.equal(loadConfig({}).metricsToken, undefined);
  assert.equal(loadConfig({ SSH_LAB_ADMIN_TOKEN: 'b'.repeat(32) }).adminToken, 'b'.repeat(32));
  assert.equal(loadConfig({}).adminToken, undefined);
  assert.throws(() => loadConfig({ SSH_LAB_ADMIN_TOKEN: 'short' }), /SSH_LAB_ADMIN_TOKEN="short": use at least 16 characters/);
});

test('CPU policy: even shares always, a hard ceiling only when the operator sets one', () => {
  assert.deepEqual([loadConfig({}).hostLimits.cpuShares, loadConfig({}).hostLimits.cpus], [256, undefined]);
  const capped = loadConfig({ SSH_LAB_HOST_CPUS: '0.5', SSH_LAB_HOST_CPU_SHARES: '512' }).hostLimits;
  assert.deepEqual([capped.cpuShares, capped.cpus], [512, 0.5]);
  assert.throws(() => loadConfig({ SSH_LAB_HOST_CPU_SHARES: '1' }), /Invalid configuration:\n {2}SSH_LAB_HOST_CPU_SHARES="1": [^\n]*>=2$/);
  assert.throws(() => loadConfig({ SSH_LAB_HOST_CPUS: '0' }), /SSH_LAB_HOST_CPUS="0": /);
  // The hosts' own low-weight parent cgroup is opt-in (a machine that runs SSH Lab alone).
  assert.equal(loadConfig({}).hostLimits.cgroupParent, undefined);
  assert.deepEqual(loadConfig({ SSH_LAB_HOST_CGROUP_PARENT: 'ssh-lab-hosts' }).hostLimits.cgroupParent, { name: 'ssh-lab-hosts', shares: 128 });
  assert.throws(() => loadConfig({ SSH_LAB_HOST_CGROUP_PARENT: '../etc' }), /SSH_LAB_HOST_CGROUP_PARENT="..\/etc": takes a cgroup name/);
});

test('session networks: own bridges by default, Docker networks on request and with a sandboxed runtime', () => {
  assert.equal(loadConfig({}).sessionNetwork, 'bridge');
  assert.equal(loadConfig({ SSH_LAB_SESSION_NETWORK: 'docker' }).sessionNetwork, 'docker');
  assert.equal(loadConfig({ SSH_LAB_RUNTIME: 'runsc' }).sessionNetwork, 'docker');
  assert.throws(
    () => loadConfig({ SSH_LAB_SESSION_NETWORK: 'bridge', SSH_LAB_RUNTIME: 'runsc' }),
    /SSH_LAB_SESSION_NETWORK="bridge": must be "docker" with SSH_LAB_RUNTIME=runsc/,
  );
  assert.throws(() => loadConfig({ SSH_LAB_SESSION_NETWORK: 'macvlan' }), /SSH_LAB_SESSION_NETWORK/);
});
