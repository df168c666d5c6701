import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { copyNotes, createNoteClipboard, pastedNotes, pasteTick } from './clipboard.ts';

const note = (id: string, pitch: number, tick: number, duration = 100): Note => ({ id, pitch, tick, duration, velocity: 90 });

test('copied notes are relative to the first; the span rounds up to the grid', () => {
  const copied = copyNotes([note('a', 60, 480), note('b', 64, 600)], 'clip1', 120)!;
  assert.deepEqual(copied.notes, [
    { pitch: 60, tick: 0, duration: 100, velocity: 90 },
    { pitch: 64, tick: 120, duration: 100, velocity: 90 },
  ]);
  assert.equal(copied.span, 240);
  assert.equal(copied.sourceTick, 480);
  assert.equal(copyNotes([], 'clip1', 120), null);
});

test('a paste lands after the copy in its own clip, at the same place in another, or at the paste position', () => {
  const copied = copyNotes([note('a', 60, 480)], 'clip1', 120)!;
  assert.equal(pasteTick(copied, 'clip1', null), 600);
  assert.equal(pasteTick(copied, 'clip2', null), 480);
  assert.equal(pasteTick(copied, 'clip2', 0), 0);
});

test('notes that would start past the clip end are dropped and counted', () => {
  const copied = copyNotes([note('a', 60, 0), note('b', 62, 1000)], 'c', 120)!;
  const { notes, dropped } = pastedNotes(copied, 1800, 1920);
  assert.deepEqual(
    notes.map((n) => n.tick),
    [1800],
  );
  assert.equal(dropped, 1);
  const board = createNoteClipboard();
  board.set(copied);
  assert.equal(board.get(), copied);
});
