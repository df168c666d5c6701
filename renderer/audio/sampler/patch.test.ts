import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTRUMENTS } from '../../../core/song/instrument-catalog.ts';
import { GENERATIONS, SONG_SLOTS, SlotMap, channelCut, channelFor, channelSetup, patchForTrack } from './patch.ts';

test("a track's patch is its catalog preset; drum tracks get a kit on the percussion bank", () => {
  assert.deepEqual(patchForTrack({ role: 'keys', instrument: 'grand-piano' }), { id: 'grand-piano', bank: 0, program: 0, drums: false });
  assert.deepEqual(patchForTrack({ role: 'drums', instrument: 'jazz-kit' }), { id: 'jazz-kit', bank: 128, program: 32, drums: true });
  // Free text from older songs: guessed by GM program, else the role's default.
  assert.equal(patchForTrack({ role: 'bass', instrument: 'Fretless bass' }).id, 'fretless-bass');
  assert.equal(patchForTrack({ role: 'drums', instrument: 'grand-piano' }).id, 'acoustic-kit');
  for (const preset of INSTRUMENTS)
    assert.equal(patchForTrack({ role: preset.bank === 128 ? 'drums' : 'keys', instrument: preset.id }).program, preset.program);
});

test('slots are stable per track, reused when a track goes, and run out after 15', () => {
  const slots = new SlotMap();
  assert.deepEqual([...slots.assign(['a', 'b', 'c']).values()], [0, 1, 2]);
  assert.deepEqual(
    [...slots.assign(['c', 'a']).entries()],
    [
      ['c', 2],
      ['a', 0],
    ],
  );
  assert.deepEqual(slots.assign(['a', 'c', 'd']).get('d'), 1);
  const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
  const got = slots.assign(many);
  assert.equal([...got.values()].filter((s) => s !== null).length, SONG_SLOTS);
  assert.equal(got.get('t19'), null);
});

test('channels: slot + 16 × generation; bad slots are an error', () => {
  assert.equal(channelFor(5, 0), 5);
  assert.equal(channelFor(5, 1), 21);
  assert.equal(channelFor(5, GENERATIONS), 5);
  assert.throws(() => channelFor(16, 0), /no output slot 16/);
  // Messages carry the channel mod 16 (the synth adds the offset).
  assert.deepEqual(channelSetup(21, { id: 'x', bank: 0, program: 33, drums: false }).at(-1), [0xc5, 33]);
  assert.deepEqual(channelCut(21)[0], [0xb5, 120, 0]);
});
