/**
 * "Import MIDI into a track": a MIDI file's notes as one new clip, on a track of the song or on
 * a new one, in one history entry. Reading and writing are core/midi's (importMidiIntoTrack);
 * this adds the new-track case and what the dialog shows before anything is written. A
 * malformed file throws MidiFormatError and a file the song cannot hold throws EditError, both
 * before the first write: the song is never left half-imported.
 */
import * as Y from 'yjs';
import { detectTrackRole } from '../../core/analysis/track-role.ts';
import { importMidiIntoTrack, readMidi } from '../../core/midi/song-midi.ts';
import { addTrack, initSong, labelledEdit } from '../../core/song/edits.ts';
import { readMeta } from '../../core/song/schema.ts';
import type { TrackRole } from '../../core/song/types.ts';
import { baseName } from './file-names.ts';

export interface MidiFileSummary {
  noteCount: number;
  trackNames: string[];
  /** The role of the file's busiest track (drums on channel 10, bass programs, then how the notes play). */
  suggestedRole: TrackRole;
  /** For the clip and a new track: the file's title, else its only track's name, else the file name. */
  suggestedName: string;
}

/** Reads the file for the dialog; throws MidiFormatError when it is not a MIDI file. */
export function summarizeMidi(bytes: Uint8Array, fileName: string): MidiFileSummary {
  const midi = readMidi(bytes);
  const busiest = [...midi.tracks].sort((a, b) => b.notes.length - a.notes.length)[0];
  return {
    noteCount: midi.tracks.reduce((n, t) => n + t.notes.length, 0),
    trackNames: midi.tracks.map((t) => t.name),
    suggestedRole: busiest ? detectTrackRole(busiest, midi.meter).role : 'keys',
    suggestedName: (midi.title || (midi.tracks.length === 1 ? midi.tracks[0]!.name : '') || baseName(fileName)).slice(0, 100),
  };
}

export type ImportTarget = { trackId: string } | { newTrack: { role: TrackRole; name: string } };

export interface MidiIntoTrackResult {
  clipId: string;
  trackId: string;
}

/**
 * Imports into an existing track (core validates before it writes), or into a new track: then
 * the whole import is first rehearsed on a scratch document with the song's meter, because adding
 * the track is a write and a refusal after it would leave an empty track behind.
 */
export function importMidiIntoSong(
  doc: Y.Doc,
  bytes: Uint8Array,
  target: ImportTarget,
  startBar: number,
  fileName: string,
): MidiIntoTrackResult {
  const summary = summarizeMidi(bytes, fileName);
  const options = { fileName, name: summary.suggestedName };
  if ('trackId' in target) {
    return { clipId: importMidiIntoTrack(doc, target.trackId, bytes, startBar, options), trackId: target.trackId };
  }
  const scratch = new Y.Doc();
  try {
    initSong(scratch, { meter: readMeta(doc).meter });
    importMidiIntoTrack(scratch, addTrack(scratch, target.newTrack), bytes, startBar, options);
  } finally {
    scratch.destroy();
  }
  const { role, name } = target.newTrack;
  let result!: MidiIntoTrackResult;
  const notes = `${summary.noteCount} note${summary.noteCount === 1 ? '' : 's'}`;
  labelledEdit(doc, `imported ${notes} from MIDI into new track ${name}`, () => {
    const trackId = addTrack(doc, { role, name });
    result = { trackId, clipId: importMidiIntoTrack(doc, trackId, bytes, startBar, options) };
  });
  return result;
}
