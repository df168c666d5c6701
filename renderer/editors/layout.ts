/**
 * Pixels of an editor's note grid: ticks across, rows down. Pure, shared by drawing, hit testing
 * and gestures, so what is drawn is exactly what a click finds.
 */
import type { Note } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import type { RowModel } from './rows.ts';

export interface GridLayout {
  /** Pixels per tick (zoom). */
  tickPx: number;
  /** Height of a row. */
  rowPx: number;
  rows: RowModel;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A short note is still wide enough to see and to grab. */
export const MIN_NOTE_PX = 4;

export function tickToX(layout: GridLayout, tick: Ticks): number {
  return tick * layout.tickPx;
}

export function xToTick(layout: GridLayout, x: number): Ticks {
  return x / layout.tickPx;
}

/** Row under a y position (may be outside the model: the caller clamps or ignores). */
export function yToRow(layout: GridLayout, y: number): number {
  return Math.floor(y / layout.rowPx);
}

export function gridHeight(layout: GridLayout): number {
  return layout.rows.pitches.length * layout.rowPx;
}

/** Where a note is drawn, or null when its pitch has no row here. */
export function noteRect(layout: GridLayout, note: Pick<Note, 'pitch' | 'tick' | 'duration'>): Rect | null {
  const row = layout.rows.indexOf.get(note.pitch);
  if (row === undefined) return null;
  return {
    x: tickToX(layout, note.tick),
    y: row * layout.rowPx,
    width: Math.max(MIN_NOTE_PX, note.duration * layout.tickPx),
    height: layout.rowPx,
  };
}

/** The rectangle spanned by two corners, in any order. */
export function rectFromCorners(ax: number, ay: number, bx: number, by: number): Rect {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) };
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Zoom limits, as pixels per quarter note. */
export const MIN_QUARTER_PX = 12;
export const MAX_QUARTER_PX = 480;

const clampQuarterPx = (px: number): number => Math.min(MAX_QUARTER_PX, Math.max(MIN_QUARTER_PX, px));

/** The zoom that shows the whole clip in `widthPx` (within the limits). */
export function fitQuarterPx(widthPx: number, clipTicks: Ticks, ticksPerQuarter: Ticks): number {
  return clampQuarterPx(Math.floor((widthPx / clipTicks) * ticksPerQuarter));
}

/** One zoom step in or out. */
export function zoomedQuarterPx(px: number, direction: 1 | -1): number {
  return clampQuarterPx(Math.round(direction > 0 ? px * 1.25 : px / 1.25));
}
