import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editorCommandForKey } from './editor-keys.ts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

test('the editor map: notes keys, with Shift for big moves', () => {
  assert.deepEqual(editorCommandForKey(key('Delete'), false), { command: 'delete', big: false });
  assert.deepEqual(editorCommandForKey(key('ArrowUp', { shiftKey: true }), false), { command: 'up', big: true });
  assert.deepEqual(editorCommandForKey(key('q'), false), { command: 'quantize', big: false });
  assert.deepEqual(editorCommandForKey(key('c', { ctrlKey: true }), false), { command: 'copy', big: false });
  assert.deepEqual(editorCommandForKey(key('v', { metaKey: true }), true), { command: 'paste', big: false });
  assert.deepEqual(editorCommandForKey(key('A', { ctrlKey: true }), false), { command: 'selectAll', big: false });
});

test('what the editor leaves to the window: Space, undo, Alt+arrows, Mod+D', () => {
  for (const k of [
    key(' '),
    key('z', { ctrlKey: true }),
    key('z', { ctrlKey: true, shiftKey: true }),
    key('ArrowLeft', { altKey: true }),
    key('d', { ctrlKey: true }),
    key('l'),
  ]) {
    assert.equal(editorCommandForKey(k, false), null, JSON.stringify(k));
  }
  assert.equal(editorCommandForKey(key('c', { metaKey: true }), false), null, 'Meta is not Mod off the Mac');
});
