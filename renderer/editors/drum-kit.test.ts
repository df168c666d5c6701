import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KIT_PIECES, drumName, drumRows } from './drum-kit.ts';
import { PIANO_ROWS, isBlackKey, pitchName, shiftedPitch } from './rows.ts';

test('the kit: the General MIDI pieces the brief names, kick at the bottom', () => {
  assert.deepEqual(new Set(KIT_PIECES.map((k) => k.pitch)), new Set([36, 38, 42, 46, 45, 48, 50, 49, 51]));
  assert.equal(KIT_PIECES.at(-1)!.name, 'Kick');
  assert.equal(drumName(39), 'Clap');
  assert.equal(drumName(100), 'Key 100');
});

test('drum rows: the kit plus any other pitch the clip uses, above it', () => {
  const rows = drumRows([36, 39, 38, 56]);
  assert.deepEqual(rows.pitches.slice(0, 2), [56, 39]);
  assert.equal(rows.pitches.length, KIT_PIECES.length + 2);
  assert.equal(rows.indexOf.get(36), rows.pitches.length - 1);
});

test('rows: moving by rows follows the model, not semitones', () => {
  const rows = drumRows([]);
  assert.equal(shiftedPitch(rows, 36, -1), 38, 'one row up from the kick is the snare');
  assert.equal(shiftedPitch(rows, 36, 1), null, 'nothing below the kick');
  assert.equal(shiftedPitch(PIANO_ROWS, 60, -12), 72);
  assert.equal(shiftedPitch(PIANO_ROWS, 127, -1), null);
  assert.equal(pitchName(60), 'C4');
  assert.equal(pitchName(61), 'C#4');
  assert.equal(isBlackKey(61), true);
  assert.equal(isBlackKey(64), false);
});
