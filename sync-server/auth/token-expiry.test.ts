import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenExpiry } from './token-expiry.ts';

const DAY_MS = 24 * 3600 * 1000;

test('fires once at exp, says expired from exp on, and not after stop', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  let fired = 0;
  const expiry = new TokenExpiry(1_000_000 / 1000 + 5, () => fired++);
  assert.equal(expiry.expired(), false);
  t.mock.timers.tick(4999);
  assert.equal(fired, 0);
  assert.equal(expiry.expired(), false);
  t.mock.timers.tick(1);
  assert.equal(fired, 1);
  assert.equal(expiry.expired(), true);
  t.mock.timers.tick(60_000);
  assert.equal(fired, 1, 'once');

  const stopped = new TokenExpiry(Date.now() / 1000 + 1, () => fired++);
  stopped.stop();
  t.mock.timers.tick(2000);
  assert.equal(fired, 1, 'a stopped expiry never fires');
});

test('an already expired token fires from a timer, not inside the constructor', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 5_000_000 });
  let fired = 0;
  const expiry = new TokenExpiry(4_000, () => fired++);
  assert.equal(fired, 0);
  assert.equal(expiry.expired(), true);
  t.mock.timers.tick(0);
  assert.equal(fired, 1);
});

test('renewing moves the end', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  let fired = 0;
  const expiry = new TokenExpiry(10, () => fired++);
  t.mock.timers.tick(9000);
  expiry.renew(70);
  assert.equal(expiry.exp, 70);
  t.mock.timers.tick(2000);
  assert.equal(fired, 0, 'not at the first exp');
  assert.equal(expiry.expired(), false);
  t.mock.timers.tick(59_000);
  assert.equal(fired, 1, 'at the new one');
});

test('a token lasting longer than a timer can wait (30 days) expires at its exp, not at once', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  let fired = 0;
  new TokenExpiry((30 * DAY_MS) / 1000, () => fired++);
  t.mock.timers.tick(1);
  assert.equal(fired, 0);
  for (let day = 0; day < 29; day++) t.mock.timers.tick(DAY_MS);
  assert.equal(fired, 0, 'still open after 29 days');
  t.mock.timers.tick(DAY_MS);
  assert.equal(fired, 1, 'closed at 30 days');
});
