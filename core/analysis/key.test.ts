import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NoteInput } from '../song/types.ts';
import {
  addChordTones,
  KRUMHANSL_KESSLER,
  TEMPERLEY,
  confidenceOf,
  detectKey,
  keyName,
  keyOfHistogram,
  pearson,
  pitchClassHistogram,
  rankKeys,
} from './key.ts';

const note = (pitch: number, duration = 480): Pick<NoteInput, 'pitch' | 'duration'> => ({ pitch, duration });

test('pearson: a scaled copy correlates 1, a reversed one -1, a flat series 0', () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(pearson([1, 2, 3], [3, 2, 1]), -1);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), 0);
});

test('the histogram sums durations per pitch class, a long note capped at a whole note', () => {
  const histogram = pitchClassHistogram([note(60), note(72), note(64, 3000), note(71, 240)]);
  assert.deepEqual(histogram, [960, 0, 0, 0, 1920, 0, 0, 0, 0, 0, 0, 240]);
});

test("a histogram shaped like a key's own profile is that key with correlation 1", () => {
  // Temperley's D major profile: C major's weights moved up two semitones.
  const dMajor = Array.from({ length: 12 }, (_, pc) => TEMPERLEY.major[(pc - 2 + 12) % 12]!);
  const best = keyOfHistogram(dMajor, [TEMPERLEY]);
  assert.deepEqual(best?.key, { tonic: 2, mode: 'major' });
  assert.ok(Math.abs(best!.correlation - 1) < 1e-12);
  const eMinor = Array.from({ length: 12 }, (_, pc) => KRUMHANSL_KESSLER.minor[(pc - 4 + 12) % 12]!);
  assert.deepEqual(keyOfHistogram(eMinor, [KRUMHANSL_KESSLER])?.key, { tonic: 4, mode: 'minor' });
});

test('a C major tune (tonic and fifth held, the rest passing) is C major; an A minor one with G# is A minor', () => {
  const cMajor = [note(60, 1920), note(62), note(64, 960), note(65), note(67, 1920), note(69), note(71), note(72, 960)];
  const c = detectKey(cMajor);
  assert.deepEqual(c?.key, { tonic: 0, mode: 'major' });
  const aMinor = [note(57, 1920), note(59), note(60, 960), note(62), note(64, 1920), note(65), note(68, 480), note(69, 960)];
  assert.deepEqual(detectKey(aMinor)?.key, { tonic: 9, mode: 'minor' });
});

test('transposing the notes moves the key by the same interval', () => {
  const tune = [note(60, 1920), note(62), note(64, 960), note(65), note(67, 1920), note(69), note(71), note(72, 960)];
  for (let shift = 0; shift < 12; shift++) {
    const estimate = detectKey(tune.map((n) => ({ ...n, pitch: n.pitch + shift })));
    assert.deepEqual(estimate?.key, { tonic: shift, mode: 'major' }, `shift ${shift}`);
  }
});

test('the margin is the lead over the runner-up, and grows as the evidence does', () => {
  const ranked = rankKeys(pitchClassHistogram([note(60), note(64), note(67)]));
  const estimate = keyOfHistogram(pitchClassHistogram([note(60), note(64), note(67)]))!;
  assert.equal(estimate.correlation, ranked[0]!.correlation);
  assert.deepEqual(estimate.runnerUp, ranked[1]);
  assert.equal(estimate.margin, ranked[0]!.correlation - ranked[1]!.correlation);
  assert.ok(estimate.margin >= 0);
  // A bare C major triad could be C major or E minor or ...; the full scale with tonic weight is clearer.
  const clear = detectKey([note(60, 1920), note(62), note(64, 960), note(65), note(67, 1920), note(69), note(71)])!;
  assert.ok(clear.margin > estimate.margin, `${clear.margin} > ${estimate.margin}`);
});

test('no notes, or every pitch class alike, is no key', () => {
  assert.equal(detectKey([]), null);
  assert.equal(detectKey(Array.from({ length: 12 }, (_, i) => note(60 + i))), null);
});

test('confidence words follow the margin thresholds', () => {
  assert.equal(confidenceOf(0.01), 'low');
  assert.equal(confidenceOf(0.08), 'medium');
  assert.equal(confidenceOf(0.3), 'high');
});

test('key names spell flat keys with flats', () => {
  assert.equal(keyName({ tonic: 10, mode: 'major' }), 'Bb major');
  assert.equal(keyName({ tonic: 7, mode: 'minor' }), 'G minor');
  assert.equal(keyName({ tonic: 6, mode: 'minor' }), 'F# minor');
  assert.equal(keyName({ tonic: 9, mode: 'major' }), 'A major');
  assert.equal(keyName({ tonic: 5, mode: 'minor' }), 'F minor');
});

test('chord tones add their share of the chord: a triad of a half note gives each tone 2/3 of it', () => {
  assert.deepEqual(
    addChordTones(new Array(12).fill(0), [{ pitchClasses: [0, 4, 7], duration: 960 }]),
    [640, 0, 0, 0, 640, 0, 0, 640, 0, 0, 0, 0],
  );
  // Capped at a whole note, like a long note; a pitch class past the octave wraps.
  assert.deepEqual(addChordTones(new Array(12).fill(0), [{ pitchClasses: [14], duration: 10_000 }], 1)[2], 1920);
});

test('chords under a melody decide between the keys it fits: C-E-G-E over Am, Dm, E is A minor', () => {
  const melody = [note(60), note(64), note(67), note(64)];
  const chords = [
    { pitchClasses: [9, 0, 4], duration: 1920 },
    { pitchClasses: [2, 5, 9], duration: 1920 },
    { pitchClasses: [4, 8, 11], duration: 1920 },
    { pitchClasses: [9, 0, 4], duration: 1920 },
  ];
  // Alone the arpeggio sounds like E minor (its E held twice as long as C and G).
  assert.deepEqual(detectKey(melody)?.key, { tonic: 4, mode: 'minor' });
  assert.deepEqual(detectKey(melody, chords)?.key, { tonic: 9, mode: 'minor' });
});
