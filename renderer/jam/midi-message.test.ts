import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveNoteFromMidi } from './midi-message.ts';

test('note-on plays, note-off and note-on at velocity 0 release, on any channel', () => {
  assert.deepEqual(liveNoteFromMidi([0x90, 60, 100]), { kind: 'on', pitch: 60, velocity: 100 });
  assert.deepEqual(liveNoteFromMidi(new Uint8Array([0x9f, 72, 1])), { kind: 'on', pitch: 72, velocity: 1 });
  assert.deepEqual(liveNoteFromMidi([0x80, 60, 64]), { kind: 'off', pitch: 60, velocity: 0 });
  assert.deepEqual(liveNoteFromMidi([0x93, 60, 0]), { kind: 'off', pitch: 60, velocity: 0 });
});

test('controllers, pitch bend, clock, sysex and malformed messages are not notes', () => {
  for (const m of [
    [0xb0, 1, 64],
    [0xe0, 0, 64],
    [0xf8],
    [0xf0, 0x7e, 0x7f, 0xf7],
    [0x90, 60],
    [0x90, 200, 100],
    [0x90, 60, 255],
    [],
    null,
  ]) {
    assert.equal(liveNoteFromMidi(m as number[] | null), null, JSON.stringify(m));
  }
});
