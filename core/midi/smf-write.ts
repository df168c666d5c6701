/**
 * Standard MIDI File writer. Events are given with absolute ticks in any order; the writer sorts
 * them into a deterministic order, turns ticks into delta times, and ends every track with exactly
 * one End Of Track event. Values outside what the format can hold are programming errors and throw
 * RangeError (never a silently wrapped byte).
 */
import { ByteWriter, MAX_VLQ } from './bytes.ts';
import { encodeUtf8 } from './text.ts';
import { TEXT_META_TYPES, type MidiEvent, type SmfFile } from './smf-types.ts';

/**
 * Order of events that share a tick: meta events (tempo, names, signatures) come first so they
 * apply to what follows, then sysex, then note-offs so a note re-struck at the same tick is first
 * released, then controllers and program changes so the next notes hear them, then note-ons.
 */
function rankAtSameTick(event: MidiEvent): number {
  switch (event.type) {
    case 'sysex':
      return 1;
    case 'noteOff':
      return 2;
    case 'noteOn':
      return 4;
    case 'polyAftertouch':
    case 'controlChange':
    case 'programChange':
    case 'channelPressure':
    case 'pitchBend':
      return 3;
    default:
      return 0;
  }
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function writeSmf(file: SmfFile): Uint8Array {
  if (file.format !== 0 && file.format !== 1 && file.format !== 2) throw new RangeError(`unknown MIDI file format ${String(file.format)}`);
  if (file.format === 0 && file.tracks.length !== 1) {
    throw new RangeError(`a format 0 file holds exactly one track, got ${file.tracks.length}`);
  }
  checkInt('track count', file.tracks.length, 0, 0xffff);
  checkInt('ticks per quarter note', file.ticksPerQuarter, 1, 0x7fff);
  const out = new ByteWriter();
  out.bytes([0x4d, 0x54, 0x68, 0x64]); // "MThd"
  out.u32(6);
  out.u16(file.format);
  out.u16(file.tracks.length);
  out.u16(file.ticksPerQuarter);
  for (const track of file.tracks) writeTrack(out, track.events);
  return out.toBytes();
}

function writeTrack(out: ByteWriter, input: readonly MidiEvent[]): void {
  let endTick = 0;
  const events: MidiEvent[] = [];
  for (const event of input) {
    checkInt('event tick', event.tick, 0, Number.MAX_SAFE_INTEGER);
    endTick = Math.max(endTick, event.tick);
    // End Of Track is written once, by us, at the end; a given one only says how long the track is.
    if (event.type !== 'endOfTrack') events.push(event);
  }
  // Array.prototype.sort is stable: events of equal tick and rank keep their given order.
  events.sort((a, b) => a.tick - b.tick || rankAtSameTick(a) - rankAtSameTick(b));

  out.bytes([0x4d, 0x54, 0x72, 0x6b]); // "MTrk"
  const lengthAt = out.length;
  out.u32(0);
  const bodyStart = out.length;
  let tick = 0;
  let runningStatus = -1;
  const delta = (at: number): void => {
    const gap = at - tick;
    if (gap > MAX_VLQ) throw new RangeError(`a gap of ${gap} ticks between events is more than a MIDI file can hold`);
    out.vlq(gap);
    tick = at;
  };
  for (const event of events) {
    delta(event.tick);
    const status = channelStatus(event);
    if (status >= 0) {
      // Running status: repeated status bytes are left out, as most DAWs write them.
      if (status !== runningStatus) out.u8(status);
      runningStatus = status;
      writeChannelData(out, event);
    } else {
      // Meta and sysex events cancel running status for the reader, so the next channel message restates it.
      runningStatus = -1;
      writeNonChannelEvent(out, event);
    }
  }
  delta(endTick);
  out.bytes([0xff, 0x2f, 0x00]);
  out.patchU32(lengthAt, out.length - bodyStart);
}

const STATUS_NIBBLE: Partial<Record<MidiEvent['type'], number>> = {
  noteOff: 0x80,
  noteOn: 0x90,
  polyAftertouch: 0xa0,
  controlChange: 0xb0,
  programChange: 0xc0,
  channelPressure: 0xd0,
  pitchBend: 0xe0,
};

/** The status byte of a channel message, or -1 for meta and sysex events. */
function channelStatus(event: MidiEvent): number {
  const nibble = STATUS_NIBBLE[event.type];
  if (nibble === undefined || !('channel' in event)) return -1;
  return nibble | checkInt('channel', event.channel, 0, 15);
}

function writeChannelData(out: ByteWriter, event: MidiEvent): void {
  const data = (name: string, value: number): void => out.u8(checkInt(name, value, 0, 127));
  switch (event.type) {
    case 'noteOff':
    case 'noteOn':
      if (event.type === 'noteOn' && event.velocity === 0) throw new RangeError('a note-on needs a velocity of 1..127 (0 means note-off)');
      data('pitch', event.pitch);
      data('velocity', event.velocity);
      return;
    case 'polyAftertouch':
      data('pitch', event.pitch);
      data('pressure', event.pressure);
      return;
    case 'controlChange':
      data('controller', event.controller);
      data('controller value', event.value);
      return;
    case 'programChange':
      data('program', event.program);
      return;
    case 'channelPressure':
      data('pressure', event.pressure);
      return;
    case 'pitchBend': {
      const raw = checkInt('pitch bend', event.value, -8192, 8191) + 8192;
      out.u8(raw & 0x7f);
      out.u8(raw >> 7);
      return;
    }
  }
}

function writeMeta(out: ByteWriter, metaType: number, data: ArrayLike<number>): void {
  out.u8(0xff);
  out.u8(checkInt('meta event type', metaType, 0, 127));
  out.vlq(data.length);
  out.bytes(data);
}

function writeNonChannelEvent(out: ByteWriter, event: MidiEvent): void {
  switch (event.type) {
    case 'sysex':
      out.u8(event.escape ? 0xf7 : 0xf0);
      out.vlq(event.data.length);
      out.bytes(event.data);
      return;
    case 'sequenceNumber': {
      const n = checkInt('sequence number', event.number, 0, 0xffff);
      writeMeta(out, 0x00, [n >> 8, n & 0xff]);
      return;
    }
    case 'text':
      writeMeta(out, TEXT_META_TYPES[event.kind], encodeUtf8(event.text));
      return;
    case 'tempo': {
      const t = checkInt('tempo in microseconds per quarter', event.microsecondsPerQuarter, 1, 0xffffff);
      writeMeta(out, 0x51, [t >> 16, (t >> 8) & 0xff, t & 0xff]);
      return;
    }
    case 'timeSignature': {
      const power = Math.log2(event.denominator);
      if (!Number.isInteger(power) || power < 0 || power > 255) {
        throw new RangeError(`time signature denominator must be a power of two, got ${event.denominator}`);
      }
      writeMeta(out, 0x58, [
        checkInt('time signature numerator', event.numerator, 0, 255),
        power,
        checkInt('clocks per click', event.clocksPerClick, 0, 255),
        checkInt('32nds per quarter', event.thirtySecondsPerQuarter, 0, 255),
      ]);
      return;
    }
    case 'keySignature':
      writeMeta(out, 0x59, [checkInt('key signature sharps', event.sharps, -128, 127) & 0xff, event.minor ? 1 : 0]);
      return;
    case 'meta':
      writeMeta(out, event.metaType, event.data);
      return;
    default:
      throw new RangeError(`cannot write event of type ${event.type}`);
  }
}
