import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { drumRows } from './drum-kit.ts';
import { noteAt } from './hit-test.ts';
import type { GridLayout } from './layout.ts';
import { gestureOutcome, startGesture, type GestureContext, type PressContext } from './note-gesture.ts';
import { PIANO_ROWS } from './rows.ts';

const layout: GridLayout = { tickPx: 0.1, rowPx: 10, rows: PIANO_ROWS };
const yOf = (pitch: number) => (127 - pitch) * 10 + 5;
const note = (id: string, pitch: number, tick: number, duration = 240): Note => ({ id, pitch, tick, duration, velocity: 100 });
const notes = [note('a', 60, 0), note('b', 64, 480), { ...note('locked', 67, 0), locked: true } as Note];
const canEdit = (n: Note) => !(n as { locked?: boolean }).locked;
const press = (over: Partial<PressContext> = {}): PressContext => ({
  tool: 'draw',
  shift: false,
  drums: false,
  selection: new Set(),
  notes,
  canEdit,
  ...over,
});
const ctx = (over: Partial<GestureContext> = {}): GestureContext => ({
  layout,
  step: 120,
  clipTicks: 1920,
  notes,
  editable: notes.filter(canEdit),
  selection: new Set(),
  velocity: 100,
  ...over,
});

test('a press on a note moves it (with the selection); on its end resizes; a locked note starts nothing', () => {
  const hit = noteAt(notes, layout, 5, yOf(60));
  const start = startGesture(hit, 5, yOf(60), 60, layout, press({ selection: new Set(['a', 'b']) }));
  assert.equal(start?.kind, 'move');
  assert.deepEqual(start?.kind === 'move' && start.group.map((n) => n.id), ['a', 'b']);
  assert.equal(startGesture(noteAt(notes, layout, 22, yOf(60)), 22, yOf(60), 60, layout, press())?.kind, 'resize');
  assert.equal(startGesture(noteAt(notes, layout, 5, yOf(67)), 5, yOf(67), 67, layout, press()), null);
});

test('a press on empty space draws (piano), paints (drums), or rubber-bands (shift, select tool)', () => {
  assert.equal(startGesture(null, 100, yOf(62), 62, layout, press())?.kind, 'draw');
  assert.equal(startGesture(null, 100, yOf(62), 62, layout, press({ drums: true }))?.kind, 'paint');
  assert.equal(startGesture(null, 100, yOf(62), 62, layout, press({ shift: true }))?.kind, 'band');
  assert.equal(startGesture(null, 100, yOf(62), 62, layout, press({ tool: 'select' }))?.kind, 'band');
});

test('outcomes: click, move by grid steps and rows, draw a longer note, band', () => {
  const a = notes[0]!;
  const move = startGesture({ note: a, part: 'body' }, 5, yOf(60), 60, layout, press())!;
  assert.deepEqual(gestureOutcome(move, 6, yOf(60), false, ctx()), { kind: 'click', note: a });
  const moved = gestureOutcome(move, 5 + 25, yOf(60) - 20, false, ctx());
  assert.equal(moved.kind, 'move');
  assert.deepEqual(moved.kind === 'move' && moved.delta, { ticks: 240, rows: -2 });
  assert.deepEqual(moved.kind === 'move' && moved.preview.map((n) => [n.pitch, n.tick]), [[62, 240]]);

  const draw = startGesture(null, 130, yOf(62), 62, layout, press())!;
  assert.deepEqual(gestureOutcome(draw, 130, yOf(62), false, ctx()), {
    kind: 'draw',
    notes: [{ pitch: 62, tick: 1200, duration: 120, velocity: 100 }],
  });
  assert.deepEqual(gestureOutcome(draw, 160, yOf(62), false, ctx()), {
    kind: 'draw',
    notes: [{ pitch: 62, tick: 1200, duration: 480, velocity: 100 }],
  });

  const band = startGesture(null, 0, yOf(70), 70, layout, press({ tool: 'select' }))!;
  const out = gestureOutcome(band, 60, yOf(58), false, ctx());
  assert.deepEqual(out.kind === 'band' && [...out.selection].sort(), ['a', 'b'], 'the locked note is left out');
});

test('the drum grid paints hits along the row', () => {
  const rows = drumRows([]);
  const drumLayout: GridLayout = { tickPx: 0.1, rowPx: 20, rows };
  const paint = startGesture(null, 1, 170, 36, drumLayout, press({ drums: true }))!;
  const out = gestureOutcome(paint, 47, 170, false, ctx({ layout: drumLayout, notes: [] }));
  assert.deepEqual(out.kind === 'draw' && out.notes.map((n) => [n.pitch, n.tick]), [
    [36, 0],
    [36, 120],
    [36, 240],
    [36, 360],
  ]);
});

test('velocity: the bar follows the pointer height', () => {
  const a = notes[0]!;
  const start = { kind: 'velocity' as const, x: 2, y: 50, anchor: a, laneHeight: 60 };
  assert.deepEqual(gestureOutcome(start, 2, 0, false, ctx()), { kind: 'velocity', anchor: a, patches: [{ id: 'a', velocity: 127 }] });
});
