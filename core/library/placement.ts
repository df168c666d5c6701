/**
 * A library clip in another song: transposed into that song's key (drums never are), laid out on
 * its meter, and inserted as one labelled edit through core/song/edits.ts — so it is a checkpoint
 * like any other edit, bandmates receive it, and undo takes it back.
 */
import type * as Y from 'yjs';
import { addClip, addTrack, labelledEdit, type EditOptions } from '../song/edits.ts';
import type { Key, NoteInput, Song } from '../song/types.ts';
import { ticksPerBar } from '../time.ts';
import { MAX_BARS, checkInt, checkNote } from '../song/validate.ts';
import { keyLabel } from './describe-clip.ts';
import type { LibraryClip } from './types.ts';

export const LIBRARY_PROVENANCE_FORMAT = 'riffroom-library/1';

/**
 * Semitones that move a clip in key `from` into key `to`, the smaller way (-6..+5). Same mode:
 * tonic onto tonic. Other mode: onto the song key's relative (an A minor riff in a C major song
 * stays where it is), so the riff keeps to the song's scale and its own mode.
 */
export function transposition(from: Key | null, to: Key): number {
  if (!from) return 0;
  const target = from.mode === to.mode ? to.tonic : to.mode === 'major' ? (to.tonic + 9) % 12 : (to.tonic + 3) % 12;
  const up = (((target - from.tonic) % 12) + 12) % 12;
  return up > 5 ? up - 12 : up;
}

/** The notes moved by `semitones`; a note pushed out of MIDI's range comes back an octave. */
export function transposeNotes(notes: readonly NoteInput[], semitones: number): NoteInput[] {
  return notes.map((n) => {
    let pitch = n.pitch + semitones;
    while (pitch > 127) pitch -= 12;
    while (pitch < 0) pitch += 12;
    return { ...n, pitch };
  });
}

export interface Placed {
  notes: NoteInput[];
  lengthBars: number;
  /** Semitones the notes were moved (0: not transposed). */
  semitones: number;
  /** "transposed up 3 semitones to Eb major", or null. */
  note: string | null;
}

/** A library clip's notes as they sound in `song`: in its key, as many of its bars as they fill. */
export function placeInSong(clip: LibraryClip, song: Pick<Song, 'meta'>): Placed {
  const semitones = clip.role === 'drums' ? 0 : transposition(clip.metadata.key?.value ?? null, song.meta.key);
  const notes = transposeNotes(clip.notes, semitones);
  const sameMeter = clip.meter.numerator === song.meta.meter.numerator && clip.meter.denominator === song.meta.meter.denominator;
  const lastEnd = notes.reduce((end, n) => Math.max(end, n.tick + n.duration), 0);
  const lengthBars = sameMeter ? clip.lengthBars : Math.max(1, Math.ceil(lastEnd / ticksPerBar(song.meta.meter)));
  const note =
    semitones === 0
      ? null
      : `transposed ${semitones > 0 ? 'up' : 'down'} ${Math.abs(semitones)} semitone${Math.abs(semitones) === 1 ? '' : 's'} to ${keyLabel(song.meta.key)}`;
  return { notes, lengthBars, semitones, note };
}

export interface InsertTarget {
  startBar: number;
  /** The track to put it on; absent: the first track of the clip's role, else a new track. */
  trackId?: string;
}

export interface Inserted {
  clipId: string;
  trackId: string;
  label: string;
}

/** Inserts a library clip into the song of `doc` (whose snapshot is `song`) as one labelled edit. */
export function insertLibraryClip(doc: Y.Doc, song: Song, clip: LibraryClip, target: InsertTarget, options?: EditOptions): Inserted {
  const placed = placeInSong(clip, song);
  const existing = target.trackId ?? song.tracks.find((t) => t.role === clip.role)?.id;
  const label = `inserted "${clip.name}" from the library${placed.note ? ` (${placed.note})` : ''}`;
  const detail = {
    format: LIBRARY_PROVENANCE_FORMAT,
    libraryClipId: clip.id,
    name: clip.name,
    author: clip.provenance.author,
    sourceSong: clip.provenance.sourceSong,
    transposedBy: placed.semitones,
    ...(clip.provenance.model ? { model: clip.provenance.model } : {}),
    ...(clip.provenance.seed !== undefined && clip.provenance.seed !== null ? { seed: clip.provenance.seed } : {}),
  };
  // Checked before anything is written: a Yjs transaction is not rolled back by a throw, so a
  // refused clip must not leave behind the track made for it.
  checkInt('clip start bar', target.startBar, 0, MAX_BARS - 1);
  checkInt('clip length in bars', placed.lengthBars, 1, MAX_BARS - target.startBar);
  const clipTicks = placed.lengthBars * ticksPerBar(song.meta.meter);
  for (const n of placed.notes) checkNote(n, clipTicks);
  return labelledEdit(
    doc,
    label.slice(0, 200),
    () => {
      const trackId = existing ?? addTrack(doc, { role: clip.role, instrument: clip.instrument || undefined }, options);
      const clipId = addClip(
        doc,
        {
          trackId,
          startBar: target.startBar,
          lengthBars: placed.lengthBars,
          name: clip.name,
          notes: placed.notes,
          provenance: { source: clip.provenance.source, detail },
        },
        options,
      );
      return { clipId, trackId, label };
    },
    options,
  );
}
