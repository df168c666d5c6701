import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changesClip, gestureTarget, type GestureStart } from './clip-gesture.ts';
import { barsShown, newClipPlacement, zoomed, MAX_BAR_PX, MIN_BAR_PX } from './geometry.ts';

const geometry = { barPx: 50, rowPx: 56, trackCount: 3 };
const move: GestureStart = { kind: 'move', clipId: 'c', startBar: 4, lengthBars: 2, trackIndex: 1, x: 100, y: 100 };

test('a move snaps to whole bars and neighbouring tracks, and stays inside the song', () => {
  assert.deepEqual(gestureTarget(move, 100 + 74, 100 + 30, geometry), { startBar: 5, lengthBars: 2, trackIndex: 2, dragged: true });
  assert.deepEqual(gestureTarget(move, 100 - 1000, 100 - 500, geometry), { startBar: 0, lengthBars: 2, trackIndex: 0, dragged: true });
  assert.equal(gestureTarget(move, 100, 100 + 5000, geometry).trackIndex, 2);
});

test('a few pixels are a click, not a drag', () => {
  const t = gestureTarget(move, 102, 101, geometry);
  assert.equal(t.dragged, false);
  assert.equal(changesClip(move, t, false), false);
  assert.equal(changesClip(move, t, true), false, 'not even with Alt');
});

test('a resize changes only the length, never below one bar', () => {
  const resize: GestureStart = { ...move, kind: 'resize' };
  assert.deepEqual(gestureTarget(resize, 100 + 110, 300, geometry), { startBar: 4, lengthBars: 4, trackIndex: 1, dragged: true });
  assert.equal(gestureTarget(resize, 100 - 500, 100, geometry).lengthBars, 1);
});

test('an Alt-drag duplicates even back onto the same place; a plain drag there changes nothing', () => {
  const back = gestureTarget(move, 100 + 10, 100, geometry);
  assert.equal(back.startBar, 4);
  assert.equal(changesClip(move, back, false), false);
  assert.equal(changesClip(move, back, true), true);
});

test('a new clip is 4 bars, or shorter where the next clip starts', () => {
  assert.deepEqual(newClipPlacement(2.7, []), { startBar: 2, lengthBars: 4 });
  assert.deepEqual(
    newClipPlacement(2, [
      { startBar: 4, lengthBars: 1 },
      { startBar: 0, lengthBars: 1 },
    ]),
    { startBar: 2, lengthBars: 2 },
  );
  assert.deepEqual(newClipPlacement(-3, []), { startBar: 0, lengthBars: 4 });
});

test('the grid shows the song plus room to grow, and zoom stays in bounds', () => {
  assert.equal(barsShown([], null, 0), 32);
  assert.equal(barsShown([{ startBar: 40, lengthBars: 4 }], null, 0), 52);
  assert.equal(barsShown([], 60, 0), 68);
  assert.equal(zoomed(MAX_BAR_PX, 1), MAX_BAR_PX);
  assert.equal(zoomed(MIN_BAR_PX, -1), MIN_BAR_PX);
  assert.ok(zoomed(56, 1) > 56);
});
