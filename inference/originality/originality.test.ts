import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NoteInput } from '../../core/song/types.ts';
import { checkPart } from './check.ts';
import { drumWindows, lineOf, lineWindows } from './fingerprint.ts';
import { decodeIndex, encodeIndex, holds, IndexFileError, roleIndex, type OriginalityIndex } from './index-file.ts';

const meter = { numerator: 4, denominator: 4 };
const n = (pitch: number, tick: number, duration = 240): NoteInput => ({ pitch, tick, duration, velocity: 90 });
/** A 16-note tune in eighths. */
const TUNE = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 71, 67, 64, 62].map((p, i) => n(p, i * 240));
const nonNull = (ws: (number | null)[]) => ws.filter((w): w is number => w !== null);

/** An index of lead windows of 8 notes and drum windows of 2 bars, from the given parts. */
function indexFrom(lead: NoteInput[], drums: NoteInput[] = [], drumBars = 4): OriginalityIndex {
  return {
    minPitches: 3,
    roles: {
      drums: roleIndex(2, nonNull(drumWindows(drums, meter, drumBars, 2))),
      bass: roleIndex(16, []),
      keys: roleIndex(20, []),
      lead: roleIndex(8, nonNull(lineWindows(lineOf(lead, 'lead'), 8))),
    },
  };
}

test('a line is one note per onset, the bass its lowest, the others their highest', () => {
  const chord = [n(48, 0), n(55, 0), n(64, 0), n(50, 480)];
  assert.deepEqual(
    lineOf(chord, 'bass').map((x) => x.pitch),
    [48, 50],
  );
  assert.deepEqual(
    lineOf(chord, 'keys').map((x) => x.pitch),
    [64, 50],
  );
});

test('windows are the same in another key and another start; repeated notes, trills and ostinatos are no tune', () => {
  const windows = lineWindows(lineOf(TUNE, 'lead'), 8);
  assert.equal(windows.length, TUNE.length - 8 + 1);
  assert.ok(windows.every((w) => w !== null));
  const transposed = lineWindows(
    lineOf(
      TUNE.map((x) => n(x.pitch + 5, x.tick + 1920)),
      'lead',
    ),
    8,
  );
  assert.deepEqual(transposed, windows);
  const slower = lineWindows(
    lineOf(
      TUNE.map((x) => n(x.pitch, x.tick * 2)),
      'lead',
    ),
    8,
  );
  assert.notDeepEqual(slower, windows, 'the rhythm is part of the tune');
  const roots = Array.from({ length: 12 }, (_, i) => n(40, i * 240));
  assert.ok(lineWindows(lineOf(roots, 'bass'), 8).every((w) => w === null));
  const trill = Array.from({ length: 12 }, (_, i) => n(i % 2 ? 62 : 60, i * 120));
  assert.ok(lineWindows(lineOf(trill, 'lead'), 8).every((w) => w === null));
  const brokenChord = Array.from({ length: 12 }, (_, i) => n([48, 52, 55, 52][i % 4]!, i * 240));
  assert.ok(
    lineWindows(lineOf(brokenChord, 'keys'), 8).every((w) => w === null),
    'a broken chord going round',
  );
});

test('drum windows cover runs of bars; a silent bar breaks them', () => {
  const beat = (bar: number) => [n(36, bar * 1920), n(38, bar * 1920 + 480), n(36, bar * 1920 + 960), n(38, bar * 1920 + 1440)];
  const four = [0, 1, 2, 3].flatMap(beat);
  const windows = drumWindows(four, meter, 4, 2);
  assert.equal(windows.length, 3);
  assert.ok(windows[0] !== null && windows[0] === windows[1] && windows[1] === windows[2], 'the same beat, the same window');
  const gap = drumWindows([...beat(0), ...beat(2), ...beat(3)], meter, 4, 2);
  assert.deepEqual(gap.slice(0, 2), [null, null]);
});

test('the index survives its file; a damaged file is refused with the reason', () => {
  const index = indexFrom(TUNE);
  index.roles.bass = roleIndex(16, [5, 3, 3, 0xffffffff, 1]);
  assert.deepEqual([...index.roles.bass.fingerprints], [1, 3, 5, 0xffffffff]);
  const bytes = encodeIndex(index);
  const back = decodeIndex(bytes);
  assert.deepEqual(back, index);
  assert.ok(
    holds(back.roles.bass.fingerprints, 0xffffffff) && holds(back.roles.bass.fingerprints, 3) && !holds(back.roles.bass.fingerprints, 4),
  );
  assert.throws(() => decodeIndex(bytes.slice(0, bytes.length - 1)), IndexFileError);
  assert.throws(() => decodeIndex(Uint8Array.from([...bytes, 0])), /left over/);
  const wrong = bytes.slice();
  wrong[0] = 0x58;
  assert.throws(() => decodeIndex(wrong), /not RRIX/);
  const later = bytes.slice();
  later[4] = 9;
  assert.throws(() => decodeIndex(later), /version 9/);
});

test('a part that repeats a training tune for more than its window is marked, with how much; a new tune is not', () => {
  const index = indexFrom(TUNE);
  // The tune's first 12 notes, transposed and moved: 12 of 12 notes found.
  const copy = TUNE.slice(0, 12).map((x) => n(x.pitch + 2, x.tick + 960));
  assert.deepEqual(checkPart(index, { role: 'lead', notes: copy, meter, bars: 4 }), {
    unit: 'notes',
    total: 12,
    found: 12,
    longestRun: 12,
    marked: true,
  });
  // Exactly 8 notes of it inside a new line: found, not more than the window, not marked.
  const fresh = [70, 65, 69, 63, 68, 61].map((p, i) => n(p, i * 240));
  const eight = [...fresh, ...TUNE.slice(0, 8).map((x) => n(x.pitch, x.tick + 1440 + 240))];
  const report = checkPart(index, { role: 'lead', notes: eight, meter, bars: 4 });
  assert.equal(report.longestRun, 8);
  assert.equal(report.marked, false);
  assert.equal(checkPart(index, { role: 'lead', notes: fresh, meter, bars: 4 }).found, 0);
  // The lead's windows are not the bass's: the same tune as a bass line is not found.
  assert.equal(checkPart(index, { role: 'bass', notes: copy, meter, bars: 4 }).found, 0);
});

test('drums repeating more than two bars of a training groove are marked', () => {
  const beat = (bar: number, fill = false) => [
    n(36, bar * 1920),
    n(42, bar * 1920 + 240),
    n(38, bar * 1920 + 480),
    n(fill ? 45 : 42, bar * 1920 + 720),
  ];
  const training = [0, 1, 2, 3].flatMap((b) => beat(b, b === 3));
  const index = indexFrom([], training);
  const report = checkPart(index, { role: 'drums', notes: [0, 1, 2].flatMap((b) => beat(b)), meter, bars: 3 });
  assert.deepEqual(report, { unit: 'bars', total: 3, found: 3, longestRun: 3, marked: true });
  const two = checkPart(index, { role: 'drums', notes: [0, 1].flatMap((b) => beat(b)), meter, bars: 2 });
  assert.equal(two.marked, false, 'two bars are the window, not past it');
});
