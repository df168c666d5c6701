/**
 * Standard MIDI File reader (SMF 1.0: formats 0, 1 and 2, metrical time). Strict about structure,
 * lenient where real-world files commonly bend the spec:
 * - a track chunk that ends without an End Of Track event is accepted;
 * - running status survives meta and sysex events (the spec says they cancel it, but some writers
 *   rely on it surviving, and no well-formed file is read differently because of this);
 * - bytes after the last declared track are ignored unless they form further complete MTrk chunks.
 * Everything else that is malformed throws MidiFormatError with the byte offset at fault.
 */
import { ByteReader } from './bytes.ts';
import { decodeMetaText } from './text.ts';
import {
  MAX_EVENTS,
  MAX_FILE_BYTES,
  MAX_TRACKS,
  MidiFormatError,
  TEXT_META_TYPES,
  type MidiEvent,
  type SmfFile,
  type SmfFormat,
  type SmfTrack,
  type TextKind,
} from './smf-types.ts';

const TEXT_KIND_BY_META_TYPE = new Map<number, TextKind>(Object.entries(TEXT_META_TYPES).map(([kind, type]) => [type, kind as TextKind]));

function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

export function readSmf(bytes: Uint8Array): SmfFile {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new MidiFormatError(`file is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit`, MAX_FILE_BYTES);
  }
  const magic = [0x4d, 0x54, 0x68, 0x64]; // "MThd"
  if (bytes.length === 0 || !magic.slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
    throw new MidiFormatError(`not a MIDI file: it does not start with "MThd"`, 0);
  }
  if (bytes.length < 14) {
    throw new MidiFormatError(`MIDI header is cut off: 14 bytes expected, the file has ${bytes.length}`, bytes.length);
  }
  const reader = new ByteReader(bytes, 4);
  const headerLength = reader.u32('header chunk length');
  if (headerLength < 6) throw new MidiFormatError(`header chunk is ${headerLength} bytes long, at least 6 expected`, 4);
  if (headerLength > reader.remaining) {
    throw new MidiFormatError(`header chunk length ${headerLength} runs past the end of the file`, 4);
  }
  const format = reader.u16('file format');
  if (format > 2) throw new MidiFormatError(`unknown MIDI file format ${format} (0, 1 or 2 expected)`, 8);
  const declaredTracks = reader.u16('track count');
  const division = reader.u16('time division');
  if (division & 0x8000) {
    throw new MidiFormatError('SMPTE time division (frames per second) is not supported, only ticks per quarter note', 12);
  }
  if (division === 0) throw new MidiFormatError('time division of 0 ticks per quarter note', 12);
  // Longer headers are allowed by the spec for future fields: skip what we do not know.
  reader.pos = 8 + headerLength;

  const tracks: SmfTrack[] = [];
  const budget = { events: 0 };
  while (tracks.length < declaredTracks || looksLikeTrackChunk(reader)) {
    if (reader.remaining === 0) {
      throw new MidiFormatError(`file declares ${declaredTracks} tracks but ends after ${tracks.length}`, reader.pos);
    }
    const chunkStart = reader.pos;
    if (reader.remaining < 8) {
      throw new MidiFormatError(`chunk header is cut off: 8 bytes expected, ${reader.remaining} left`, chunkStart);
    }
    const type = fourCC(bytes, chunkStart);
    reader.pos += 4;
    const length = reader.u32('chunk length');
    if (length > reader.remaining) {
      throw new MidiFormatError(`chunk length ${length} runs past the end of the file (${reader.remaining} bytes left)`, chunkStart + 4);
    }
    const bodyStart = reader.pos;
    reader.pos += length;
    // Unknown chunk types are skipped, as the spec asks of readers.
    if (type !== 'MTrk') continue;
    if (tracks.length >= MAX_TRACKS) throw new MidiFormatError(`more than ${MAX_TRACKS} tracks`, chunkStart);
    tracks.push(readTrack(bytes, bodyStart, bodyStart + length, budget));
  }
  return { format: format as SmfFormat, ticksPerQuarter: division, tracks };
}

/** Whether a complete MTrk chunk starts here (beyond the declared count: read it, it is a track). */
function looksLikeTrackChunk(reader: ByteReader): boolean {
  if (reader.remaining < 8 || fourCC(reader.bytes, reader.pos) !== 'MTrk') return false;
  const b = reader.bytes;
  const p = reader.pos + 4;
  const length = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  return length <= reader.remaining - 8;
}

