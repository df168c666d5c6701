import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createRefreshThrottle } from './refresh-throttle.ts';

test('a burst refreshes at once, then once per interval, then once more when it settles', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  const at: number[] = [];
  const throttle = createRefreshThrottle(() => at.push(Date.now()), 500, 1500);
  // A drag: an update every 50 ms for one second.
  for (let i = 0; i <= 20; i++) {
    throttle.trigger();
    mock.timers.tick(50);
  }
  for (let i = 0; i < 100; i++) mock.timers.tick(50);
  assert.equal(at[0], 0, 'the first update refreshes at once');
  // Every 500 ms during the burst, the trailing one after it, and the settle one 1.5 s after the last update.
  assert.deepEqual(at, [0, 500, 1000, 1500, 2500]);
});

test('a single update refreshes once now and once when it settles; cancel stops both', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let calls = 0;
  const throttle = createRefreshThrottle(() => calls++, 500, 1500);
  throttle.trigger();
  assert.equal(calls, 1);
  mock.timers.tick(2000);
  assert.equal(calls, 2);
  throttle.trigger();
  throttle.trigger();
  throttle.cancel();
  mock.timers.tick(5000);
  assert.equal(calls, 3, 'only the immediate refresh of the cancelled burst');
});
