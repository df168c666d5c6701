import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageEnd } from './page-end.ts';

test('a page ends at the last entry that keeps it within the bytes, and holds at least one', () => {
  const sizes = [
    { seq: 5, bytes: 40 },
    { seq: 6, bytes: 50 },
    { seq: 7, bytes: 20 },
  ];
  assert.equal(pageEnd([], 100), null);
  assert.equal(pageEnd(sizes, 100), 6, '40 + 50 fit; + 20 does not');
  assert.equal(pageEnd(sizes, 110), 7, 'exactly full');
  assert.equal(pageEnd(sizes, 10), 5, 'an entry larger than the page is a page of its own');
});
