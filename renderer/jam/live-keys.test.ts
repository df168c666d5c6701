import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandForKey } from '../app/keyboard.ts';
import { DEFAULT_TYPING, NOTE_KEYS, noteName, typingAction } from './live-keys.ts';

const key = (code: string, extra: Partial<{ key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  code,
  key: code.replace('Key', '').toLowerCase(),
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...extra,
});

test('A W S E D F T G Y H U J K play one octave from C, by key position', () => {
  const pitches = ['KeyA', 'KeyW', 'KeyS', 'KeyE', 'KeyD', 'KeyF', 'KeyT', 'KeyG', 'KeyY', 'KeyH', 'KeyU', 'KeyJ', 'KeyK'].map((c) =>
    typingAction(key(c), DEFAULT_TYPING),
  );
  assert.deepEqual(
    pitches.map((a) => a?.kind === 'note' && a.pitch),
    [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72],
  );
  assert.equal(noteName(60), 'C4');
  // An AZERTY "q" sits where A is: same code, same note.
  assert.deepEqual(typingAction({ ...key('KeyA'), key: 'q' }, DEFAULT_TYPING), { kind: 'note', pitch: 60 });
});

test('Z/X shift the octave, C/V the velocity, within range', () => {
  let s = DEFAULT_TYPING;
  for (let i = 0; i < 8; i++) {
    const a = typingAction(key('KeyZ'), s);
    assert.equal(a?.kind, 'state');
    if (a?.kind === 'state') s = a.state;
  }
  assert.equal(s.baseOctaveC, 0);
  const x = typingAction(key('KeyX'), s);
  assert.deepEqual(x, { kind: 'state', state: { ...s, baseOctaveC: 12 } });
  const v = typingAction(key('KeyV'), DEFAULT_TYPING);
  assert.equal(v?.kind === 'state' && v.state.velocity, 120);
});

test("modified keys and the app's own shortcuts are left alone", () => {
  assert.equal(typingAction(key('KeyZ', { ctrlKey: true }), DEFAULT_TYPING), null);
  assert.equal(typingAction(key('KeyD', { metaKey: true }), DEFAULT_TYPING), null);
  for (const code of ['Space', 'ArrowLeft', 'Delete', 'Backspace', 'Escape', 'Equal', 'Minus', 'Home', 'Enter']) {
    assert.equal(typingAction(key(code), DEFAULT_TYPING), null, code);
  }
  // Of the note keys only L is also a shortcut (loop the clip): musical typing takes it while on.
  const taken = Object.keys(NOTE_KEYS).filter((c) => commandForKey(key(c), false) !== null);
  assert.deepEqual(taken, ['KeyL']);
});
