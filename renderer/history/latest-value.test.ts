import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLatestValue } from './latest-value.ts';

test('subscribers hear each new value once; the same value is no news', () => {
  const latest = createLatestValue({ n: 1 });
  const seen: number[] = [];
  const off = latest.subscribe(() => seen.push(latest.get().n));
  const two = { n: 2 };
  latest.set(two);
  latest.set(two);
  latest.set({ n: 3 });
  off();
  latest.set({ n: 4 });
  assert.deepEqual(seen, [2, 3]);
  assert.equal(latest.get().n, 4);
});
