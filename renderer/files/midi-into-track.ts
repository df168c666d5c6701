/**
 * "Import MIDI into a track": a MIDI file's notes as one new clip, on a track of the song or on
 * a new one (into-track.ts), in one history entry. Reading and writing are core/midi's
 * (importMidiIntoTrack); this adds what the dialog shows before anything is written. A
 * malformed file throws MidiFormatError and a file the song cannot hold throws EditError, both
 * before the first write: the song is never left half-imported.
 */
import type * as Y from 'yjs';
import { detectTrackRole } from '../../core/analysis/track-role.ts';
import { analyseMidi, type MusicMetadata } from '../../core/analysis/metadata.ts';
import { importMidiIntoTrack, readMidi } from '../../core/midi/song-midi.ts';
import type { TrackRole } from '../../core/song/types.ts';
import { baseName } from './file-names.ts';
import { importIntoTarget, type ImportTarget, type IntoTrackResult } from './into-track.ts';

export interface MidiFileSummary {
  noteCount: number;
  trackNames: string[];
  /** The role of the file's busiest track (drums on channel 10, bass programs, then how the notes play). */
  suggestedRole: TrackRole;
  /** For the clip and a new track: the file's title, else its only track's name, else the file name. */
  suggestedName: string;
  /** What the file is: key, tempo and meter, roles, energy, moods (core/analysis/). */
  metadata: MusicMetadata;
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
    metadata: analyseMidi(midi),
  };
}

export type { ImportTarget };
export type MidiIntoTrackResult = IntoTrackResult;

/** Imports into an existing track or a new one (see into-track.ts). */
export function importMidiIntoSong(
  doc: Y.Doc,
  bytes: Uint8Array,
  target: ImportTarget,
  startBar: number,
  fileName: string,
): MidiIntoTrackResult {
  const summary = summarizeMidi(bytes, fileName);
  const options = { fileName, name: summary.suggestedName };
  const notes = `${summary.noteCount} note${summary.noteCount === 1 ? '' : 's'}`;
  const label = 'newTrack' in target ? `imported ${notes} from MIDI into new track ${target.newTrack.name}` : '';
  return importIntoTarget(doc, target, (d, trackId) => importMidiIntoTrack(d, trackId, bytes, startBar, options), label);
}
