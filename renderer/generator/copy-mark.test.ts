import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyMark } from './copy-mark.ts';

test('a marked variation says how much repeats training music; an unmarked or unchecked one says nothing', () => {
  assert.equal(
    copyMark({ unit: 'notes', total: 24, found: 14, longestRun: 12, marked: true }),
    'Repeats training music: 12 notes in a row (14 of 24 notes found)',
  );
  assert.equal(
    copyMark({ unit: 'bars', total: 4, found: 3, longestRun: 3, marked: true }),
    'Repeats training music: 3 bars in a row (3 of 4 bars found)',
  );
  assert.equal(copyMark({ unit: 'notes', total: 24, found: 9, longestRun: 9, marked: false }), null);
  assert.equal(copyMark(undefined), null);
});
