/**
 * Note selection as sets of note ids, and the rules of clicking, shift-clicking and rubber
 * banding. Pure. Functions return the very same set when nothing changes, so React skips work.
 */
import type { Note } from '../../core/song/types.ts';

export type Selection = ReadonlySet<string>;

export const EMPTY_SELECTION: Selection = new Set();

function same(a: Selection, b: Selection): boolean {
  if (a.size !== b.size) return false;
  for (const id of a) if (!b.has(id)) return false;
  return true;
}

function keepIfSame(before: Selection, after: Set<string>): Selection {
  return same(before, after) ? before : after;
}

/**
 * Pointer down on a note. Shift toggles it. Without shift, a note already selected keeps the
 * selection (the user is about to drag the group); any other note becomes the only one.
 */
export function selectOnPointerDown(selection: Selection, id: string, shift: boolean): Selection {
  if (shift) {
    const next = new Set(selection);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }
  return selection.has(id) ? selection : new Set([id]);
}

/** Pointer up on a note without a drag: a plain click ends with that note alone selected. */
export function selectOnClick(selection: Selection, id: string, shift: boolean): Selection {
  return shift ? selection : keepIfSame(selection, new Set([id]));
}

/** A rubber band: its notes, added to the selection it started from when `additive`. */
export function selectInBand(base: Selection, hits: readonly string[], additive: boolean): Selection {
  const next = new Set(additive ? base : []);
  for (const id of hits) next.add(id);
  return keepIfSame(base, next);
}

export function selectAll(notes: readonly Note[], canEdit: (note: Note) => boolean): Selection {
  return new Set(notes.filter(canEdit).map((n) => n.id));
}

/** Drops ids of notes that are gone (deleted by anyone) or may no longer be edited. */
export function pruneSelection(selection: Selection, notes: readonly Note[], canEdit: (note: Note) => boolean): Selection {
  if (selection.size === 0) return selection;
  const live = new Set(notes.filter(canEdit).map((n) => n.id));
  const next = new Set([...selection].filter((id) => live.has(id)));
  return keepIfSame(selection, next);
}

/** The selected notes, in the clip's order. */
export function selectedNotes(notes: readonly Note[], selection: Selection): Note[] {
  return notes.filter((n) => selection.has(n.id));
}
