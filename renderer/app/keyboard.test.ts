import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandForKey, type KeyLike } from './keyboard.ts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

test('the keyboard map', () => {
  assert.equal(commandForKey(key(' '), false), 'togglePlay');
  assert.equal(commandForKey(key('z', { ctrlKey: true }), false), 'undo');
  assert.equal(commandForKey(key('Z', { ctrlKey: true, shiftKey: true }), false), 'redo');
  assert.equal(commandForKey(key('z', { metaKey: true }), true), 'undo');
  assert.equal(commandForKey(key('z', { ctrlKey: true }), true), null, 'Ctrl+Z is not undo on a Mac');
  assert.equal(commandForKey(key('d', { ctrlKey: true }), false), 'duplicateClip');
  assert.equal(commandForKey(key('Delete'), false), 'deleteClip');
  assert.equal(commandForKey(key('Backspace'), false), 'deleteClip');
  assert.equal(commandForKey(key('ArrowLeft'), false), 'nudgeLeft');
  assert.equal(commandForKey(key('ArrowDown', { altKey: true }), false), 'selectDown');
  assert.equal(commandForKey(key('x'), false), null);
});
