import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip } from '../../core/song/edits.ts';
import { createEditRunner } from './edit-runner.ts';

test('edits refused by core or made by a viewer become messages, not exceptions', () => {
  const messages: string[] = [];
  const editor = createEditRunner(false, (m) => messages.push(m));
  const doc = new Y.Doc();
  assert.equal(
    editor.run(() => addClip(doc, { trackId: 'nope', startBar: 0, lengthBars: 1 })),
    undefined,
  );
  assert.match(messages.pop()!, /no track with id nope/);
  assert.throws(
    () =>
      editor.run(() => {
        throw new TypeError('a bug');
      }),
    TypeError,
    'bugs are not swallowed',
  );
  const viewer = createEditRunner(true, (m) => messages.push(m));
  let ran = false;
  viewer.run(() => (ran = true));
  assert.equal(ran, false);
  assert.match(messages.pop()!, /viewer/);
});
