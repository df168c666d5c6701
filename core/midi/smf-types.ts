/**
 * The in-memory form of a Standard MIDI File: what the reader produces and the writer consumes.
 * Every event carries its absolute tick (not a delta), so code working on events never has to
 * replay a track from its start to know where an event sits.
 */

/** Thrown for every input that is not a well-formed Standard MIDI File; `offset` is the byte at fault. */
export class MidiFormatError extends Error {
  override name = 'MidiFormatError';
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/**
 * Limits that keep a hostile file from exhausting memory: a real song is far below all of them
 * (a dense orchestral file has a few hundred thousand events and a few dozen tracks).
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_TRACKS = 4096;
export const MAX_EVENTS = 2_000_000;

export type SmfFormat = 0 | 1 | 2;

interface At {
  /** Absolute position in the file's own ticks per quarter note. */
  tick: number;
}
interface OnChannel extends At {
  /** 0..15; General MIDI drums are channel 9 (shown to musicians as channel 10). */
  channel: number;
}

export interface NoteOnEvent extends OnChannel {
  type: 'noteOn';
  pitch: number;
  /** 1..127 as read: a note-on with velocity 0 is read as a NoteOffEvent. */
  velocity: number;
}
export interface NoteOffEvent extends OnChannel {
  type: 'noteOff';
  pitch: number;
  velocity: number;
}
export interface PolyAftertouchEvent extends OnChannel {
  type: 'polyAftertouch';
  pitch: number;
  pressure: number;
}
export interface ControlChangeEvent extends OnChannel {
  type: 'controlChange';
  controller: number;
  value: number;
}
export interface ProgramChangeEvent extends OnChannel {
  type: 'programChange';
  program: number;
}
export interface ChannelPressureEvent extends OnChannel {
  type: 'channelPressure';
  pressure: number;
}
export interface PitchBendEvent extends OnChannel {
  type: 'pitchBend';
  /** -8192..8191, 0 = centre. */
  value: number;
}
export interface SysexEvent extends At {
  type: 'sysex';
  /** True for an F7 ("escape") event, false for a normal F0 one; `data` excludes the status byte. */
  escape: boolean;
  data: Uint8Array;
}
export interface SequenceNumberEvent extends At {
  type: 'sequenceNumber';
  number: number;
}

export const TEXT_META_TYPES = {
  text: 0x01,
  copyright: 0x02,
  trackName: 0x03,
  instrumentName: 0x04,
  lyric: 0x05,
  marker: 0x06,
  cuePoint: 0x07,
} as const;
export type TextKind = keyof typeof TEXT_META_TYPES;

export interface TextEvent extends At {
  type: 'text';
  kind: TextKind;
  text: string;
}
export interface TempoEvent extends At {
  type: 'tempo';
  microsecondsPerQuarter: number;
}
export interface TimeSignatureEvent extends At {
  type: 'timeSignature';
  numerator: number;
  /** The note value itself (4 = quarter), not the power of two stored in the file. */
  denominator: number;
  /** MIDI clocks per metronome click (24 = one click per quarter). */
  clocksPerClick: number;
  thirtySecondsPerQuarter: number;
}
export interface KeySignatureEvent extends At {
  type: 'keySignature';
  /** -7 (7 flats) .. 7 (7 sharps) as stored; values outside that range are kept for the caller to judge. */
  sharps: number;
  minor: boolean;
}
export interface EndOfTrackEvent extends At {
  type: 'endOfTrack';
}
/** Any other meta event, kept byte for byte. */
export interface RawMetaEvent extends At {
  type: 'meta';
  metaType: number;
  data: Uint8Array;
}

export type ChannelEvent =
  | NoteOnEvent
  | NoteOffEvent
  | PolyAftertouchEvent
  | ControlChangeEvent
  | ProgramChangeEvent
  | ChannelPressureEvent
  | PitchBendEvent;
export type MetaEvent =
  | SequenceNumberEvent
  | TextEvent
  | TempoEvent
  | TimeSignatureEvent
  | KeySignatureEvent
  | EndOfTrackEvent
  | RawMetaEvent;
export type MidiEvent = ChannelEvent | SysexEvent | MetaEvent;

export interface SmfTrack {
  /** In file order (which is tick order). The reader includes the End Of Track event when the file has one. */
  events: MidiEvent[];
}

export interface SmfFile {
  format: SmfFormat;
  /** Ticks per quarter note (only metrical time is supported, not SMPTE). */
  ticksPerQuarter: number;
  tracks: SmfTrack[];
}
