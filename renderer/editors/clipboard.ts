/**
 * Copy and paste of notes, within a clip and across clips (and editors: a drum pattern pastes
 * into another drum clip). The clipboard holds notes relative to the first copied start; where a
 * paste lands is decided here too. Pure, apart from the one shared holder at the bottom.
 */
import type { Note, NoteInput } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';

export interface CopiedNotes {
  /** Ticks from the first copied note's start. */
  notes: NoteInput[];
  /** From the first start to the last end, rounded up to the grid: pasting again lays copies end to end. */
  span: Ticks;
  sourceClipId: string;
  /** Where the first copied note started in its clip. */
  sourceTick: Ticks;
}

export function copyNotes(notes: readonly Note[], sourceClipId: string, step: Ticks): CopiedNotes | null {
  if (notes.length === 0) return null;
  const first = Math.min(...notes.map((n) => n.tick));
  const end = Math.max(...notes.map((n) => n.tick + n.duration));
  return {
    notes: notes.map((n) => ({ pitch: n.pitch, tick: n.tick - first, duration: n.duration, velocity: n.velocity })),
    span: Math.max(step, Math.ceil((end - first) / step) * step),
    sourceClipId,
    sourceTick: first,
  };
}

/**
 * Where a paste starts: at the editor's paste position when there is one; otherwise right after
 * the copied notes in their own clip, or at the same place in another clip.
 */
export function pasteTick(copied: CopiedNotes, clipId: string, cursor: Ticks | null): Ticks {
  if (cursor !== null) return cursor;
  return copied.sourceClipId === clipId ? copied.sourceTick + copied.span : copied.sourceTick;
}

/** The notes a paste at `at` writes; those that would start past the clip's end are dropped. */
export function pastedNotes(copied: CopiedNotes, at: Ticks, clipTicks: Ticks): { notes: NoteInput[]; dropped: number } {
  const notes = copied.notes.map((n) => ({ ...n, tick: n.tick + at })).filter((n) => n.tick >= 0 && n.tick < clipTicks);
  return { notes, dropped: copied.notes.length - notes.length };
}

/** The window's note clipboard, shared by every editor instance (copy here, paste in another clip). */
export interface NoteClipboard {
  get(): CopiedNotes | null;
  set(copied: CopiedNotes | null): void;
}

export function createNoteClipboard(): NoteClipboard {
  let content: CopiedNotes | null = null;
  return { get: () => content, set: (c) => void (content = c) };
}

export const noteClipboard: NoteClipboard = createNoteClipboard();
