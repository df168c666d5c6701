import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { drawnNote, hitInCell, paintedHits } from './drawing.ts';

test('a click draws one grid step; dragging right lengthens it in steps; never past the clip', () => {
  assert.deepEqual(drawnNote(250, 250, 60, 120, 1920, 90), { pitch: 60, tick: 240, duration: 120, velocity: 90 });
  assert.deepEqual(drawnNote(250, 500, 60, 120, 1920, 90), { pitch: 60, tick: 240, duration: 360, velocity: 90 });
  assert.deepEqual(
    drawnNote(250, 100, 60, 120, 1920, 90),
    { pitch: 60, tick: 240, duration: 120, velocity: 90 },
    'dragging left keeps one step',
  );
  assert.deepEqual(drawnNote(1900, 4000, 60, 120, 1920, 90), { pitch: 60, tick: 1800, duration: 120, velocity: 90 });
  assert.deepEqual(drawnNote(1900, 1900, 60, 480, 1920, 90), { pitch: 60, tick: 1440, duration: 480, velocity: 90 });
});

test('painting hits along a row: one per cell, either direction, skipping cells already hit', () => {
  const notes: Note[] = [{ id: 'x', pitch: 42, tick: 240, duration: 120, velocity: 100 }];
  assert.equal(hitInCell(notes, 42, 240, 120)?.id, 'x');
  assert.equal(hitInCell(notes, 36, 240, 120), undefined);
  const hits = paintedHits(notes, 42, 10, 400, 120, 1920, 100);
  assert.deepEqual(
    hits.map((h) => h.tick),
    [0, 120, 360],
  );
  assert.deepEqual(
    paintedHits(notes, 42, 400, 10, 120, 1920, 100).map((h) => h.tick),
    [0, 120, 360],
  );
  assert.deepEqual(
    paintedHits([], 36, 1900, 5000, 120, 1920, 100).map((h) => h.tick),
    [1800],
    'stops at the clip end',
  );
});
