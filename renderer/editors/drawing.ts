/**
 * New notes from the pointer, as pure math: a note drawn in the piano roll (a click makes one
 * grid step; dragging right makes it longer, in steps) and the hits painted across the drum
 * grid's cells.
 */
import type { Note, NoteInput } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import { cellOf, snapDown } from './grid.ts';

/**
 * The note drawn from a press at `downTick` to the pointer at `nowTick`: it starts on the step
 * under the press and ends on the step boundary at or after the pointer, at least one step long,
 * never past the clip's end.
 */
export function drawnNote(downTick: Ticks, nowTick: Ticks, pitch: number, step: Ticks, clipTicks: Ticks, velocity: number): NoteInput {
  const tick = Math.min(snapDown(Math.max(0, downTick), step), snapDown(clipTicks - 1, step));
  const end = Math.max(tick + step, Math.ceil(nowTick / step) * step);
  return { pitch, tick, duration: Math.max(1, Math.min(end, clipTicks) - tick), velocity };
}

/** The hit in a drum cell (same row, starting inside the cell), if any. */
export function hitInCell(notes: readonly Note[], pitch: number, cellStart: Ticks, step: Ticks): Note | undefined {
  return notes.find((n) => n.pitch === pitch && n.tick >= cellStart && n.tick < cellStart + step);
}

/**
 * Hits painted along one row from the cell under the press to the cell under the pointer (either
 * direction), one per cell, skipping cells that already hold a hit.
 */
export function paintedHits(
  notes: readonly Note[],
  pitch: number,
  downTick: Ticks,
  nowTick: Ticks,
  step: Ticks,
  clipTicks: Ticks,
  velocity: number,
): NoteInput[] {
  const last = cellOf(clipTicks - 1, step).index;
  const a = Math.min(last, Math.max(0, cellOf(downTick, step).index));
  const b = Math.min(last, Math.max(0, cellOf(nowTick, step).index));
  const hits: NoteInput[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const tick = i * step;
    if (!hitInCell(notes, pitch, tick, step)) hits.push({ pitch, tick, duration: Math.min(step, clipTicks - tick), velocity });
  }
  return hits;
}
