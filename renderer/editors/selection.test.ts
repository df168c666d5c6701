import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { pruneSelection, selectAll, selectInBand, selectOnClick, selectOnPointerDown, selectedNotes } from './selection.ts';

const note = (id: string): Note => ({ id, pitch: 60, tick: 0, duration: 120, velocity: 100 });
const ids = (s: ReadonlySet<string>) => [...s].sort();

test('click selects one note; shift-click toggles; pressing a selected note keeps the group for a drag', () => {
  let s: ReadonlySet<string> = new Set();
  s = selectOnPointerDown(s, 'a', false);
  assert.deepEqual(ids(s), ['a']);
  s = selectOnPointerDown(s, 'b', true);
  assert.deepEqual(ids(s), ['a', 'b']);
  const kept = selectOnPointerDown(s, 'a', false);
  assert.equal(kept, s, 'same set: the group stays for a drag');
  assert.deepEqual(ids(selectOnClick(kept, 'a', false)), ['a'], 'a click without a drag leaves that note alone');
  assert.deepEqual(ids(selectOnPointerDown(s, 'b', true)), ['a'], 'shift-click again removes it');
});

test('rubber band replaces, or adds with shift', () => {
  const base = new Set(['a']);
  assert.deepEqual(ids(selectInBand(base, ['b', 'c'], false)), ['b', 'c']);
  assert.deepEqual(ids(selectInBand(base, ['b'], true)), ['a', 'b']);
  assert.equal(selectInBand(base, ['a'], false), base, 'unchanged: the same set');
});

test('select all skips locked notes; pruning drops gone and locked notes', () => {
  const notes = [note('a'), note('b'), { ...note('c'), locked: true } as Note];
  const canEdit = (n: Note) => !(n as { locked?: boolean }).locked;
  assert.deepEqual(ids(selectAll(notes, canEdit)), ['a', 'b']);
  const s = new Set(['a', 'c', 'gone']);
  assert.deepEqual(ids(pruneSelection(s, notes, canEdit)), ['a']);
  const clean = new Set(['a']);
  assert.equal(pruneSelection(clean, notes, canEdit), clean);
  assert.deepEqual(
    selectedNotes(notes, new Set(['b', 'a'])).map((n) => n.id),
    ['a', 'b'],
    'in clip order',
  );
});
