import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Chord } from '../../core/song/types.ts';
import { chordInputs, chordsForBars, voiceChords } from './song-chords.ts';

const BAR = 1920;
const FOUR_FOUR = { numerator: 4, denominator: 4 };
const chord = (tick: number, duration: number, symbol: string): Chord => ({ id: symbol + tick, tick, duration, symbol });

test('chord symbols become roots and qualities, ticks from the first bar written', () => {
  const chords = [
    chord(0, BAR, 'Am7'),
    chord(BAR, BAR / 2, 'D7'),
    chord(BAR * 1.5, BAR / 2, 'D7/F#'),
    chord(2 * BAR, BAR, 'Gmaj7'),
    chord(3 * BAR, BAR, 'C'),
  ];
  assert.deepEqual(chordsForBars(chords, FOUR_FOUR, { from: 1, to: 3 }), [
    { tick: 0, root: 2, quality: '7' }, // D7/F# restates D7: the model has no slash bass, so no change is sent
    { tick: BAR, root: 7, quality: 'maj7' },
  ]);
  assert.deepEqual(chordsForBars(chords, FOUR_FOUR, { from: 0, to: 1 }), [{ tick: 0, root: 9, quality: 'm7' }]);
});

test('the chord sounding when the bars start is restated at tick 0', () => {
  const chords = [chord(0, 2 * BAR, 'Em'), chord(2 * BAR, 2 * BAR, 'C')];
  assert.deepEqual(chordsForBars(chords, FOUR_FOUR, { from: 1, to: 3 }), [
    { tick: 0, root: 4, quality: 'min' },
    { tick: BAR, root: 0, quality: 'maj' },
  ]);
});

test('beats the chord track leaves empty are no chord; bars before any chord have none', () => {
  const chords = [chord(BAR, BAR / 2, 'F'), chord(3 * BAR, BAR, 'G7')];
  assert.deepEqual(chordsForBars(chords, FOUR_FOUR, { from: 0, to: 4 }), [
    { tick: BAR, root: 5, quality: 'maj' },
    { tick: BAR * 1.5, root: null, quality: 'maj' },
    { tick: 3 * BAR, root: 7, quality: '7' },
  ]);
  assert.deepEqual(chordsForBars([chord(0, BAR, 'F')], FOUR_FOUR, { from: 0, to: 2 }), [
    { tick: 0, root: 5, quality: 'maj' },
    { tick: BAR, root: null, quality: 'maj' },
  ]);
  assert.deepEqual(chordsForBars([], FOUR_FOUR, { from: 0, to: 2 }), []);
});

test('a symbol the theory module cannot read is no chord rather than a wrong one; 6/8 bars are 1440 ticks', () => {
  const six = { numerator: 6, denominator: 8 };
  assert.deepEqual(chordsForBars([chord(0, 1440, 'Cadd#11'), chord(1440, 1440, 'Dm')], six, { from: 0, to: 2 }), [
    { tick: 0, root: null, quality: 'maj' },
    { tick: 1440, root: 2, quality: 'min' },
  ]);
});

test('generated chords become chord-track entries that last until the next change', () => {
  const symbol = (c: { root: number | null; quality: string }) => `${c.root}${c.quality}`;
  assert.deepEqual(
    chordInputs(
      [
        { tick: 0, root: 9, quality: 'min' },
        { tick: BAR, root: null, quality: 'maj' },
        { tick: BAR * 1.5, root: 2, quality: '7' },
      ],
      FOUR_FOUR,
      { from: 2, to: 4 },
      symbol,
    ),
    [
      { tick: 2 * BAR, duration: BAR, symbol: '9min' },
      { tick: 3.5 * BAR, duration: BAR / 2, symbol: '27' },
    ],
  );
});

test('generated chords are voiced as notes for an audition', () => {
  assert.deepEqual(
    voiceChords(
      [
        { tick: 0, root: 9, quality: 'min' },
        { tick: 960, root: null, quality: 'maj' },
        { tick: 1440, root: 0, quality: 'maj' },
      ],
      1920,
    ),
    [
      { pitch: 57, tick: 0, duration: 960, velocity: 80 },
      { pitch: 60, tick: 0, duration: 960, velocity: 80 },
      { pitch: 64, tick: 0, duration: 960, velocity: 80 },
      { pitch: 48, tick: 1440, duration: 480, velocity: 80 },
      { pitch: 52, tick: 1440, duration: 480, velocity: 80 },
      { pitch: 55, tick: 1440, duration: 480, velocity: 80 },
    ],
  );
});