function readTrack(bytes: Uint8Array, start: number, end: number, budget: { events: number }): SmfTrack {
  const reader = new ByteReader(bytes, start, end);
  const events: MidiEvent[] = [];
  let tick = 0;
  /** Status byte of the last channel message, reused when an event starts with a data byte. */
  let runningStatus = -1;
  while (reader.remaining > 0) {
    tick += reader.vlq('delta time');
    const statusAt = reader.pos;
    if (++budget.events > MAX_EVENTS) throw new MidiFormatError(`more than ${MAX_EVENTS} events`, statusAt);
    let status = reader.u8('event status');
    let firstData = -1;
    if (status < 0x80) {
      if (runningStatus < 0) {
        throw new MidiFormatError(`data byte ${hex(status)} with no running status (no channel message before it in this track)`, statusAt);
      }
      firstData = status;
      status = runningStatus;
    }
    if (status < 0xf0) {
      runningStatus = status;
      events.push(readChannelEvent(reader, tick, status, firstData));
    } else if (status === 0xff) {
      const event = readMetaEvent(reader, tick, statusAt);
      events.push(event);
      // Anything after End Of Track in the chunk is not part of the track.
      if (event.type === 'endOfTrack') break;
    } else if (status === 0xf0 || status === 0xf7) {
      const length = reader.vlq('sysex length');
      events.push({ type: 'sysex', tick, escape: status === 0xf7, data: reader.take(length, 'sysex data') });
    } else {
      throw new MidiFormatError(
        `status byte ${hex(status)} (a real-time or system common message) is not allowed in a MIDI file`,
        statusAt,
      );
    }
  }
  return { events };
}

function readChannelEvent(reader: ByteReader, tick: number, status: number, firstData: number): MidiEvent {
  const channel = status & 0x0f;
  const first = (what: string): number => (firstData >= 0 ? firstData : reader.dataByte(what));
  switch (status & 0xf0) {
    case 0x80: {
      const pitch = first('note-off pitch');
      return { type: 'noteOff', tick, channel, pitch, velocity: reader.dataByte('note-off velocity') };
    }
    case 0x90: {
      const pitch = first('note-on pitch');
      const velocity = reader.dataByte('note-on velocity');
      // Velocity 0 is the common way to write a note-off (it lets running status continue).
      return velocity === 0 ? { type: 'noteOff', tick, channel, pitch, velocity: 0 } : { type: 'noteOn', tick, channel, pitch, velocity };
    }
    case 0xa0: {
      const pitch = first('aftertouch pitch');
      return { type: 'polyAftertouch', tick, channel, pitch, pressure: reader.dataByte('aftertouch pressure') };
    }
    case 0xb0: {
      const controller = first('controller number');
      return { type: 'controlChange', tick, channel, controller, value: reader.dataByte('controller value') };
    }
    case 0xc0:
      return { type: 'programChange', tick, channel, program: first('program number') };
    case 0xd0:
      return { type: 'channelPressure', tick, channel, pressure: first('channel pressure') };
    default: {
      const low = first('pitch bend');
      const high = reader.dataByte('pitch bend');
      return { type: 'pitchBend', tick, channel, value: ((high << 7) | low) - 8192 };
    }
  }
}

function readMetaEvent(reader: ByteReader, tick: number, statusAt: number): MidiEvent {
  const metaType = reader.u8('meta event type');
  const length = reader.vlq('meta event length');
  const data = reader.take(length, 'meta event data');
  const expectLength = (name: string, wanted: number): void => {
    if (length !== wanted) throw new MidiFormatError(`${name} meta event has ${length} data bytes, ${wanted} expected`, statusAt);
  };
  const textKind = TEXT_KIND_BY_META_TYPE.get(metaType);
  if (textKind) return { type: 'text', tick, kind: textKind, text: decodeMetaText(data) };
  switch (metaType) {
    case 0x00:
      // A sequence number with no data means "use the track's position"; keep that form as it is.
      if (length !== 2) break;
      return { type: 'sequenceNumber', tick, number: (data[0]! << 8) | data[1]! };
    case 0x2f:
      return { type: 'endOfTrack', tick };
    case 0x51: {
      expectLength('tempo', 3);
      const microsecondsPerQuarter = (data[0]! << 16) | (data[1]! << 8) | data[2]!;
      if (microsecondsPerQuarter === 0) throw new MidiFormatError('tempo of 0 microseconds per quarter note', statusAt);
      return { type: 'tempo', tick, microsecondsPerQuarter };
    }
    case 0x58:
      expectLength('time signature', 4);
      return {
        type: 'timeSignature',
        tick,
        numerator: data[0]!,
        denominator: 2 ** data[1]!,
        clocksPerClick: data[2]!,
        thirtySecondsPerQuarter: data[3]!,
      };
    case 0x59:
      expectLength('key signature', 2);
      // The number of sharps is a signed byte: negative counts flats.
      return { type: 'keySignature', tick, sharps: (data[0]! << 24) >> 24, minor: data[1] !== 0 };
  }
  return { type: 'meta', tick, metaType, data };
}
