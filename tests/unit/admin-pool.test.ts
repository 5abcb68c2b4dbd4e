import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const adminToken = 'admin-token-for-tests-0123456789';
const auth = { authorization: `Bearer ${adminToken}` };
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

/** Polls the pool (no fixed sleep): the fake provider builds as fast as the scheduler asks. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

test('without SSH_LAB_ADMIN_TOKEN the admin routes do not exist', async (t) => {
  const app = await buildTestApp({}, { pool: {} });
  t.after(() => app.close());
  const list = await app.app.inject({ method: 'GET', url: '/api/admin/pool', headers: auth });
  assert.equal(list.statusCode, 404);
  assert.equal(list.json().error, 'NOT_FOUND');
  const put = await app.app.inject({ method: 'PUT', url: '/api/admin/pool/keygen', headers: auth, payload: { size: 5, until: inAnHour() } });
  assert.equal(put.statusCode, 404);
});

test('SSH_LAB_ADMIN_TOKEN shorter than 16 characters stops the server', async () => {
  await assert.rejects(buildTestApp({ SSH_LAB_ADMIN_TOKEN: 'short' }), /SSH_LAB_ADMIN_TOKEN=.*at least 16 characters/);
});

describe('with SSH_LAB_ADMIN_TOKEN', () => {
  let t: TestApp;
  let availableMemoryMb = 64 * 1024;
  before(async () => {
    t = await buildTestApp(
      { SSH_LAB_ADMIN_TOKEN: adminToken, SSH_LAB_POOL_SIZE: '1', SSH_LAB_MAX_SESSIONS: '20', SSH_LAB_HOST_MEMORY_MB: '160' },
      { pool: { availableMemoryMb: () => availableMemoryMb } },
    );
  });
  after(() => t.close());

  test('a missing or wrong token is refused with 401', async () => {
    for (const headers of [{}, { authorization: `Bearer ${adminToken}x` }, { authorization: adminToken }]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/pool', headers });
      assert.equal(response.statusCode, 401);
      assert.deepEqual(response.json(), { error: 'ADMIN_TOKEN_WRONG', message: 'The admin API needs "Authorization: Bearer <SSH_LAB_ADMIN_TOKEN>".' });
    }
    const put = await t.app.inject({ method: 'PUT', url: '/api/admin/pool/keygen', payload: { size: 5, until: inAnHour() } });
    assert.equal(put.statusCode, 401);
    assert.equal(t.targets?.override('keygen'), undefined, 'nothing changed');
  });

  test('PUT raises the target; GET shows the override with ready and building counts', async () => {
    const pool = t.pool!;
    await until(() => pool.readyCount('keygen') === 1, 'the configured size is ready');
    let release!: () => void;
    t.provider.hold = new Promise((r) => (release = r));
    const until_ = inAnHour();
    const put = await t.app.inject({ method: 'PUT', url: '/api/admin/pool/keygen', headers: auth, payload: { size: 5, until: until_ } });
    assert.equal(put.statusCode, 200, put.body);
    const body = put.json();
    assert.equal(body.applied, true);
    assert.deepEqual(body.lab.override, { size: 5, until: until_ });
    assert.equal(body.lab.target, 5);
    assert.equal(body.lab.configuredSize, 1);
    assert.equal(body.plan.memoryLimitMb, 5 * 1 * 160, 'environments x hosts x SSH_LAB_HOST_MEMORY_MB');
    assert.equal(body.plan.additionalMemoryLimitMb, 4 * 160);

    await until(() => pool.buildingCount('keygen') === 1, 'the refill started building toward the new target');
    const building = (await t.app.inject({ method: 'GET', url: '/api/admin/pool', headers: auth })).json();
    assert.deepEqual(building.labs[0], {
      labId: 'keygen',
      hostsPerEnvironment: 1,
      configuredSize: 1,
      target: 5,
      override: { size: 5, until: until_ },
      ready: 1,
      building: 1,
      memoryLimitMb: 800,
    });
    assert.deepEqual(building.sessions, { active: 0, max: 20 });
    assert.deepEqual(building.machine, { hostMemoryMb: 160, availableMemoryMb });

    release();
    t.provider.hold = undefined;
    await until(() => pool.readyCount('keygen') === 5, 'the pool filled to the override');
    const full = (await t.app.inject({ method: 'GET', url: '/api/admin/pool', headers: auth })).json();
    assert.deepEqual(full.totals, { configuredSize: 1, target: 5, ready: 5, building: 0, memoryLimitMb: 800 });
  });

  test('a size over the session cap is refused with what there is room for', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/api/admin/pool/keygen', headers: auth, payload: { size: 21, until: inAnHour() } });
    assert.equal(response.statusCode, 409);
    const { error, message } = response.json();
    assert.equal(error, 'POOL_OVER_CAP');
    assert.match(
      message,
      /^Lab "keygen" cannot be warmed to that size: 21 pooled environments do not fit under SSH_LAB_MAX_SESSIONS=20: 0 sessions are live .* room for 20\./,
    );
    assert.equal(t.targets?.target('keygen'), 5, 'the override in force stays');
  });

  test('a size over the available memory is refused with what it needs and what there is; a dry run changes nothing', async () => {
    availableMemoryMb = 1000;
    const refused = await t.app.inject({ method: 'PUT', url: '/api/admin/pool/keygen', headers: auth, payload: { size: 12, until: inAnHour() } });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error, 'POOL_OVER_MEMORY');
    assert.match(refused.json().message, /need up to 1120 MB more \(5 already pooled\), and the machine has 1000 MB available\. Ask for at most 11\./);

    const dry = await t.app.inject({ method: 'PUT', url: '/api/admin/pool/keygen', headers: auth, payload: { size: 11, until: inAnHour(), dryRun: true } });
    assert.equal(dry.statusCode, 200);
    assert.equal(dry.json().applied, false);
    assert.equal(dry.json().plan.memoryLimitMb, 11 * 160);
    assert.equal(dry.json().plan.maxSize, 11);
    assert.equal(dry.json().lab.target, 5, 'a dry run leaves the target');
    availableMemoryMb = 64 * 1024;
  });

  test('bad bodies and unknown labs are refused', async () => {
    const far = new Date(Date.now() + 48 * 3600_000).toISOString();
    const cases = [
      { url: '/api/admin/pool/keygen', payload: { size: 5, until: far }, status: 400, error: 'BAD_REQUEST' },
      { url: '/api/admin/pool/keygen', payload: { size: -1, until: inAnHour() }, status: 400, error: 'BAD_REQUEST' },
      { url: '/api/admin/pool/keygen', payload: { size: 5, until: 'tomorrow' }, status: 400, error: 'BAD_REQUEST' },
      { url: '/api/admin/pool/nope', payload: { size: 5, until: inAnHour() }, status: 404, error: 'LAB_UNKNOWN' },
    ];
    for (const c of cases) {
      const response = await t.app.inject({ method: 'PUT', url: c.url, headers: auth, payload: c.payload });
      assert.equal(response.statusCode, c.status, `${JSON.stringify(c.payload)}: ${response.body}`);
      assert.equal(response.json().error, c.error);
    }
  });

  test('an until in the past clears the override; the surplus is retired, the configured size stays', async () => {
    const pool = t.pool!;
    const retiredBefore = pool.stats.retired;
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/pool/keygen',
      headers: auth,
      payload: { size: 0, until: new Date(Date.now() - 1000).toISOString() },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().lab.override, null);
    assert.equal(response.json().lab.target, 1);
    assert.equal(pool.readyCount('keygen'), 1);
    assert.equal(pool.stats.retired - retiredBefore, 4);
    const disposed = t.provider.started.filter((e) => e.disposed).length;
    assert.equal(disposed, 4);
  });
});
