/**
 * Pointer gestures of the note grid and the velocity lane, as pure math: what a press starts
 * (move, resize, draw, paint, rubber band, velocity drag) and, for any later pointer position,
 * what the gesture would do. The view draws that as a preview and makes one edit on release,
 * so a gesture is one history entry and one undo step (like app/arrangement/clip-gesture.ts).
 */
import type { Note, NoteInput } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import { drawnNote, paintedHits } from './drawing.ts';
import type { NoteHit } from './hit-test.ts';
import { notesInRect } from './hit-test.ts';
import { rectFromCorners, xToTick, type GridLayout, type Rect } from './layout.ts';
import { dragMoveDelta, movedNotes, resizedNotes, type MoveDelta } from './note-moves.ts';
import { selectInBand, type Selection } from './selection.ts';
import { velocityFromY, velocityPatches, type VelocityPatch } from './velocity.ts';

/** Movement below this is a click, not a drag. */
export const DRAG_THRESHOLD_PX = 3;

export type Tool = 'draw' | 'select';

export type GestureStart =
  | { kind: 'move' | 'resize'; x: number; y: number; anchor: Note; group: Note[] }
  | { kind: 'draw' | 'paint'; x: number; y: number; pitch: number; tick: Ticks }
  | { kind: 'band'; x: number; y: number; additive: boolean; base: Selection }
  | { kind: 'velocity'; x: number; y: number; anchor: Note; laneHeight: number };

export interface GestureContext {
  layout: GridLayout;
  step: Ticks;
  clipTicks: Ticks;
  /** The clip's notes now. */
  notes: readonly Note[];
  /** Those of them that may be edited (a rubber band selects only these). */
  editable: readonly Note[];
  selection: Selection;
  /** Velocity of new notes. */
  velocity: number;
}

export type GestureOutcome =
  /** A press and release on a note without moving: select it (the drum grid removes the hit). */
  | { kind: 'click'; note: Note }
  | { kind: 'move'; delta: MoveDelta; group: Note[]; preview: Note[] }
  | { kind: 'resize'; preview: Note[] }
  | { kind: 'draw'; notes: NoteInput[] }
  | { kind: 'band'; rect: Rect; selection: Selection }
  | { kind: 'velocity'; anchor: Note; patches: VelocityPatch[] };

export interface PressContext {
  tool: Tool;
  shift: boolean;
  drums: boolean;
  /** The selection after the press selected (selectOnPointerDown). */
  selection: Selection;
  notes: readonly Note[];
  canEdit(note: Note): boolean;
}

/** What a press in the grid at (x, y) over `hit` starts; null when nothing may happen (a locked note). */
export function startGesture(
  hit: NoteHit | null,
  x: number,
  y: number,
  pitch: number | null,
  layout: GridLayout,
  press: PressContext,
): GestureStart | null {
  if (hit) {
    if (!press.canEdit(hit.note)) return null;
    // Shift-clicking a note only changes the selection; a drag from there still moves the group.
    const group = press.notes.filter((n) => press.canEdit(n) && (press.selection.has(n.id) || n.id === hit.note.id));
    return { kind: hit.part === 'end' ? 'resize' : 'move', x, y, anchor: hit.note, group };
  }
  if (press.shift || press.tool === 'select') return { kind: 'band', x, y, additive: press.shift, base: press.selection };
  if (pitch === null) return null;
  return { kind: press.drums ? 'paint' : 'draw', x, y, pitch, tick: Math.max(0, xToTick(layout, x)) };
}

function dragged(start: GestureStart, x: number, y: number): boolean {
  return Math.abs(x - start.x) >= DRAG_THRESHOLD_PX || Math.abs(y - start.y) >= DRAG_THRESHOLD_PX;
}

/** What releasing at (x, y) would do. `free` (Alt held) moves and resizes off the grid. */
export function gestureOutcome(start: GestureStart, x: number, y: number, free: boolean, ctx: GestureContext): GestureOutcome {
  const { layout, step, clipTicks } = ctx;
  switch (start.kind) {
    case 'move': {
      if (!dragged(start, x, y)) return { kind: 'click', note: start.anchor };
      const dRows = Math.round((y - start.y) / layout.rowPx);
      const delta = dragMoveDelta(start.group, start.anchor, xToTick(layout, x - start.x), dRows, step, free, clipTicks, layout.rows);
      return { kind: 'move', delta, group: start.group, preview: movedNotes(start.group, delta, layout.rows) };
    }
    case 'resize': {
      if (!dragged(start, x, y)) return { kind: 'click', note: start.anchor };
      return { kind: 'resize', preview: resizedNotes(start.group, start.anchor, xToTick(layout, x - start.x), step, free) };
    }
    case 'draw':
      return { kind: 'draw', notes: [drawnNote(start.tick, xToTick(layout, x), start.pitch, step, clipTicks, ctx.velocity)] };
    case 'paint':
      return { kind: 'draw', notes: paintedHits(ctx.notes, start.pitch, start.tick, xToTick(layout, x), step, clipTicks, ctx.velocity) };
    case 'band': {
      const rect = rectFromCorners(start.x, start.y, x, y);
      return { kind: 'band', rect, selection: selectInBand(start.base, notesInRect(ctx.editable, layout, rect), start.additive) };
    }
    case 'velocity': {
      // A click sets the velocity at its height too.
      return {
        kind: 'velocity',
        anchor: start.anchor,
        patches: velocityPatches(ctx.notes, start.anchor, velocityFromY(y, start.laneHeight), ctx.selection),
      };
    }
  }
}
