import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key, NoteInput } from '../song/types.ts';
import { clipFeatures, explainSimilarity, mostSimilar, similarity, type FeatureInput } from './similarity.ts';

const FOUR = { numerator: 4, denominator: 4 };
const E_MINOR: Key = { tonic: 4, mode: 'minor' };

/** A two-bar bass line: `rhythm` onsets (in 16ths) repeated each bar, walking `steps` from `root`. */
function line(root: number, rhythm: number[], steps: number[], bars = 2): NoteInput[] {
  const notes: NoteInput[] = [];
  let i = 0;
  for (let bar = 0; bar < bars; bar++)
    for (const at of rhythm)
      notes.push({ pitch: root + steps[i++ % steps.length]!, tick: bar * 1920 + at * 120, duration: 110, velocity: 96 });
  return notes;
}

const input = (notes: NoteInput[], key: Key | null = E_MINOR, drums = false): FeatureInput => ({
  notes,
  lengthBars: 2,
  meter: FOUR,
  key,
  drums,
});

const FUNK = [0, 3, 6, 8, 10, 14];
const STRAIGHT = [0, 4, 8, 12];
const riff = line(40, FUNK, [0, 0, 7, 5, 3, 10]);

test('a transposed copy (its key moved with it) has the same features and ranks first', () => {
  const original = clipFeatures(input(riff));
  const up = clipFeatures(
    input(
      riff.map((n) => ({ ...n, pitch: n.pitch + 5 })),
      { tonic: 9, mode: 'minor' },
    ),
  );
  assert.ok(Math.abs(similarity(original, up) - 1) < 1e-9);
  const candidates = [
    { item: 'same notes, straight quarters', features: clipFeatures(input(line(40, STRAIGHT, [0, 0, 7, 5, 3, 10]))) },
    { item: 'other line, same groove', features: clipFeatures(input(line(40, FUNK, [0, 12, 0, 12, 0, 12]))) },
    { item: 'transposed copy', features: up },
    { item: 'drums', features: clipFeatures(input(line(36, FUNK, [0, 2, 6]), null, true)) },
  ];
  const ranked = mostSimilar(original, candidates, 4);
  assert.equal(ranked[0]!.item, 'transposed copy');
  assert.equal(ranked.at(-1)!.item, 'drums', 'a drum groove is never "more of the same" as a bass line');
  assert.match(ranked[0]!.why, /same rhythm on the bar grid 100%/);
});

test('a different groove ranks low: the rhythm part is what separates it', () => {
  const a = clipFeatures(input(riff));
  const sameGroove = clipFeatures(input(line(40, FUNK, [0, 3, 5, 7, 10, 12])));
  const otherGroove = clipFeatures(input(line(40, STRAIGHT, [0, 0, 7, 5, 3, 10])));
  assert.ok(similarity(a, sameGroove) > similarity(a, otherGroove));
  assert.doesNotMatch(explainSimilarity(a, otherGroove), /same rhythm/);
});

test('pitch classes count from the key: the same scale degrees in another key are the same', () => {
  const inE = clipFeatures(input(riff, E_MINOR));
  const inEWrongKey = clipFeatures(
    input(
      riff.map((n) => ({ ...n, pitch: n.pitch + 5 })),
      E_MINOR,
    ),
  );
  assert.ok(similarity(inE, inEWrongKey) < 0.99, 'moved notes, key not moved: no longer the same degrees');
});

test('empty clips and clips without steps compare without dividing by zero', () => {
  const empty = clipFeatures(input([]));
  const one = clipFeatures(input([{ pitch: 40, tick: 0, duration: 100, velocity: 90 }]));
  for (const s of [similarity(empty, empty), similarity(empty, one), similarity(one, one)]) assert.ok(Number.isFinite(s));
  assert.ok(Math.abs(similarity(one, one) - 1) < 1e-9);
});
