/**
 * Keeping a variation: its bars written into the song as exactly one labelled edit ("generated
 * bass riff (seed 1234)"), so the history shows one entry and one undo takes it back. The clip's
 * provenance records the notes kept (core/provenance/generated-notes.ts), so an export can tell
 * later whether a person edited them. A new part
 * goes on a track of its role that is free over those bars (a new track when none is); Fill and
 * Vary replace the selected clip's notes; generated chords replace the chord track's bars.
 */
import type * as Y from 'yjs';
import { withGeneratedNotes } from '../../core/provenance/generated-notes.ts';
import { addClip, addTrack, labelledEdit, replaceClipNotes, setChords } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import type { NoteInput, Provenance, Song } from '../../core/song/types.ts';
import { chordSymbol } from '../../core/theory/chords.ts';
import { ticksPerBar, type Meter } from '../../core/time.ts';
import type { GeneratedPart } from '../../inference/contract.ts';
import { newTrackName } from '../app/arrangement/roles.ts';
import { clipRange, overlaps, type BarRange } from './bar-ranges.ts';
import type { TakeSlice, TakeTarget } from './build-request.ts';
import { chordInputs } from './song-chords.ts';

/** The notes of a result's bars [fromBar, fromBar + bars), with ticks from the first of them. */
export function sliceNotes(notes: readonly NoteInput[], meter: Meter, slice: TakeSlice): NoteInput[] {
  const barTicks = ticksPerBar(meter);
  const from = slice.fromBar * barTicks;
  const to = from + slice.bars * barTicks;
  return notes.filter((n) => n.tick >= from && n.tick < to).map((n) => ({ ...n, tick: n.tick - from }));
}

/** The track a new part goes on: the preferred one if free over `range`, else the first free track of the role; null: add one. */
export function trackForPart(song: Song, role: string, range: BarRange, preferTrackId: string | null): string | null {
  const free = (trackId: string): boolean => !song.clips.some((c) => c.trackId === trackId && overlaps(clipRange(c), range));
  if (preferTrackId && song.tracks.some((t) => t.id === preferTrackId) && free(preferTrackId)) return preferTrackId;
  return song.tracks.find((t) => t.role === role && free(t.id))?.id ?? null;
}

export interface KeptTake {
  /** The clip written (null for the chord track). */
  clipId: string | null;
}

/**
 * Writes `variation`'s slice to `target` as one edit labelled `label`. Throws core's EditError
 * when the song refuses it (a locked clip, a clip deleted meanwhile), like any edit.
 */
export function keepTake(
  doc: Y.Doc,
  target: TakeTarget,
  slice: TakeSlice,
  variation: Pick<GeneratedPart, 'notes' | 'chords'>,
  provenance: Provenance | null,
  label: string,
  clipName: string,
): KeptTake {
  // The document as it is now: a bandmate may have added a clip since the panel last rendered.
  const song = readSong(doc);
  const meter = song.meta.meter;
  const notes = sliceNotes(variation.notes, meter, slice);
  switch (target.kind) {
    case 'replace-clip': {
      const clip = song.clips.find((c) => c.id === target.clipId);
      // A clip shortened since the request keeps what fits.
      const end = (clip?.lengthBars ?? slice.bars) * ticksPerBar(meter);
      const kept = notes.filter((n) => n.tick < end);
      replaceClipNotes(doc, target.clipId, kept, withGeneratedNotes(provenance, kept), label);
      return { clipId: target.clipId };
    }
    case 'new-clip':
      return labelledEdit(doc, label, () => {
        const trackId =
          trackForPart(song, target.role, target.range, target.preferTrackId) ??
          addTrack(doc, {
            role: target.role,
            name: newTrackName(
              target.role,
              song.tracks.map((t) => t.name),
            ),
          });
        const clipId = addClip(doc, {
          trackId,
          startBar: target.range.from,
          lengthBars: target.range.to - target.range.from,
          name: clipName,
          notes,
          provenance: withGeneratedNotes(provenance, notes),
        });
        return { clipId };
      });
    case 'chord-track': {
      const barTicks = ticksPerBar(meter);
      const chords = chordInputs(variation.chords, meter, target.range, (c) =>
        chordSymbol({ root: c.root!, quality: c.quality, bass: null }),
      );
      labelledEdit(doc, label, () => setChords(doc, target.range.from * barTicks, target.range.to * barTicks, chords));
      return { clipId: null };
    }
  }
}
