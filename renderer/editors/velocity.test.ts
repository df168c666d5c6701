import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { velocityColor, velocityFromY, velocityPatches } from './velocity.ts';

const note = (id: string, velocity: number): Note => ({ id, pitch: 60, tick: 0, duration: 120, velocity });

test('soft notes are blue, hard notes red', () => {
  assert.equal(velocityColor(1), 'hsl(208 80% 48%)');
  assert.equal(velocityColor(127), 'hsl(5 80% 62%)');
});

test('the lane maps height to 1..127', () => {
  assert.equal(velocityFromY(0, 60), 127);
  assert.equal(velocityFromY(60, 60), 1);
  assert.equal(velocityFromY(30, 60), 64);
  assert.equal(velocityFromY(-10, 60), 127);
});

test('dragging a selected bar moves the selection together, clamped; an unselected one alone', () => {
  const notes = [note('a', 100), note('b', 120), note('c', 50)];
  assert.deepEqual(velocityPatches(notes, notes[0]!, 110, new Set(['a', 'b'])), [
    { id: 'a', velocity: 110 },
    { id: 'b', velocity: 127 },
  ]);
  assert.deepEqual(velocityPatches(notes, notes[2]!, 80, new Set(['a', 'b'])), [{ id: 'c', velocity: 80 }]);
  assert.deepEqual(velocityPatches(notes, notes[2]!, 50, new Set()), [], 'no change, no patch');
});
