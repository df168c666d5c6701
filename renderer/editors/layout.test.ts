import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitQuarterPx, gridHeight, MAX_QUARTER_PX, MIN_QUARTER_PX, rectFromCorners, xToTick, yToRow, zoomedQuarterPx } from './layout.ts';
import { PIANO_ROWS } from './rows.ts';

test('pixels to ticks and rows', () => {
  const layout = { tickPx: 0.1, rowPx: 12, rows: PIANO_ROWS };
  assert.equal(xToTick(layout, 48), 480);
  assert.equal(yToRow(layout, 25), 2);
  assert.equal(gridHeight(layout), 1536);
  assert.deepEqual(rectFromCorners(10, 20, 5, 2), { x: 5, y: 2, width: 5, height: 18 });
});

test('zoom: fit the clip, step in and out, within limits', () => {
  assert.equal(fitQuarterPx(1000, 7680, 480), 62, 'four bars of 4/4 in 1000 px');
  assert.equal(fitQuarterPx(100, 7680 * 64, 480), MIN_QUARTER_PX);
  assert.equal(fitQuarterPx(5000, 480, 480), MAX_QUARTER_PX);
  assert.equal(zoomedQuarterPx(64, 1), 80);
  assert.equal(zoomedQuarterPx(80, -1), 64);
  assert.equal(zoomedQuarterPx(MAX_QUARTER_PX, 1), MAX_QUARTER_PX);
});
