import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback, metricsAccess } from './metrics-access.ts';

test('without a metrics token: loopback only, and not through a proxy', () => {
  for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    assert.ok(isLoopback(address), address);
    assert.deepEqual(metricsAccess(address, {}, null), { ok: true });
  }
  for (const address of ['192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '1270.0.0.1', undefined]) {
    const access = metricsAccess(address, {}, null);
    assert.ok(!access.ok && access.status === 403, String(address));
  }
  assert.equal(metricsAccess('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, null).ok, false);
  assert.equal(metricsAccess('127.0.0.1', { forwarded: 'for=203.0.113.9' }, null).ok, false);
});

test('with a metrics token: that bearer token only, from anywhere', () => {
  const token = 'scrape-me-0123456789';
  assert.deepEqual(metricsAccess('203.0.113.9', { authorization: `Bearer ${token}` }, token), { ok: true });
  for (const authorization of [undefined, 'Bearer nope', `Bearer ${token}x`, token, `Basic ${token}`]) {
    const access = metricsAccess('127.0.0.1', authorization ? { authorization } : {}, token);
    assert.ok(!access.ok && access.status === 401, String(authorization));
  }
});
