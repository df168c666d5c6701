import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropBar, droppedLibraryClip, isLibraryDrag, LIBRARY_DRAG_TYPE, startLibraryDrag } from './library-drag.ts';

function transfer() {
  const data = new Map<string, string>();
  return {
    get types() {
      return [...data.keys()];
    },
    getData: (f: string) => data.get(f) ?? '',
    setData: (f: string, v: string) => void data.set(f, v),
    effectAllowed: 'none',
  };
}

test('a library drag carries the riff id under its own type; lanes take nothing else', () => {
  const t = transfer();
  startLibraryDrag(t, 'abc123');
  assert.equal(t.effectAllowed, 'copy');
  assert.equal(isLibraryDrag(t), true);
  assert.equal(droppedLibraryClip(t), 'abc123');
  const file = transfer();
  file.setData('text/plain', 'abc123');
  assert.equal(droppedLibraryClip(file), null);
  const hostile = transfer();
  hostile.setData(LIBRARY_DRAG_TYPE, '../../x');
  assert.equal(droppedLibraryClip(hostile), null);
  assert.equal(dropBar(250, 100), 2);
  assert.equal(dropBar(-5, 100), 0);
});
