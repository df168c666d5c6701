import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellOf, gridLabel, gridLines, gridTicks, snapDown, snapNearest } from './grid.ts';

test('grid steps are whole ticks, straight and triplet', () => {
  assert.deepEqual(
    [4, 8, 16, 32].map((d) => gridTicks({ division: d as 4, triplet: false })),
    [480, 240, 120, 60],
  );
  assert.deepEqual(
    [4, 8, 16, 32].map((d) => gridTicks({ division: d as 4, triplet: true })),
    [320, 160, 80, 40],
  );
  assert.equal(gridLabel({ division: 16, triplet: true }), '1/16T');
});

test('snapping down and to the nearest line', () => {
  assert.equal(snapDown(119, 120), 0);
  assert.equal(snapDown(120, 120), 120);
  assert.equal(snapNearest(59, 120), 0);
  assert.equal(snapNearest(60, 120), 120, 'half way goes later');
  assert.equal(snapNearest(-70, 120), -120);
  assert.deepEqual(cellOf(250, 120), { start: 240, index: 2 });
});

test('grid lines: bars over beats over steps; steps dropped when too dense', () => {
  const lines = gridLines(1920, { numerator: 4, denominator: 4 }, 240);
  assert.equal(lines.length, 9);
  assert.deepEqual(
    lines.map((l) => l.kind),
    ['bar', 'step', 'beat', 'step', 'beat', 'step', 'beat', 'step', 'bar'],
  );
  const sparse = gridLines(1920, { numerator: 4, denominator: 4 }, 60, 100);
  assert.ok(sparse.every((l) => l.kind !== 'step'));
  // 6/8: a beat is an eighth (240 ticks), six to a bar.
  assert.equal(gridLines(1440, { numerator: 6, denominator: 8 }, 240).filter((l) => l.kind === 'beat').length, 5);
});
