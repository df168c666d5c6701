/**
 * What is under the pointer in an editor: a note's body or its right edge (resize), the notes a
 * rubber band touches, the velocity bar nearest a click. Pure: positions are grid pixels.
 */
import type { Note } from '../../core/song/types.ts';
import { intersects, noteRect, type GridLayout, type Rect } from './layout.ts';

export interface NoteHit {
  note: Note;
  /** 'end': within the right edge's handle, a drag resizes. */
  part: 'body' | 'end';
}

/** Width of the resize handle at a note's right end (a third of a short note). */
export const EDGE_PX = 6;

/** The topmost note at (x, y): notes later in the list are drawn over earlier ones. */
export function noteAt(notes: readonly Note[], layout: GridLayout, x: number, y: number): NoteHit | null {
  for (let i = notes.length - 1; i >= 0; i--) {
    const note = notes[i]!;
    const r = noteRect(layout, note);
    if (!r || x < r.x || x >= r.x + r.width || y < r.y || y >= r.y + r.height) continue;
    const edge = Math.min(EDGE_PX, r.width / 3);
    return { note, part: x >= r.x + r.width - edge ? 'end' : 'body' };
  }
  return null;
}

/** Ids of the notes a rubber band touches. */
export function notesInRect(notes: readonly Note[], layout: GridLayout, band: Rect): string[] {
  const ids: string[] = [];
  for (const note of notes) {
    const r = noteRect(layout, note);
    if (r && intersects(r, band)) ids.push(note.id);
  }
  return ids;
}

/** Width of a velocity bar in the lane below the grid. */
export const VELOCITY_BAR_PX = 5;

/**
 * The note whose velocity bar is at x (bars stand at each note's start), within `slackPx`. When
 * bars overlap (a chord), a selected note wins, then the one nearest x.
 */
export function velocityBarAt(
  notes: readonly Note[],
  layout: Pick<GridLayout, 'tickPx'>,
  x: number,
  selected: ReadonlySet<string>,
  slackPx = 3,
): Note | null {
  let best: Note | null = null;
  let bestScore = Infinity;
  for (const note of notes) {
    const left = note.tick * layout.tickPx;
    if (x < left - slackPx || x > left + VELOCITY_BAR_PX + slackPx) continue;
    const score = Math.abs(x - (left + VELOCITY_BAR_PX / 2)) - (selected.has(note.id) ? 1000 : 0);
    if (score < bestScore) {
      best = note;
      bestScore = score;
    }
  }
  return best;
}
