import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMusicXml, MusicXmlError } from './musicxml.ts';

const note = (step: string, octave: number, duration: number, extra = '', alter = 0): string =>
  `<note>${extra.includes('<chord/>') ? '<chord/>' : ''}${extra.includes('<grace/>') ? '<grace/>' : ''}` +
  `<pitch><step>${step}</step>${alter ? `<alter>${alter}</alter>` : ''}<octave>${octave}</octave></pitch>` +
  `${extra.includes('<grace/>') ? '' : `<duration>${duration}</duration>`}<voice>1</voice>${extra.replace(/<chord\/>|<grace\/>/g, '')}</note>`;
const rest = (duration: number): string => `<note><rest/><duration>${duration}</duration><voice>1</voice></note>`;
const harmony = (step: string, kind: string, extra = ''): string =>
  `<harmony><root><root-step>${step}</root-step></root><kind>${kind}</kind>${extra}</harmony>`;
const score = (measures: string[], partExtra = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.1 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">
<score-partwise version="3.1">
  <work><work-title>Ties &amp; Chords</work-title></work>
  <part-list><score-part id="P1"><part-name>Voice</part-name></score-part></part-list>
  <part id="P1">${measures.map((m, i) => `<measure number="${i}"${i === 0 ? ' implicit="yes"' : ''}>${m}</measure>`).join('\n')}</part>${partExtra}
</score-partwise>`;

const TIE_START = '<tie type="start"/><notations><tied type="start"/></notations>';
const TIE_STOP = '<tie type="stop"/><notations><tied type="stop"/></notations>';

/**
 * Divisions 2 (one division = an eighth = 240 ticks), 4/4, F major, tempo 96.
 * Bar 0 holds a one-beat pickup at its end, so measure 1 starts at 1920 (bar 1).
 */
const LEAD_SHEET = score([
  // Pickup: C5 quarter under C7, at the end of bar 0.
  `<attributes><divisions>2</divisions><key><fifths>-1</fifths><mode>major</mode></key>
     <time><beats>4</beats><beat-type>4</beat-type></time></attributes>
   <direction placement="above"><direction-type><words>Swing</words></direction-type><sound tempo="96"/></direction>
   ${harmony('C', 'dominant')}${note('C', 5, 2)}`,
  // A4+C5 as a chord, a rest, Gm7 placed an eighth into the rest by <offset>, Bb4 half tied over
  // the bar line; then a second voice (ignored) after <backup>.
  `${harmony('F', 'major', '<bass><bass-step>A</bass-step></bass>')}
   ${note('A', 4, 2)}${note('C', 5, 2, '<chord/>')}${rest(2)}
   <harmony><root><root-step>G</root-step></root><kind text="m7">minor-seventh</kind><offset>1</offset></harmony>
   ${note('B', 4, 4, TIE_START, -1)}
   <backup><duration>8</duration></backup>
   <note><pitch><step>F</step><octave>3</octave></pitch><duration>8</duration><voice>2</voice></note>`,
  // N.C.; the tie ends; a grace note (dropped); Eb5; a <forward> gap; C#5. A key change (reported).
  `<attributes><key><fifths>0</fifths></key></attributes>
   <harmony><root><root-step>C</root-step></root><kind>none</kind></harmony>
   ${note('B', 4, 2, TIE_STOP, -1)}${note('D', 5, 0, '<grace/>')}${note('E', 5, 2, '', -1)}
   <forward><duration>2</duration></forward>${note('C', 5, 2, '', 1)}`,
  // Two symbols stacked over a whole note: spread to beats 1 and 3.
  `${harmony('D', 'dominant')}${harmony('G', 'dominant-ninth')}${note('D', 5, 8)}`,
]);

test('a handcrafted lead sheet: pickup, chord notes, ties, backup, forward, harmony', () => {
  const sheet = readMusicXml(LEAD_SHEET);
  assert.deepEqual(sheet.meter, { numerator: 4, denominator: 4 });
  assert.equal(sheet.meterSource, 'score');
  assert.deepEqual(sheet.key, { tonic: 5, mode: 'major' });
  assert.equal(sheet.bpm, 96);
  assert.equal(sheet.pickupTicks, 480);
  assert.equal(sheet.measures, 4);
  assert.equal(sheet.lengthTicks, 4 * 1920);
  const v = 90;
  assert.deepEqual(sheet.notes, [
    { pitch: 72, tick: 1440, duration: 480, velocity: v }, // pickup C5
    { pitch: 69, tick: 1920, duration: 480, velocity: v }, // A4
    { pitch: 72, tick: 1920, duration: 480, velocity: v }, // C5 (<chord/>)
    { pitch: 70, tick: 2880, duration: 1440, velocity: v }, // Bb4 half tied to a quarter
    { pitch: 75, tick: 4320, duration: 480, velocity: v }, // Eb5
    { pitch: 73, tick: 5280, duration: 480, velocity: v }, // C#5 after <forward>
    { pitch: 74, tick: 5760, duration: 1920, velocity: v }, // D5 whole
  ]);
  assert.deepEqual(sheet.chords, [
    { tick: 1440, root: 0, quality: '7', bass: null },
    { tick: 1920, root: 5, quality: 'maj', bass: 9 },
    { tick: 3120, root: 7, quality: 'm7', bass: null },
    { tick: 3840, root: null, quality: 'maj', bass: null },
    { tick: 5760, root: 2, quality: '7', bass: null },
    { tick: 6720, root: 7, quality: '7', bass: null },
  ]);
  assert.deepEqual(sheet.warnings, ['the key changes; the song keeps the first']);
});

test('triplets, a compound meter, a minor key, a transposing part and a dotted metronome mark', () => {
  const sheet = readMusicXml(
    score([
      `<attributes><divisions>3</divisions><key><fifths>0</fifths><mode>minor</mode></key>
       <time><beats>6</beats><beat-type>8</beat-type></time>
       <transpose><diatonic>-1</diatonic><chromatic>-2</chromatic></transpose></attributes>
     <direction><direction-type><metronome><beat-unit>quarter</beat-unit><beat-unit-dot/><per-minute>60</per-minute></metronome></direction-type></direction>
     ${harmony('B', 'minor')}
     ${note('B', 4, 1)}${note('C', 5, 1)}${note('D', 5, 1)}${note('E', 5, 3)}${note('A', 4, 3)}`,
      `${harmony('E', 'major-sixth')}${note('A', 4, 9, TIE_START)}`,
      `${note('A', 4, 9, TIE_STOP)}`,
    ]),
  );
  assert.deepEqual(sheet.meter, { numerator: 6, denominator: 8 });
  // Written A minor sounds a tone lower: G minor.
  assert.deepEqual(sheet.key, { tonic: 7, mode: 'minor' });
  assert.equal(sheet.bpm, 90);
  assert.equal(sheet.pickupTicks, 0);
  assert.equal(sheet.lengthTicks, 3 * 1440);
  assert.deepEqual(
    sheet.notes.map((n) => [n.pitch, n.tick, n.duration]),
    [
      [69, 0, 160],
      [70, 160, 160],
      [72, 320, 160],
      [74, 480, 480],
      [67, 960, 480],
      [67, 1440, 2880],
    ],
  );
  assert.deepEqual(
    sheet.chords.map((c) => [c.tick, c.root, c.quality]),
    [
      [0, 9, 'min'],
      [1440, 2, '6'],
    ],
  );
});

test('a score without <time> uses the fallback meter for its pickup and bars', () => {
  const measures = [
    `<attributes><divisions>1</divisions></attributes>${harmony('C', 'major')}${note('G', 4, 1)}`,
    `${note('C', 5, 3)}`,
    `${note('E', 5, 2)}`,
  ];
  const sheet = readMusicXml(score(measures), { fallbackMeter: { numerator: 3, denominator: 4 } });
  assert.equal(sheet.meterSource, 'fallback');
  assert.equal(sheet.pickupTicks, 480);
  assert.deepEqual(
    sheet.notes.map((n) => n.tick),
    [960, 1440, 2880],
  );
  assert.equal(sheet.lengthTicks, 2880 + 960);
  assert.equal(sheet.key, null);
  assert.equal(sheet.bpm, null);
  assert.equal(readMusicXml(score(measures)).meterSource, 'default');
});

test('a bar split in two measures (around a repeat) stays on the bar grid', () => {
  const sheet = readMusicXml(
    score([
      `<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>${note('C', 5, 4)}`,
      `${note('D', 5, 3)}`,
      `${note('E', 5, 1)}`,
      `${note('F', 5, 4)}`,
    ]).replace(' implicit="yes"', ''),
  );
  assert.deepEqual(
    sheet.notes.map((n) => n.tick),
    [0, 1920, 3360, 3840],
  );
  assert.equal(sheet.lengthTicks, 3 * 1920);
});

test('only the first voice of the first part is the melody', () => {
  const sheet = readMusicXml(
    score(
      [
        `<attributes><divisions>1</divisions></attributes>
      <note><pitch><step>C</step><octave>5</octave></pitch><duration>4</duration><voice>1</voice></note>
      <backup><duration>4</duration></backup>
      <note><pitch><step>C</step><octave>3</octave></pitch><duration>2</duration><voice>2</voice></note>
      <note><pitch><step>G</step><octave>3</octave></pitch><duration>2</duration><voice>2</voice></note>`,
      ],
      `<part id="P2"><measure number="1"><attributes><divisions>1</divisions></attributes>${note('A', 2, 4)}</measure></part>`,
    ),
  );
  assert.deepEqual(
    sheet.notes.map((n) => n.pitch),
    [72],
  );
  assert.deepEqual(sheet.warnings, ['2 parts: only the first is read']);
});

test('unreadable scores throw MusicXmlError', () => {
  assert.throws(() => readMusicXml('<score-timewise/>'), MusicXmlError);
  assert.throws(() => readMusicXml('<html/>'), /not a MusicXML score/);
  assert.throws(() => readMusicXml('<score-partwise/>'), /no <part>/);
  assert.throws(() => readMusicXml('<score-partwise><part-list/><part/></score-partwise>'), /no measures/);
  assert.throws(() => readMusicXml(score([note('C', 4, 1)])), /before any <divisions>/);
  assert.throws(() => readMusicXml(score(['<attributes><divisions>0</divisions></attributes>'])), /bad <divisions>/);
  assert.throws(() => readMusicXml(score([`<attributes><divisions>1</divisions></attributes>${note('H', 4, 1)}`])), /bad <pitch>/);
});

test('a drum part is no melody: its unpitched notes are not read as pitches', () => {
  const drums = score([
    `<attributes><divisions>1</divisions><clef><sign>percussion</sign></clef></attributes>${harmony('C', 'major')}
     <note><unpitched><display-step>C</display-step><display-octave>5</display-octave></unpitched><duration>4</duration><voice>1</voice></note>`,
  ]);
  const sheet = readMusicXml(drums);
  assert.deepEqual(sheet.notes, []);
  assert.deepEqual(
    sheet.chords.map((c) => [c.tick, c.root, c.quality]),
    [[0, 0, 'maj']],
  );
});

test('symbols stacked over one note that name one chord count once, however they are written', () => {
  const sheet = readMusicXml(
    score([
      `<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
       <harmony><root><root-step>E</root-step></root><kind text="7">dominant</kind></harmony>
       <harmony><root><root-step>E</root-step></root><kind text="9">dominant-ninth</kind></harmony>
       ${note('E', 5, 4)}`,
    ]),
  );
  assert.deepEqual(sheet.chords, [{ tick: 0, root: 4, quality: '7', bass: null }]);
});
