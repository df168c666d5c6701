/**
 * What every file import (MIDI, MusicXML) does to fit a file's notes into a song: notes no longer
 * than the song holds, the bars a clip needs, and a refusal in words when they do not fit from the
 * chosen bar.
 */
import type { Ticks } from '../time.ts';
import type { NoteInput } from './types.ts';
import { EditError, MAX_BARS, MAX_NOTE_TICKS } from './validate.ts';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The song holds notes of at most MAX_NOTE_TICKS (64 bars of 4/4); a longer note in a file
 * (usually a MIDI note-off that never came) is shortened to that, which is how long it could ever
 * sound in the app.
 */
export function fitNote(note: NoteInput): NoteInput {
  return note.duration > MAX_NOTE_TICKS ? { ...note, duration: MAX_NOTE_TICKS } : note;
}

/** Whole bars from the clip start that cover every note's end and `end` (a score's own length); at least one. */
export function barsCovering(notes: readonly NoteInput[], barTicks: Ticks, end: Ticks = 0): number {
  let last = end;
  for (const n of notes) last = Math.max(last, n.tick + n.duration);
  return Math.max(1, Math.ceil(last / barTicks));
}

/** Throws an EditError when `lengthBars` from `startBar` would run past the song's last bar. */
export function checkLength(lengthBars: number, startBar: number, what: string): void {
  if (lengthBars > MAX_BARS - startBar) {
    throw new EditError(
      `${what} is ${plural(lengthBars, 'bar')} long; from bar ${startBar + 1} a song has room for ${MAX_BARS - startBar}`,
    );
  }
}
