/**
 * Moving and resizing notes as pure math: a drag or an arrow key becomes one delta (ticks, rows)
 * for the whole group, clamped so every note stays inside the clip and on a row, and the group
 * keeps its shape. Rows are the editor's (rows.ts): in the piano roll a row is a semitone, in the
 * drum grid a kit piece.
 */
import type { Note } from '../../core/song/types.ts';
import { MAX_NOTE_TICKS } from '../../core/song/validate.ts';
import type { Ticks } from '../../core/time.ts';
import { snapNearest } from './grid.ts';
import { shiftedPitch, type RowModel } from './rows.ts';

export interface MoveDelta {
  ticks: Ticks;
  /** Positive moves down the rows (lower pitch in the piano roll). */
  rows: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The largest part of `wanted` that keeps every note in the clip and on the rows. */
export function clampMove(notes: readonly Note[], wanted: MoveDelta, clipTicks: Ticks, rows: RowModel): MoveDelta {
  if (notes.length === 0) return { ticks: 0, rows: 0 };
  let minTick = Infinity;
  let maxTick = -Infinity;
  let minRow = Infinity;
  let maxRow = -Infinity;
  for (const n of notes) {
    minTick = Math.min(minTick, n.tick);
    maxTick = Math.max(maxTick, n.tick);
    const row = rows.indexOf.get(n.pitch);
    if (row === undefined) return { ticks: 0, rows: 0 };
    minRow = Math.min(minRow, row);
    maxRow = Math.max(maxRow, row);
  }
  return {
    ticks: clamp(wanted.ticks, 0 - minTick, clipTicks - 1 - maxTick),
    rows: clamp(wanted.rows, 0 - minRow, rows.pitches.length - 1 - maxRow),
  };
}

/** The notes after a (clamped) move. */
export function movedNotes(notes: readonly Note[], delta: MoveDelta, rows: RowModel): Note[] {
  return notes.map((n) => ({ ...n, tick: n.tick + delta.ticks, pitch: shiftedPitch(rows, n.pitch, delta.rows) ?? n.pitch }));
}

/**
 * A drag that started on `anchor` and went `dxTicks` across and `dRows` down: the anchor's new
 * start snaps to the grid (unless `free`), and the others follow it.
 */
export function dragMoveDelta(
  group: readonly Note[],
  anchor: Note,
  dxTicks: number,
  dRows: number,
  step: Ticks,
  free: boolean,
  clipTicks: Ticks,
  rows: RowModel,
): MoveDelta {
  const target = free ? Math.round(anchor.tick + dxTicks) : snapNearest(anchor.tick + dxTicks, step);
  return clampMove(group, { ticks: target - anchor.tick, rows: dRows }, clipTicks, rows);
}

/**
 * A drag on `anchor`'s right edge: its end snaps to the grid, every note of the group grows or
 * shrinks by the same amount, never below one step (or its own length, when already shorter).
 */
export function resizedNotes(group: readonly Note[], anchor: Note, dxTicks: number, step: Ticks, free: boolean): Note[] {
  const anchorEnd = anchor.tick + anchor.duration;
  const target = free ? Math.round(anchorEnd + dxTicks) : snapNearest(anchorEnd + dxTicks, step);
  const change = target - anchorEnd;
  return group.map((n) => ({ ...n, duration: clamp(n.duration + change, Math.min(step, n.duration), MAX_NOTE_TICKS) }));
}

export type NudgeDirection = 'left' | 'right' | 'up' | 'down';

/**
 * An arrow key: a grid step across (Shift: a bar), a row up or down (Shift: an octave of rows in
 * the piano roll, `bigRows`).
 */
export function nudgeDelta(direction: NudgeDirection, big: boolean, step: Ticks, barTicks: Ticks, bigRows: number): MoveDelta {
  switch (direction) {
    case 'left':
      return { ticks: -(big ? barTicks : step), rows: 0 };
    case 'right':
      return { ticks: big ? barTicks : step, rows: 0 };
    case 'up':
      return { ticks: 0, rows: -(big ? bigRows : 1) };
    case 'down':
      return { ticks: 0, rows: big ? bigRows : 1 };
  }
}

export function isNoMove(delta: MoveDelta): boolean {
  return delta.ticks === 0 && delta.rows === 0;
}
