/**
 * The editors' edits: each gesture or key becomes exactly one labelled transaction made of core's
 * typed note edits (core/song/edits.ts), so it is one history entry and one undo step, with a
 * label that says what the musician did ("drew a note", "quantized 8 notes"). Where core's own
 * label already says it ("moved 3 notes", "resized 2 notes"), it is kept. A nested labelledEdit
 * gives the outer label (core documents this), so wrapping a core edit relabels it without a
 * second transaction.
 */
import type * as Y from 'yjs';
import { addNotes, deleteNotes, labelledEdit, moveNotes, updateNotes, type NotePatch } from '../../core/song/edits.ts';
import type { Note, NoteInput } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import { movedNotes, type MoveDelta } from './note-moves.ts';
import type { RowModel } from './rows.ts';

function count(n: number, word: string): string {
  return n === 1 ? `a ${word}` : `${n} ${word}s`;
}

/** Notes drawn in the piano roll ("drew a note") or hits painted in the drum grid ("drew 4 hits"). */
export function drawNotes(doc: Y.Doc, clipId: string, notes: NoteInput[], word: 'note' | 'hit' = 'note'): string[] {
  return labelledEdit(doc, `drew ${count(notes.length, word)}`, () => addNotes(doc, clipId, notes));
}

/** A drum cell clicked off ("removed a hit"). */
export function removeHit(doc: Y.Doc, clipId: string, noteId: string): void {
  labelledEdit(doc, 'removed a hit', () => deleteNotes(doc, clipId, [noteId]));
}

/** Deletes notes with core's label ("deleted 3 notes"). */
export function deleteSelectedNotes(doc: Y.Doc, clipId: string, noteIds: string[]): void {
  deleteNotes(doc, clipId, noteIds);
}

export function cutNotes(doc: Y.Doc, clipId: string, noteIds: string[]): void {
  labelledEdit(doc, `cut ${count(noteIds.length, 'note')}`, () => deleteNotes(doc, clipId, noteIds));
}

export function pasteNotes(doc: Y.Doc, clipId: string, notes: NoteInput[]): string[] {
  return labelledEdit(doc, `pasted ${count(notes.length, 'note')}`, () => addNotes(doc, clipId, notes));
}

/**
 * Moves a group by a delta of ticks and rows. When every note changes pitch by the same number
 * of semitones (always, in the piano roll) it is core's moveNotes; the drum grid's rows are not
 * evenly spaced in pitch, so there each note gets its own new pitch, under the same label.
 */
export function moveNoteGroup(doc: Y.Doc, clipId: string, notes: readonly Note[], delta: MoveDelta, rows: RowModel): void {
  const moved = movedNotes(notes, delta, rows);
  const semitones = moved.map((m, i) => m.pitch - notes[i]!.pitch);
  if (semitones.every((s) => s === semitones[0])) {
    moveNotes(
      doc,
      clipId,
      notes.map((n) => n.id),
      { ticks: delta.ticks, semitones: semitones[0] ?? 0 },
    );
    return;
  }
  const label = `moved ${notes.length} note${notes.length === 1 ? '' : 's'}`;
  labelledEdit(doc, label, () =>
    updateNotes(
      doc,
      clipId,
      moved.map((m) => ({ id: m.id, tick: m.tick, pitch: m.pitch })),
    ),
  );
}

/** New lengths ("resized 2 notes"). */
export function resizeNotes(doc: Y.Doc, clipId: string, patches: { id: string; duration: Ticks }[]): void {
  updateNotes(doc, clipId, patches);
}

/** New velocities ("changed velocity of 3 notes"). */
export function setVelocities(doc: Y.Doc, clipId: string, patches: { id: string; velocity: number }[]): void {
  updateNotes(doc, clipId, patches);
}

/** Quantized starts ("quantized 8 notes"). */
export function quantizeNotes(doc: Y.Doc, clipId: string, patches: { id: string; tick: Ticks }[]): void {
  const edit: NotePatch[] = patches.map((p) => ({ id: p.id, tick: p.tick }));
  labelledEdit(doc, `quantized ${count(patches.length, 'note')}`, () => updateNotes(doc, clipId, edit));
}
