import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { drumRows } from './drum-kit.ts';
import { clampMove, dragMoveDelta, isNoMove, movedNotes, nudgeDelta, resizedNotes } from './note-moves.ts';
import { PIANO_ROWS } from './rows.ts';

const note = (id: string, pitch: number, tick: number, duration = 120): Note => ({ id, pitch, tick, duration, velocity: 100 });

test('a move is clamped so the whole group stays in the clip and on the rows, keeping its shape', () => {
  const group = [note('a', 60, 0), note('b', 126, 1800)];
  assert.deepEqual(clampMove(group, { ticks: -100, rows: -5 }, 1920, PIANO_ROWS), { ticks: 0, rows: -1 });
  assert.deepEqual(clampMove(group, { ticks: 500, rows: 3 }, 1920, PIANO_ROWS), { ticks: 119, rows: 3 });
  const moved = movedNotes(group, { ticks: 119, rows: 3 }, PIANO_ROWS);
  assert.deepEqual(
    moved.map((n) => [n.pitch, n.tick]),
    [
      [57, 119],
      [123, 1919],
    ],
  );
});

test('a drag snaps the pressed note to the grid and moves the others with it', () => {
  const anchor = note('a', 60, 130);
  const group = [anchor, note('b', 64, 250)];
  const d = dragMoveDelta(group, anchor, 100, -2, 120, false, 1920, PIANO_ROWS);
  assert.deepEqual(d, { ticks: 110, rows: -2 }, 'the anchor lands on 240');
  assert.deepEqual(
    movedNotes(group, d, PIANO_ROWS).map((n) => [n.pitch, n.tick]),
    [
      [62, 240],
      [66, 360],
    ],
  );
  assert.deepEqual(dragMoveDelta(group, anchor, 33.4, 0, 120, true, 1920, PIANO_ROWS), { ticks: 33, rows: 0 }, 'Alt: off the grid');
});

test('drum rows: moving one row up turns a kick into a snare', () => {
  const rows = drumRows([]);
  const moved = movedNotes([note('k', 36, 0), note('s', 38, 480)], { ticks: 0, rows: -1 }, rows);
  assert.deepEqual(
    moved.map((n) => n.pitch),
    [38, 45],
  );
});

test('resize: the end snaps, the group changes by the same amount, never below a step', () => {
  const anchor = note('a', 60, 0, 240);
  const group = [anchor, note('b', 62, 0, 480), note('tiny', 64, 0, 30)];
  assert.deepEqual(
    resizedNotes(group, anchor, 250, 120, false).map((n) => n.duration),
    [480, 720, 270],
  );
  assert.deepEqual(
    resizedNotes(group, anchor, -1000, 120, false).map((n) => n.duration),
    [120, 120, 30],
  );
});

test('arrows: a step or a bar across, a row or an octave up and down', () => {
  assert.deepEqual(nudgeDelta('left', false, 120, 1920, 12), { ticks: -120, rows: 0 });
  assert.deepEqual(nudgeDelta('right', true, 120, 1920, 12), { ticks: 1920, rows: 0 });
  assert.deepEqual(nudgeDelta('up', false, 120, 1920, 12), { ticks: 0, rows: -1 });
  assert.deepEqual(nudgeDelta('down', true, 120, 1920, 12), { ticks: 0, rows: 12 });
  assert.equal(isNoMove({ ticks: 0, rows: 0 }), true);
});
