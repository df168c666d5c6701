import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chordPitchClasses } from '../../../core/theory/chords.ts';
import { deriveBass, parseHarteChord, readPop909Song } from './pop909.ts';

const SONGS = '../shared/datasets/pop909/POP909';

test('Harte chord labels map onto our qualities', () => {
  assert.deepEqual(parseHarteChord('B:maj7'), { root: 11, quality: 'maj7' });
  assert.deepEqual(parseHarteChord('C#:min/b3'), { root: 1, quality: 'min' });
  assert.deepEqual(parseHarteChord('G:sus4(b7)'), { root: 7, quality: 'sus4' });
  assert.deepEqual(parseHarteChord('F#:hdim7'), { root: 6, quality: 'm7b5' });
  assert.deepEqual(parseHarteChord('N'), { root: null, quality: 'maj' });
});

test('the derived bass follows the piano left hand and plays chord tones in bass range', () => {
  const chords = [
    { tick: 0, root: 0, quality: 'maj' as const },
    { tick: 1920, root: 9, quality: 'min' as const },
  ];
  const piano = [
    { pitch: 48, tick: 0, duration: 900, velocity: 70 },
    { pitch: 64, tick: 0, duration: 900, velocity: 60 },
    { pitch: 55, tick: 960, duration: 900, velocity: 70 },
    { pitch: 50, tick: 1920, duration: 400, velocity: 70 }, // D is not in A minor: the root A is played
  ];
  const bass = deriveBass(piano, chords);
  assert.deepEqual(
    bass.map((n) => [n.tick, n.pitch % 12]),
    [
      [0, 0],
      [960, 7],
      [1920, 9],
    ],
  );
  assert.ok(bass.every((n) => n.pitch >= 28 && n.pitch <= 55));
  assert.equal(bass[0]!.duration, 900); // as long as the piano note, which ends before the next onset
});

test('a real POP909 song: lead, keys, derived bass and chords on the beat grid', (t) => {
  if (!existsSync(SONGS)) return t.skip('../shared/datasets is not beside the project');
  const piece = readPop909Song(`${SONGS}/001`, '001');
  assert.deepEqual(
    piece.tracks.map((tr) => tr.role),
    ['lead', 'keys', 'bass'],
  );
  assert.deepEqual(piece.keys[0]!.key, { tonic: 6, mode: 'major' }); // Gb major
  assert.ok(
    piece.chords.every((c) => c.tick % 480 === 0),
    'chord changes on beats',
  );
  assert.ok(piece.tracks.every((tr) => tr.notes.every((n) => n.tick >= 0 && n.tick < piece.lengthBars * 1920)));
  const bass = piece.tracks[2]!.notes;
  assert.ok(bass.length > 100);
  let tones = 0;
  for (const note of bass) {
    const chord = [...piece.chords].reverse().find((c) => c.tick <= note.tick)!;
    if (chord.root !== null && chordPitchClasses({ root: chord.root, quality: chord.quality }).has(note.pitch % 12)) tones++;
  }
  assert.ok(tones / bass.length > 0.95, `chord tones ${tones}/${bass.length}`);
});
