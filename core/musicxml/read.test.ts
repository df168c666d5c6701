import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readScore } from './read.ts';

const score = (measures: string[]): string => `<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
  <part-list><score-part id="P1"><part-name>Voice</part-name></score-part></part-list>
  <part id="P1">${measures.map((m, i) => `<measure number="${i + 1}">${m}</measure>`).join('\n')}</part>
</score-partwise>`;
const note = (step: string, octave: number, duration: number, voice: string): string =>
  `<note><pitch><step>${step}</step><octave>${octave}</octave></pitch><duration>${duration}</duration><voice>${voice}</voice></note>`;
const harmony = (step: string, kind: string, text: string): string =>
  `<harmony><root><root-step>${step}</root-step></root><kind text="${text}">${kind}</kind></harmony>`;

test('firstVoiceOnly keeps the voice of the first note or rest; the other voices still take time', () => {
  const xml = score([
    `<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
     <note><rest/><duration>1</duration><voice>2</voice></note>${note('G', 4, 3, '2')}
     <backup><duration>4</duration></backup>${note('C', 3, 4, '1')}`,
    `${note('A', 4, 4, '2')}`,
  ]);
  const pitches = (options = {}) => readScore(xml, options).parts[0]!.notes.map((n) => [n.pitch, n.tick]);
  assert.deepEqual(pitches(), [
    [48, 0],
    [67, 480],
    [69, 1920],
  ]);
  assert.deepEqual(pitches({ firstVoiceOnly: true }), [
    [67, 480],
    [69, 1920],
  ]);
});

test('a score without <time> is laid out in the fallback meter, and says so', () => {
  const measures = [`<attributes><divisions>1</divisions></attributes>${note('G', 4, 1, '1')}`, `${note('C', 5, 3, '1')}`];
  const fallback = readScore(score(measures), { fallbackMeter: { numerator: 3, denominator: 4 } });
  assert.deepEqual(fallback.meter, { numerator: 3, denominator: 4 });
  assert.equal(fallback.meterInScore, false);
  assert.equal(fallback.pickupTicks, 480);
  assert.deepEqual(
    fallback.parts[0]!.notes.map((n) => n.tick),
    [960, 1440],
  );
  const plain = readScore(score(measures));
  assert.deepEqual(plain.meter, { numerator: 4, denominator: 4 });
  assert.equal(plain.parts[0]!.notes[0]!.tick, 1440, 'a one-beat pickup of 4/4');
  const timed = score([measures[0]!.replace('</divisions>', '</divisions><time><beats>2</beats><beat-type>4</beat-type></time>')]);
  assert.equal(readScore(timed, { fallbackMeter: { numerator: 3, denominator: 4 } }).meterInScore, true);
});

test('harmonies: one per tick, the last written winning, N.C. as a null chord that ends the lane chord', () => {
  const read = readScore(
    score([
      `<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
       ${harmony('C', 'major', '')}${note('C', 5, 2, '1')}
       <harmony><root><root-step>C</root-step></root><kind>none</kind></harmony>
       <harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root><kind text="7">dominant</kind><offset>1</offset></harmony>
       ${note('D', 5, 2, '1')}`,
      `${harmony('F', 'major', '')}${harmony('G', 'major', '')}${note('E', 5, 4, '1')}`,
    ]),
  );
  assert.deepEqual(read.harmonies, [
    { tick: 0, chord: { root: 0, quality: 'maj', bass: null } },
    { tick: 960, chord: null },
    { tick: 1440, chord: { root: 10, quality: '7', bass: null } },
    { tick: 1920, chord: { root: 5, quality: 'maj', bass: null } },
    { tick: 2880, chord: { root: 7, quality: 'maj', bass: null } },
  ]);
  assert.deepEqual(
    read.chords.map((c) => [c.tick, c.duration, c.symbol]),
    [
      [0, 960, 'C'],
      [1440, 480, 'Bb7'],
      [1920, 960, 'F'],
      [2880, 960, 'G'],
    ],
  );
  assert.equal(read.measures, 2);
});

test('stackRepeatsByChord: a stack naming one chord twice ("E7" then "E9") is one symbol', () => {
  const xml = score([
    `<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
     ${harmony('E', 'dominant', '7')}${harmony('E', 'dominant-ninth', '9')}${note('E', 5, 4, '1')}`,
  ]);
  assert.deepEqual(
    readScore(xml).chords.map((c) => [c.tick, c.symbol]),
    [
      [0, 'E7'],
      [960, 'E9'],
    ],
  );
  assert.deepEqual(readScore(xml, { stackRepeatsByChord: true }).harmonies, [{ tick: 0, chord: { root: 4, quality: '7', bass: null } }]);
});
