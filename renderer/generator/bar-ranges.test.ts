import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSong } from '../../core/song/schema.ts';
import { setLoop } from '../../core/song/edits.ts';
import {
  audibleNotes,
  clampRange,
  cleanLockedBars,
  defaultFillRange,
  generateStartBar,
  notesInRange,
  rangeLabel,
  toggleBar,
} from './bar-ranges.ts';
import { band } from './song-fixture.test-support.ts';

const FOUR_FOUR = { numerator: 4, denominator: 4 };

test('a new part goes at the loop start when the song loops, else at the playhead bar', () => {
  const { doc } = band();
  assert.equal(generateStartBar(readSong(doc), 5.7), 5);
  assert.equal(generateStartBar(readSong(doc), 0), 0);
  setLoop(doc, { startBar: 8, endBar: 12 });
  assert.equal(generateStartBar(readSong(doc), 5.7), 8);
});

test('fill ranges stay inside the clip and hold at least a bar', () => {
  assert.deepEqual(clampRange({ from: 1, to: 3 }, 4), { from: 1, to: 3 });
  assert.deepEqual(clampRange({ from: 3, to: 9 }, 4), { from: 3, to: 4 });
  assert.deepEqual(clampRange({ from: 6, to: 2 }, 4), { from: 3, to: 4 });
  assert.deepEqual(clampRange({ from: -2, to: 0 }, 4), { from: 0, to: 1 });
  assert.deepEqual(defaultFillRange(4), { from: 1, to: 3 });
  assert.deepEqual(defaultFillRange(2), { from: 1, to: 2 });
  assert.deepEqual(defaultFillRange(1), { from: 0, to: 1 });
  assert.equal(rangeLabel({ from: 1, to: 3 }), 'bars 2–3');
  assert.equal(rangeLabel({ from: 0, to: 1 }), 'bar 1');
});

test('locked bars: toggled, kept inside the clip, sorted, once each', () => {
  assert.deepEqual(toggleBar([2], 0), [0, 2]);
  assert.deepEqual(toggleBar([0, 2], 2), [0]);
  assert.deepEqual(cleanLockedBars([3, 1, 1, 7, -1, 0.5], 4), [1, 3]);
});

test('notes of a clip inside song bars, with ticks from the range; notes past a clip end are not heard', () => {
  const clip = {
    startBar: 2,
    lengthBars: 2,
    notes: [
      { id: 'a', pitch: 40, tick: 0, duration: 480, velocity: 100 },
      { id: 'b', pitch: 43, tick: 1920 + 480, duration: 480, velocity: 100 },
      { id: 'c', pitch: 45, tick: 2 * 1920, duration: 480, velocity: 100 }, // past the clip's end (it was shortened)
    ],
  };
  assert.deepEqual(notesInRange(clip, FOUR_FOUR, { from: 3, to: 5 }), [{ pitch: 43, tick: 480, duration: 480, velocity: 100 }]);
  assert.deepEqual(notesInRange(clip, FOUR_FOUR, { from: 0, to: 3 }), [{ pitch: 40, tick: 2 * 1920, duration: 480, velocity: 100 }]);
  assert.equal(audibleNotes(clip, FOUR_FOUR).length, 2);
});
