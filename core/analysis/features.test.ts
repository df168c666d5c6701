import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NoteInput } from '../song/types.ts';
import { beatPhaseOf, partFeatures, polyphonyOf, syncopationOf } from './features.ts';

const FOUR_FOUR = { numerator: 4, denominator: 4 };
const n = (tick: number, pitch: number, duration = 480, velocity = 100): NoteInput => ({ tick, pitch, duration, velocity });

test('two bars of quarter notes: 4 a bar, no overlap, no syncopation, one beat long', () => {
  const notes = Array.from({ length: 8 }, (_, i) => n(i * 480, 60 + (i % 3)));
  const f = partFeatures(notes, FOUR_FOUR)!;
  assert.equal(f.notes, 8);
  assert.equal(f.bars, 2);
  assert.equal(f.notesPerBar, 4);
  assert.equal(f.onsetsPerBar, 4);
  assert.equal(f.polyphony, 0);
  assert.equal(f.syncopation, 0);
  assert.equal(f.meanBeats, 1);
  assert.equal(f.medianPitch, 61);
  assert.equal(f.meanVelocity, 100);
});

test('block chords: every note overlaps, a chord is one onset', () => {
  const chord = (tick: number): NoteInput[] => [n(tick, 60, 1920), n(tick, 64, 1920), n(tick + 10, 67, 1910)];
  const f = partFeatures([...chord(0), ...chord(1920)], FOUR_FOUR)!;
  assert.equal(f.polyphony, 1);
  assert.equal(f.notesPerBar, 3);
  assert.equal(f.onsetsPerBar, 1);
});

test('legato overlaps of a 32nd or less are not harmony', () => {
  assert.equal(polyphonyOf([n(0, 60, 520), n(480, 62, 480)]), 0);
  assert.equal(polyphonyOf([n(0, 60, 600), n(480, 62, 480)]), 1);
  // A short grace note inside a long one overlaps it by only 30 ticks.
  assert.equal(polyphonyOf([n(0, 60, 960), n(240, 72, 30)]), 0);
});

test('an off-beat onset before an empty beat is syncopated, one before a played beat is not', () => {
  // 8th before beat 2 with beat 2 empty (syncopated); the "and" of beat 3 with beat 4 played (not).
  assert.equal(syncopationOf([0, 720, 960 + 480, 1200 + 480, 1440 + 480], 480), 1 / 5);
  assert.equal(syncopationOf([0, 240, 480, 720, 960], 480), 0);
  assert.equal(syncopationOf([], 480), 0);
});

test('6/8 counts beats in eighths; no notes is no features', () => {
  const f = partFeatures([n(0, 60, 240), n(240, 62, 240), n(480, 64, 240)], { numerator: 6, denominator: 8 })!;
  assert.equal(f.meanBeats, 1);
  assert.equal(f.bars, 1);
  assert.equal(partFeatures([], FOUR_FOUR), null);
});

test('a file whose beats sit 120 ticks after the grid: the phase is found, and syncopation measured from it', () => {
  // Quarter notes on the beat, and one 8th before an empty beat, all moved 120 ticks later.
  const onsets = [0, 480, 960, 1440, 2160, 2880, 3360].map((t) => t + 120);
  assert.equal(beatPhaseOf(onsets, 480), 120);
  assert.equal(syncopationOf(onsets, 480, 120), 1 / 7);
  // Read on the grid instead, every onset is off the beat with the next beat empty.
  assert.equal(syncopationOf(onsets, 480, 0), 1);
  // On the grid already: phase 0 is kept even when an 8th-note phase fits as well.
  assert.equal(beatPhaseOf([0, 240, 480, 720], 480), 0);
});

test('energy is counted over the whole notes the part plays in, not its rests', () => {
  // Four notes in bar 1, four in bar 4, silence between: 4 a playing bar, 2 a bar overall.
  const notes = [0, 480, 960, 1440, 5760, 6240, 6720, 7200].map((t) => n(t, 60));
  const f = partFeatures(notes, FOUR_FOUR)!;
  assert.equal(f.notesPerBar, 2);
  assert.equal(f.notesPerPlayingBar, 4);
});
