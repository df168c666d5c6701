/** MIDI import and export of songs and clips: the public face of core/midi above the byte level. */
export { songToMidi, clipToMidi } from './song-export.ts';
export { readMidi, type ImportedMidi, type ImportedTrack } from './midi-read.ts';
export {
  importMidiIntoTrack,
  importMidiSong,
  type MidiImportOptions,
  type MidiSongImport,
  type MidiSongImportOptions,
} from './midi-import.ts';
export { MidiFormatError } from './smf-types.ts';
