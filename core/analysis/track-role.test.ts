import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NoteInput } from '../song/types.ts';
import { detectTrackRole, noteName } from './track-role.ts';

const FOUR_FOUR = { numerator: 4, denominator: 4 };
const n = (tick: number, pitch: number, duration = 480): NoteInput => ({ tick, pitch, duration, velocity: 90 });
/** Eight quarter notes walking around `root`. */
const line = (root: number): NoteInput[] => [0, 2, 4, 5, 7, 5, 4, 2].map((step, i) => n(i * 480, root + step, 460));
/** Two bars of sustained triads on `root`. */
const chords = (root: number): NoteInput[] => [0, 1920].flatMap((tick) => [0, 4, 7].map((s) => n(tick, root + s, 1920)));

test('channel 10 is drums, whatever the notes', () => {
  assert.equal(detectTrackRole({ channel: 9, program: null, notes: line(36) }, FOUR_FOUR).role, 'drums');
});

test('a bass program is bass, even played high', () => {
  const r = detectTrackRole({ channel: 1, program: 33, notes: line(60) }, FOUR_FOUR);
  assert.equal(r.role, 'bass');
  assert.match(r.because, /program \(34\) is a bass/);
});

test('a single line is a bass below E3 and a lead above, with the register in the reason', () => {
  const low = detectTrackRole({ channel: 0, program: null, notes: line(36) }, FOUR_FOUR);
  assert.equal(low.role, 'bass');
  assert.match(low.because, /median pitch E2/);
  assert.equal(detectTrackRole({ channel: 0, program: 0, notes: line(67) }, FOUR_FOUR).role, 'lead');
});

test('sustained chords on a piano or a guitar are keys; on a pad or strings they are other (a pad)', () => {
  assert.equal(detectTrackRole({ channel: 0, program: 0, notes: chords(60) }, FOUR_FOUR).role, 'keys');
  assert.equal(detectTrackRole({ channel: 0, program: 25, notes: chords(52) }, FOUR_FOUR).role, 'keys');
  assert.equal(detectTrackRole({ channel: 0, program: 89, notes: chords(60) }, FOUR_FOUR).role, 'other');
  assert.equal(detectTrackRole({ channel: 0, program: 48, notes: chords(60) }, FOUR_FOUR).role, 'other');
  // A violin line is a lead, not a pad.
  assert.equal(detectTrackRole({ channel: 0, program: 40, notes: line(72) }, FOUR_FOUR).role, 'lead');
});

test('a high melody held with the sustain pedal is still a lead; a solo wind playing double stops too', () => {
  // Three notes ring into the next (held 1.5 beats): 6 of 8 overlap, median E5.
  const held = [0, 2, 4, 5, 7, 5, 4, 2].map((step, i) => n(i * 480, 72 + step, i % 2 === 0 && i < 6 ? 720 : 460));
  assert.equal(detectTrackRole({ channel: 0, program: 0, notes: held }, FOUR_FOUR).role, 'lead');
  assert.equal(detectTrackRole({ channel: 0, program: 65, notes: chords(60) }, FOUR_FOUR).role, 'lead');
});

test('note names count octaves from C-1 (middle C is C4)', () => {
  assert.equal(noteName(60), 'C4');
  assert.equal(noteName(52), 'E3');
  assert.equal(noteName(21), 'A0');
});

test('effects and tuned percussion are other; an ethnic instrument plays the role its notes play', () => {
  assert.equal(detectTrackRole({ channel: 0, program: 100, notes: line(72) }, FOUR_FOUR).role, 'other'); // FX 5 (brightness)
  assert.equal(detectTrackRole({ channel: 0, program: 114, notes: line(60) }, FOUR_FOUR).role, 'other'); // steel drums
  assert.equal(detectTrackRole({ channel: 0, program: 127, notes: line(60) }, FOUR_FOUR).role, 'other'); // gunshot
  assert.equal(detectTrackRole({ channel: 0, program: 110, notes: line(72) }, FOUR_FOUR).role, 'lead'); // fiddle
  assert.equal(detectTrackRole({ channel: 0, program: 105, notes: chords(55) }, FOUR_FOUR).role, 'keys'); // banjo strumming
});
