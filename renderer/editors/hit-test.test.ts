import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { noteAt, notesInRect, velocityBarAt } from './hit-test.ts';
import { noteRect, rectFromCorners, type GridLayout } from './layout.ts';
import { PIANO_ROWS } from './rows.ts';

const layout: GridLayout = { tickPx: 0.1, rowPx: 10, rows: PIANO_ROWS };
const note = (id: string, pitch: number, tick: number, duration = 480, velocity = 100): Note => ({ id, pitch, tick, duration, velocity });
const yOf = (pitch: number) => (127 - pitch) * 10 + 5;

test('a note is found by its rectangle; its right end is the resize handle', () => {
  const notes = [note('a', 60, 0), note('b', 62, 480)];
  assert.deepEqual(noteRect(layout, notes[0]!), { x: 0, y: 670, width: 48, height: 10 });
  assert.equal(noteAt(notes, layout, 10, yOf(60))?.note.id, 'a');
  assert.equal(noteAt(notes, layout, 10, yOf(60))?.part, 'body');
  assert.equal(noteAt(notes, layout, 45, yOf(60))?.part, 'end');
  assert.equal(noteAt(notes, layout, 48, yOf(60)), null, 'the right edge itself is outside');
  assert.equal(noteAt(notes, layout, 50, yOf(62))?.note.id, 'b');
  assert.equal(noteAt(notes, layout, 10, yOf(61)), null);
});

test('overlapping notes: the one drawn last wins; tiny notes keep a body to grab', () => {
  const notes = [note('under', 60, 0, 960), note('over', 60, 240, 480)];
  assert.equal(noteAt(notes, layout, 30, yOf(60))?.note.id, 'over');
  assert.equal(noteAt(notes, layout, 10, yOf(60))?.note.id, 'under');
  const tiny = [note('t', 60, 0, 10)];
  assert.equal(noteAt(tiny, layout, 1, yOf(60))?.part, 'body');
  assert.equal(noteAt(tiny, layout, 3.5, yOf(60))?.part, 'end');
});

test('a rubber band selects the notes it touches, dragged in any direction', () => {
  const notes = [note('a', 60, 0), note('b', 62, 480), note('c', 72, 1920)];
  assert.deepEqual(notesInRect(notes, layout, rectFromCorners(60, yOf(63), 5, yOf(59))), ['a', 'b']);
  assert.deepEqual(notesInRect(notes, layout, rectFromCorners(100, 0, 120, 1280)), []);
});

test('velocity bars: nearest to the pointer, a selected note first', () => {
  const notes = [note('a', 60, 0), note('b', 64, 0), note('c', 60, 480)];
  assert.equal(velocityBarAt(notes, layout, 2, new Set())?.id, 'a');
  assert.equal(velocityBarAt(notes, layout, 2, new Set(['b']))?.id, 'b');
  assert.equal(velocityBarAt(notes, layout, 49, new Set())?.id, 'c');
  assert.equal(velocityBarAt(notes, layout, 25, new Set()), null);
});
