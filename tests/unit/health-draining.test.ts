import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';

test('a stopping server reports draining on /healthz (503), so a load balancer sends it nothing new', async () => {
  const t = await buildTestApp();
  try {
    const before = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(before.statusCode, 200);
    assert.equal(before.json().status, 'ok');
    await t.registry.closeAll();
    const draining = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(draining.statusCode, 503);
    assert.equal(draining.json().status, 'draining');
    const refused = await t.app.inject({ method: 'POST', url: '/api/sessions', payload: { labId: 'keygen' } });
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.json().error, 'SHUTTING_DOWN');
  } finally {
    await t.close();
  }
});
