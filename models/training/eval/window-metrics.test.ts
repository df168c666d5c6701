import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binOf, histogram, overlap, summarize } from './distribution.ts';
import {
  chordTonesOnBeats,
  kickOn1,
  lineIntervals,
  pitchClassEntropy,
  repeatedBars,
  rhythmConsistency,
  snareOn2And4,
  windowMetrics,
  type WindowPart,
} from './window-metrics.ts';

const meter = { numerator: 4, denominator: 4 };
const note = (pitch: number, tick: number, velocity = 90) => ({ pitch, tick, duration: 240, velocity });
// C for bar 1, G from bar 2.
const chords = [
  { tick: 0, root: 0, quality: 'maj' as const },
  { tick: 1920, root: 7, quality: 'maj' as const },
];
const part = (role: WindowPart['role'], notes: WindowPart['notes'], bars = 2): WindowPart => ({
  role,
  notes,
  bars,
  meter,
  key: { tonic: 0, mode: 'major' },
  chords,
});

test('chord tones on beats: every beat counts, off-beat notes do not, against the chord then', () => {
  // bar 1 (C): E on beat 1 (tone), D on beat 2 (not), F# off the beat (skipped); bar 2 (G): B on beat 3 (tone)
  const p = part('keys', [note(64, 0), note(62, 480), note(66, 720), note(71, 1920 + 960)]);
  assert.equal(chordTonesOnBeats(p), 2 / 3);
  assert.equal(chordTonesOnBeats(part('keys', [note(60, 120)])), null);
  assert.equal(chordTonesOnBeats({ ...p, chords: [{ tick: 0, root: null, quality: 'maj' }] }), null);
});

test('pitched window: in key, range, entropy, polyphony, intervals and leaps by hand', () => {
  // A C-major triad on beat 1, then F# alone on beat 2, then G on bar 2's beat 1.
  const p = part('keys', [note(60, 0), note(64, 0), note(67, 0), note(66, 480), note(67, 1920)]);
  const m = windowMetrics(p);
  assert.equal(m.density, 5 / 2);
  assert.equal(m.inKey, 4 / 5);
  assert.equal(m.pitchRange, 7);
  // classes C E G F# G: 1/5, 1/5, 2/5, 1/5
  assert.equal(m.pitchClassEntropy, -(3 * 0.2 * Math.log2(0.2) + 0.4 * Math.log2(0.4)));
  assert.equal(m.polyphony, 5 / 3);
  // top line 67 66 67: intervals -1, +1; no leap
  assert.deepEqual(lineIntervals(p), [-1, 1]);
  assert.equal(m.meanInterval, 1);
  assert.equal(m.leapShare, 0);
  // the bass line takes each onset's lowest note: 60 66 67
  assert.deepEqual(lineIntervals({ ...p, role: 'bass' }), [6, 1]);
  assert.equal(windowMetrics({ ...p, role: 'bass' }).leapShare, 0.5);
  assert.equal(pitchClassEntropy([note(60, 0), note(72, 480)]), 0);
});

test("rhythm consistency is the mean Jaccard of consecutive bars' onsets", () => {
  // bar 1 onsets {0, 480}, bar 2 {0, 960}, bar 3 {0, 960}: 1/3 and 1
  const p = part('lead', [note(60, 0), note(62, 480), note(60, 1920), note(62, 1920 + 960), note(60, 3840), note(64, 3840 + 960)], 3);
  assert.equal(rhythmConsistency(p), (1 / 3 + 1) / 2);
  assert.equal(rhythmConsistency(part('lead', [], 2)), 1);
});

test('drums: repeated bars, kick on 1, snare on 2 and 4, kit shares', () => {
  const bar = (b: number, snareVelocity = 90, hat = 960) => [
    note(36, b * 1920),
    note(38, b * 1920 + 480, snareVelocity),
    note(42, b * 1920 + hat),
    note(38, b * 1920 + 1440),
  ];
  // bars 1, 2 and 3 the same (bar 2's softer snare is the same pattern), bar 4 has no kick and one backbeat
  const notes = [...bar(0), ...bar(1, 60), ...bar(2), note(38, 3 * 1920 + 480), note(45, 3 * 1920 + 1200)];
  const p = part('drums', notes, 4);
  assert.equal(repeatedBars(p), 2 / 3);
  // the hi-hat moved an eighth in bar 2: no pair repeats
  assert.equal(repeatedBars(part('drums', [...bar(0), ...bar(1, 90, 1200), ...bar(2, 90, 960)], 3)), 0);
  assert.equal(kickOn1(p), 3 / 4);
  assert.equal(snareOn2And4(p), 7 / 8);
  const m = windowMetrics(p);
  assert.equal(m.hihatShare, 3 / 14);
  assert.equal(m.tomShare, 1 / 14);
  assert.equal(m.density, 14 / 4);
  assert.equal(m.pitchRange, undefined, 'pitch metrics are for pitched parts');
});

test('histogram overlap: fixed bins, edges clamp, identical sets overlap fully', () => {
  const bins = { low: 0, high: 1, count: 10 };
  assert.equal(binOf(1, bins), 9);
  assert.equal(binOf(-3, bins), 0);
  assert.deepEqual(histogram([0.05, 0.05, 0.95, 1], bins), [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.5]);
  assert.equal(overlap([0.1, 0.9], [0.1, 0.9], bins), 1);
  // a: half in bin 1, half in bin 9; b: all in bin 1 → 0.5
  assert.equal(overlap([0.1, 0.9], [0.15, 0.12], bins), 0.5);
  assert.equal(overlap([0.1], [0.5], bins), 0);
  assert.ok(Number.isNaN(overlap([], [0.5], bins)));
  assert.deepEqual(summarize([1, 3]), { n: 2, mean: 2, sd: 1 });
});
