/**
 * PCM WAV (RIFF/WAVE) encoding of float channels, 16- or 24-bit, with an optional LIST/INFO chunk
 * carrying the export's metadata (./export-metadata.ts) and, when the metadata has a provenance
 * record, a Broadcast Wave `bext` chunk (core/provenance/wav.ts), and a reader for the formats exports and
 * most tools write (16/24/32-bit integer and 32-bit float PCM, plain or WAVE_FORMAT_EXTENSIBLE), so
 * the tests can check round trips. Samples are clamped to [-1, 1] and rounded to the nearest step
 * (no dither: the output is deterministic, and the mix already sits well below full scale).
 */
import { bextChunk, INFO_PROVENANCE_ID } from '../../core/provenance/wav.ts';
import { withMastering } from '../../core/provenance/record.ts';
import { exportTags, type ExportMetadata } from './export-metadata.ts';

export interface PcmAudio {
  sampleRate: number;
  /** One array per channel, equal lengths, samples in [-1, 1]. */
  channels: Float32Array[];
}

export type WavBitDepth = 16 | 24;

export interface WavOptions {
  /** 16 (CD, the default) or 24 bits per sample. */
  bitDepth?: WavBitDepth;
  /** Written as a LIST/INFO chunk before the audio: INAM (title), ICMT (comment), ISFT (software). */
  metadata?: ExportMetadata;
}

export interface DecodedWav extends PcmAudio {
  /** Bits per sample as stored. */
  bitDepth: number;
  float: boolean;
  /** LIST/INFO entries by id (INAM, ICMT…), when the file has them. */
  info: Record<string, string>;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export function encodeWav(audio: PcmAudio, options: WavOptions = {}): Uint8Array {
  const { sampleRate, channels } = audio;
  const bitDepth = options.bitDepth ?? 16;
  if (bitDepth !== 16 && bitDepth !== 24) throw new Error(`encodeWav: bit depth ${String(bitDepth)} is not 16 or 24`);
  const channelCount = channels.length;
  if (channelCount < 1) throw new Error('encodeWav: no channels');
  if (!(Number.isInteger(sampleRate) && sampleRate > 0)) throw new Error(`encodeWav: bad sample rate ${sampleRate}`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('encodeWav: channels differ in length');
  const bytesPerSample = bitDepth / 8;
  const blockAlign = channelCount * bytesPerSample;
  const dataBytes = frames * blockAlign;
  const record = options.metadata?.record;
  // fmt, bext, LIST/INFO, data: the order BWF tools expect (bext before the audio).
  const bext = record
    ? bextChunk(withMastering(record, options.metadata?.masteringChain), { sampleRate, bitDepth, channels: channelCount })
    : new Uint8Array(0);
  const chunks = concatBytes(bext, options.metadata ? infoChunk(options.metadata) : new Uint8Array(0));
  const headerBytes = 12 + 24 + chunks.length + 8;
  const padded = dataBytes + (dataBytes & 1);
  const total = headerBytes + padded;
  if (total - 8 > 0xffffffff) throw new Error('encodeWav: longer than a WAV file can hold (4 GiB)');
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  ascii(bytes, 0, 'RIFF');
  view.setUint32(4, total - 8, true);
  ascii(bytes, 8, 'WAVE');
  ascii(bytes, 12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true); // byte rate
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitDepth, true);
  bytes.set(chunks, 36);
  let offset = 36 + chunks.length;
  ascii(bytes, offset, 'data');
  view.setUint32(offset + 4, dataBytes, true);
  offset += 8;
  if (bitDepth === 16) {
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < channelCount; c++) {
        view.setInt16(offset, floatToInt16(channels[c]![i]!), true);
        offset += 2;
      }
    }
  } else {
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < channelCount; c++) {
        const v = floatToInt24(channels[c]![i]!);
        // Little-endian two's complement in 3 bytes.
        bytes[offset] = v & 0xff;
        bytes[offset + 1] = (v >> 8) & 0xff;
        bytes[offset + 2] = (v >> 16) & 0xff;
        offset += 3;
      }
    }
  }
  return bytes;
}

/** Full scale maps to ±32767, so +1 and -1 are symmetric and never wrap. */
export function floatToInt16(sample: number): number {
  return quantize(sample, 32767);
}

/** Full scale maps to ±8388607 (2^23 - 1), as floatToInt16 does for 16 bits. */
export function floatToInt24(sample: number): number {
  return quantize(sample, 8388607);
}

