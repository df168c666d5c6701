/**
 * What the editor's keys, buttons and finished gestures do: each becomes at most one labelled
 * edit (note-edits.ts) run through the app's EditRunner, plus the new selection and paste
 * position. No DOM and no React, so Node tests drive it against a real Y.Doc.
 */
import type * as Y from 'yjs';
import type { Clip, Note } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import { copyNotes, pastedNotes, pasteTick, type NoteClipboard } from './clipboard.ts';
import type { EditorCommand } from './editor-keys.ts';
import type { GestureOutcome } from './note-gesture.ts';
import { clampMove, isNoMove, nudgeDelta } from './note-moves.ts';
import {
  cutNotes,
  deleteSelectedNotes,
  drawNotes,
  moveNoteGroup,
  pasteNotes,
  quantizeNotes,
  removeHit,
  resizeNotes,
  setVelocities,
} from './note-edits.ts';
import { quantizePatches } from './quantize.ts';
import type { RowModel } from './rows.ts';
import { EMPTY_SELECTION, selectAll, selectedNotes, selectOnClick, type Selection } from './selection.ts';

export interface EditorEnv {
  doc: Y.Doc;
  /** The clip as it is now. */
  clip: Clip;
  rows: RowModel;
  drums: boolean;
  step: Ticks;
  barTicks: Ticks;
  /** Quantize strength, 0..1. */
  strength: number;
  /** The selection (only notes that exist and can be selected). */
  selection: Selection;
  cursor: Ticks | null;
  clipboard: NoteClipboard;
  /** Whether this user may edit the clip's notes at all (not locked, not a viewer). */
  editable: boolean;
  /** Notes that can be selected, and so edited when the clip is editable (note-locks.ts). */
  canSelect(note: Note): boolean;
  /** The app's EditRunner.run: undefined when the edit was refused (and said why). */
  run<T>(edit: () => T): T | undefined;
  notify(message: string, kind?: 'info' | 'error'): void;
  /** Says why the clip cannot be edited (locked, or a viewer). */
  refuse(): void;
}

/** What changed in the editor's own state; undefined fields stay as they are. */
export interface ActionResult {
  selection?: Selection;
  cursor?: Ticks | null;
  /** Velocity for the next drawn notes. */
  velocity?: number;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function copy(env: EditorEnv, notes: Note[]): boolean {
  const copied = copyNotes(notes, env.clip.id, env.step);
  if (!copied) {
    env.notify('Select notes to copy first.');
    return false;
  }
  env.clipboard.set(copied);
  return true;
}

/** Runs a key command. Zoom and tool are the view's business and are not handled here. */
export function runEditorCommand(command: EditorCommand, big: boolean, env: EditorEnv): ActionResult {
  const { doc, clip } = env;
  const selected = selectedNotes(clip.notes, env.selection);
  switch (command) {
    case 'deselect':
      return { selection: EMPTY_SELECTION };
    case 'selectAll':
      return { selection: selectAll(clip.notes, env.canSelect) };
    case 'copy':
      if (copy(env, selected)) env.notify(`Copied ${plural(selected.length, 'note')}`);
      return {};
    default:
      break;
  }
  if (!env.editable) {
    env.refuse();
    return {};
  }
  switch (command) {
    case 'delete':
      if (selected.length)
        env.run(() =>
          deleteSelectedNotes(
            doc,
            clip.id,
            selected.map((n) => n.id),
          ),
        );
      return { selection: EMPTY_SELECTION };
    case 'cut':
      if (copy(env, selected))
        env.run(() =>
          cutNotes(
            doc,
            clip.id,
            selected.map((n) => n.id),
          ),
        );
      return { selection: EMPTY_SELECTION };
    case 'paste': {
      const copied = env.clipboard.get();
      if (!copied) {
        env.notify('Nothing copied yet: select notes and press Mod+C.');
        return {};
      }
      const at = pasteTick(copied, clip.id, env.cursor);
      const { notes, dropped } = pastedNotes(copied, at, clip.lengthBars * env.barTicks);
      if (dropped) env.notify(`${plural(dropped, 'note')} did not fit before the clip's end`);
      if (!notes.length) return {};
      const ids = env.run(() => pasteNotes(doc, clip.id, notes));
      return ids ? { selection: new Set(ids), cursor: at + copied.span } : {};
    }
    case 'quantize': {
      // The selection, or every note when nothing is selected.
      const notes = selected.length ? selected : clip.notes.filter(env.canSelect);
      const patches = quantizePatches(notes, env.step, env.strength, clip.lengthBars * env.barTicks);
      if (!patches.length) env.notify(notes.length ? 'Already on the grid.' : 'No notes to quantize.');
      else env.run(() => quantizeNotes(doc, clip.id, patches));
      return {};
    }
    case 'left':
    case 'right':
    case 'up':
    case 'down': {
      if (!selected.length) return {};
      const wanted = nudgeDelta(command, big, env.step, env.barTicks, env.drums ? 1 : 12);
      const delta = clampMove(selected, wanted, clip.lengthBars * env.barTicks, env.rows);
      if (!isNoMove(delta)) env.run(() => moveNoteGroup(doc, clip.id, selected, delta, env.rows));
      return {};
    }
    default:
      return {};
  }
}

/** Makes the one edit of a finished gesture. `shift`: Shift was held at the press. */
export function finishGesture(outcome: GestureOutcome, shift: boolean, env: EditorEnv): ActionResult {
  const { doc, clip } = env;
  switch (outcome.kind) {
    case 'click':
      // A drum cell clicked on its hit turns it off; elsewhere a click selects the note.
      if (env.drums && !shift) {
        env.run(() => removeHit(doc, clip.id, outcome.note.id));
        return {};
      }
      return { selection: selectOnClick(env.selection, outcome.note.id, shift), velocity: outcome.note.velocity };
    case 'move':
      if (!isNoMove(outcome.delta)) env.run(() => moveNoteGroup(doc, clip.id, outcome.group, outcome.delta, env.rows));
      return {};
    case 'resize': {
      const before = new Map(clip.notes.map((n) => [n.id, n.duration]));
      const patches = outcome.preview.filter((n) => before.get(n.id) !== n.duration).map((n) => ({ id: n.id, duration: n.duration }));
      if (patches.length) env.run(() => resizeNotes(doc, clip.id, patches));
      return {};
    }
    case 'draw': {
      if (!outcome.notes.length) return {};
      const ids = env.run(() => drawNotes(doc, clip.id, outcome.notes, env.drums ? 'hit' : 'note'));
      return ids ? { selection: new Set(ids) } : {};
    }
    case 'band':
      return { selection: outcome.selection };
    case 'velocity': {
      if (outcome.patches.length) env.run(() => setVelocities(doc, clip.id, outcome.patches));
      const mine = outcome.patches.find((p) => p.id === outcome.anchor.id);
      return mine ? { velocity: mine.velocity } : {};
    }
  }
}
