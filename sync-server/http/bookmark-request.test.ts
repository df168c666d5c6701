import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bookmarkNameProblem, parseBookmarkRequest } from './bookmark-request.ts';

test('bookmark names: 1-100 characters after trimming, no control characters', () => {
  for (const name of ['Chorus', '  Good take  ', 'x'.repeat(100), '🎸'.repeat(100), 'Família 👨‍👩‍👧', 'tab\u00a0nbsp']) {
    assert.equal(bookmarkNameProblem(name), null, name);
  }
  for (const name of ['', '   ', 'x'.repeat(101), '🎸'.repeat(101)]) assert.match(bookmarkNameProblem(name)!, /1 to 100 characters/, name);
  for (const name of ['a\nb', 'bell\u0007', 'esc\u001b[31m', 'c1\u0085', 'line\u2028sep', 'evil\u202egnp.exe', 'iso\u2066x']) {
    assert.match(bookmarkNameProblem(name)!, /control characters/, JSON.stringify(name));
  }
  for (const name of [null, 7, ['a'], { a: 1 }]) assert.match(bookmarkNameProblem(name)!, /must be a string/);
});

test('a bookmark request names a seq of the history and a good name', () => {
  assert.deepEqual(parseBookmarkRequest({ seq: 2, name: ' Verse ' }, 5), { seq: 2, name: 'Verse' });
  for (const seq of [-1, 6, 1.5, '2', null, undefined]) {
    assert.throws(() => parseBookmarkRequest({ seq, name: 'x' }, 5), {
      name: 'HttpError',
      status: 400,
      message: 'seq must be an integer from 0 to 5',
    } as object);
  }
  assert.throws(() => parseBookmarkRequest({ seq: 1, name: 'a\u0000' }, 5), { status: 400 } as object);
});
