import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chordToneCount, eventSet, inKeyCount, isStrictlyIncreasing, jaccard, meanPairwiseJaccard } from './metrics.ts';
import { progression } from './conditions.ts';

const note = (pitch: number, tick: number) => ({ pitch, tick, duration: 240, velocity: 90 });

test('in-key share counts the diatonic scale, and the leading tone in minor', () => {
  const notes = [note(60, 0), note(61, 0), note(71, 0), note(68, 0)];
  assert.deepEqual(inKeyCount(notes, { tonic: 0, mode: 'major' }), { inKey: 2, total: 4 });
  // A minor: A B C D E F G plus G#.
  assert.deepEqual(inKeyCount(notes, { tonic: 9, mode: 'minor' }), { inKey: 3, total: 4 });
});

test('chord tones are checked on beats 1 and 3 only, against the chord sounding then', () => {
  const chords = progression({ tonic: 0, mode: 'major' }); // C G Am F
  const notes = [note(36, 0), note(38, 480), note(43, 960), note(43, 1920), note(41, 1920 + 960), note(45, 3840)];
  // bar 1: C on 1 (tone), D on 2 (skipped), G on 3 (tone); bar 2 (G): G on 1 (tone), F on 3 (not); bar 3 (Am): A on 1 (tone)
  assert.deepEqual(chordToneCount(notes, chords, { numerator: 4, denominator: 4 }), { onChord: 4, total: 5 });
});

test('diversity is the mean pairwise Jaccard of event sets', () => {
  const a = eventSet({ role: 'lead', notes: [note(60, 0), note(62, 240)] });
  const b = eventSet({ role: 'lead', notes: [note(60, 0), note(64, 240)] });
  assert.equal(jaccard(a, a), 1);
  assert.equal(jaccard(a, b), 1 / 3);
  assert.equal(meanPairwiseJaccard([a, a, b]), (1 + 1 / 3 + 1 / 3) / 3);
  assert.ok(isStrictlyIncreasing([1, 2, 3]));
  assert.ok(!isStrictlyIncreasing([1, 2, 2]));
});