function quantize(sample: number, full: number): number {
  const s = Number.isNaN(sample) ? 0 : Math.max(-1, Math.min(1, sample));
  // Rounded half away from zero, so a signal and its negation encode to exact negatives.
  return Math.sign(s) * Math.round(Math.abs(s) * full);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The LIST/INFO chunk: INAM (title), ICMT (provenance and mastering chain), ISFT (software), IPRV
 * (the provenance record as JSON, when there is one).
 * Strings are UTF-8 (what current tools read; the 1991 spec said ASCII), NUL-terminated and padded
 * to an even size as RIFF requires.
 */
export function infoChunk(metadata: ExportMetadata): Uint8Array {
  const tags = exportTags(metadata);
  const entries: [string, string][] = [];
  if (tags.title) entries.push(['INAM', tags.title]);
  if (tags.comment) entries.push(['ICMT', tags.comment]);
  entries.push(['ISFT', tags.software]);
  if (tags.provenance) entries.push([INFO_PROVENANCE_ID, tags.provenance]);
  const encoded = entries.map(([id, text]) => [id, new TextEncoder().encode(text.replace(/\0/g, ''))] as const);
  const bodyBytes = 4 + encoded.reduce((n, [, b]) => n + 8 + b.length + 1 + ((b.length + 1) & 1), 0);
  const out = new Uint8Array(8 + bodyBytes);
  const view = new DataView(out.buffer);
  ascii(out, 0, 'LIST');
  view.setUint32(4, bodyBytes, true);
  ascii(out, 8, 'INFO');
  let offset = 12;
  for (const [id, text] of encoded) {
    ascii(out, offset, id);
    view.setUint32(offset + 4, text.length + 1, true); // size counts the NUL, not the pad byte
    out.set(text, offset + 8);
    offset += 8 + text.length + 1 + ((text.length + 1) & 1);
  }
  return out;
}

function ascii(bytes: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
}

/** Reads a PCM WAV as written by encodeWav and by most tools (unknown chunks are skipped). */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('decodeWav: not a RIFF/WAVE file');
  let offset = 12;
  let channelCount = 0;
  let sampleRate = 0;
  let bitDepth = 0;
  let float = false;
  const info: Record<string, string> = {};
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      let format = view.getUint16(body, true);
      channelCount = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bitDepth = view.getUint16(body + 14, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID.
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
      float = format === FORMAT_FLOAT;
      const known = (format === FORMAT_PCM && [16, 24, 32].includes(bitDepth)) || (float && bitDepth === 32);
      if (!known) throw new Error(`decodeWav: unsupported format ${format} at ${bitDepth} bits (16/24/32-bit PCM or 32-bit float)`);
      if (channelCount < 1) throw new Error('decodeWav: no channels');
    } else if (id === 'LIST' && size >= 4 && tag(body) === 'INFO') {
      readInfo(bytes, body + 4, Math.min(body + size, bytes.length), info);
    } else if (id === 'data') {
      if (!channelCount) throw new Error('decodeWav: data before fmt');
      const width = bitDepth / 8;
      const frames = Math.floor(Math.min(size, bytes.length - body) / (width * channelCount));
      const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
      const read = sampleReader(view, bitDepth, float);
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < channelCount; c++) channels[c]![i] = read(body + (i * channelCount + c) * width);
      }
      return { sampleRate, channels, bitDepth, float, info };
    }
    offset = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new Error('decodeWav: no data chunk');
}

function sampleReader(view: DataView, bitDepth: number, float: boolean): (at: number) => number {
  if (float) return (at) => view.getFloat32(at, true);
  if (bitDepth === 16) return (at) => view.getInt16(at, true) / 32767;
  if (bitDepth === 24) {
    return (at) => {
      const v = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
      return v / 8388607;
    };
  }
  return (at) => view.getInt32(at, true) / 2147483647;
}

function readInfo(bytes: Uint8Array, from: number, to: number, into: Record<string, string>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = from;
  while (offset + 8 <= to) {
    const id = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    const text = bytes.subarray(offset + 8, Math.min(offset + 8 + size, to));
    const end = text.indexOf(0);
    into[id] = new TextDecoder().decode(end >= 0 ? text.subarray(0, end) : text);
    offset += 8 + size + (size & 1);
  }
}
