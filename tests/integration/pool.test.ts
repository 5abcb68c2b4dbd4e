import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import type { RunningServer } from '../../src/server/main.js';
import type { WarmPool } from '../../src/server/pool/warm-pool.js';
import { labelledContainers, labelledNetworks, waitFor } from '../helpers/docker.js';
import { startTestServer } from '../helpers/server.js';

let server: RunningServer | undefined;
let pool: WarmPool;
let api: ApiClient;
/** Every environment id this file saw: none may have containers or networks left at the end. */
const seen = new Set<string>();

const remember = () => {
  for (const id of pool.liveIds()) seen.add(id);
};

before(async () => {
  server = await startTestServer({
    SSH_LAB_POOL_SIZES: 'keygen=1',
    SSH_LAB_POOL_SIZE: '0',
    SSH_LAB_REAP_INTERVAL_SECONDS: '5',
    SSH_LAB_SUBNET_POOL: '172.25.192.0/20',
  });
  api = new ApiClient(server.url);
  assert.ok(server.pool, 'the server exposes its pool');
  pool = server.pool;
  assert.ok(await pool.whenFull(90_000), 'the keygen pool fills');
  remember();
});

after(async () => {
  if (!server) return;
  remember();
  await server.close();
  for (const id of seen) {
    assert.deepEqual(labelledContainers(id), [], `no container of ${id} is left after close`);
    assert.deepEqual(labelledNetworks(id), [], `no network of ${id} is left after close`);
  }
});

async function typeAndWait(terminal: TerminalClient, command: string, expect: RegExp): Promise<string> {
  const from = terminal.text().length;
  terminal.type(`${command}\r`);
  await terminal.waitUntil((text) => expect.test(text.slice(from)), 20_000, String(expect));
  return terminal.text().slice(from);
}

describe('the warm pool', () => {
  test('hands out a pre-made, fresh environment, adopts its id and password, and refills', async () => {
    const pooledIds = pool.liveIds();
    assert.equal(pooledIds.length, 1);
    assert.equal(labelledContainers(pooledIds[0]).length, 1, 'the pooled environment has its container');

    // The reaper runs every 5 s: a pooled environment is live to it.
    await new Promise((r) => setTimeout(r, 6_500));
    assert.equal(labelledContainers(pooledIds[0]).length, 1, 'the reaper left the pooled environment alone');

    const t0 = performance.now();
    const first = await api.createSession('keygen');
    const createMs = performance.now() - t0;
    seen.add(first.id);
    assert.equal(first.id, pooledIds[0], 'the session adopts the pooled environment and its id');
    assert.equal(pool.stats.handedOut, 1);
    // A safety bound only (10x the target): the benchmark measures it (scripts/bench/sessions.ts, time to prompt warm).
    assert.ok(createMs < 15_000, `a pooled session is created without a cold start (took ${Math.round(createMs)} ms)`);

    const t1 = performance.now();
    const terminal = await TerminalClient.open(server!.url, first);
    await terminal.waitForPrompt();
    const promptMs = performance.now() - t1;
    // A safety bound only (10x the target): the benchmark measures it (scripts/bench/sessions.ts, time to prompt warm).
    assert.ok(promptMs < 15_000, `the early shell's prompt is there without a cold start (took ${Math.round(promptMs)} ms)`);

    // The password baked into the pooled hosts is the one the session shows.
    await typeAndWait(terminal, 'ssh -o StrictHostKeyChecking=accept-new -o PubkeyAuthentication=no learner@localhost', /password: $/);
    await typeAndWait(terminal, first.password, /learner@workstation:~\$ $/);
    await typeAndWait(terminal, 'exit', /learner@workstation:~\$ $/);
    await typeAndWait(terminal, 'echo pooled > ~/marker && ls ~/marker && echo made-$((6*7))', /made-42/);

    // Refill: a new pooled environment (another id) is made in the background.
    await waitFor(() => pool.readyCount('keygen') === 1, 90_000, 'the pool to refill');
    remember();
    const refilled = pool.liveIds();
    assert.equal(refilled.length, 1);
    assert.notEqual(refilled[0], first.id);

    await terminal.close();
    await api.endSession(first);
    await waitFor(() => labelledContainers(first.id).length === 0, 20_000, 'the first session to be removed');

    const second = await api.createSession('keygen');
    seen.add(second.id);
    assert.equal(second.id, refilled[0]);
    assert.equal(pool.stats.handedOut, 2);
    assert.notEqual(second.password, first.password, 'each pooled environment has its own password');
    const terminal2 = await TerminalClient.open(server!.url, second);
    await terminal2.waitForPrompt();
    const out = await typeAndWait(terminal2, 'ls ~/marker 2>&1; echo done-$((6*7))', /done-42/);
    assert.match(out, /No such file/, 'a file made in one pooled session is absent in the next');
    const check = await api.check(second, 'make-key');
    assert.equal(check[0]?.passed, false, 'the lab setup and checks work on a pooled environment');
    await terminal2.close();
    await api.endSession(second);
    remember();
  });

  test('ending the server drains the pool', async () => {
    await waitFor(() => pool.readyCount('keygen') === 1, 90_000, 'the pool to refill');
    remember();
    const ids = pool.liveIds();
    assert.equal(ids.length, 1, 'the refilled pool holds one environment');
    for (const id of ids) assert.equal(labelledContainers(id).length, 1, `pooled environment ${id} has its container`);
    await server!.close();
    server = undefined;
    assert.ok(seen.size > 0, 'the environments to look for are known');
    for (const id of seen) {
      assert.deepEqual(labelledContainers(id), [], `no container of ${id} is left`);
      assert.deepEqual(labelledNetworks(id), [], `no network of ${id} is left`);
    }
    assert.equal(pool.size, 0);
  });
});
