/**
 * Which notes the editor may change. A locked clip (Clip.locked, set with the editor's lock
 * button) keeps all its notes; core refuses every note edit on it. Single notes can be locked too,
 * so the AI bandmate keeps them when it varies a clip (inference's `locks.notes`), but core's Note
 * has no such flag yet: a note record carrying `locked: true` is honoured here (drawn locked,
 * never selected or edited), ready for when core stores it.
 */
import type { Clip, Note } from '../../core/song/types.ts';

export function isNoteLocked(note: Note): boolean {
  return (note as Note & { locked?: unknown }).locked === true;
}

/**
 * Whether a note can be selected: every note but an individually locked one. In a locked clip
 * notes are still selected (and copied); only edits are refused.
 */
export function isSelectable(note: Note): boolean {
  return !isNoteLocked(note);
}

/** Whether this user may edit the clip's notes at all. */
export function canEditClip(clip: Pick<Clip, 'locked'>, readOnly: boolean): boolean {
  return !clip.locked && !readOnly;
}
