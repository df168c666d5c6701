/**
 * Provenance in a WAV file, in the places Broadcast Wave tools read (EBU Tech 3285, BWF v2):
 *
 * - a `bext` chunk: Description (256 ASCII characters: the summary line), Originator "Riffroom",
 *   OriginatorReference (the export's kind), an empty date and time (so the same song exports to
 *   the same bytes), and CodingHistory lines (EBU R 98): the PCM written, then the mastering
 *   chain when one was applied. The loudness fields of v2 carry the mastering chain's figures
 *   after correction when there is one (else 0x7fff: not given).
 * - the JSON record in the LIST/INFO chunk under `IPRV` (the INFO list names no provenance field,
 *   and every reader lists unknown ids: ffprobe shows it as the tag `IPRV`), beside INAM, ICMT
 *   and ISFT (renderer/audio/wav.ts writes that chunk).
 *
 * `readWavProvenance` walks a RIFF/WAVE file's chunks (bounds checked: a malformed file throws
 * WavFormatError saying where) and reads these back.
 */
import { decodeLatin1, decodeUtf8, encodeUtf8 } from '../midi/text.ts';
import { asciiText, masteringWords, summaryLine } from './describe.ts';
import { decodeProvenance, encodeProvenance, ProvenanceFormatError } from './json.ts';
import type { ProvenanceRecord } from './record.ts';

/** The LIST/INFO id holding the JSON record. */
export const INFO_PROVENANCE_ID = 'IPRV';
export const BEXT_ORIGINATOR = 'Riffroom';

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

export interface PcmFormat {
  sampleRate: number;
  bitDepth: number;
  channels: number;
}

/** bext fields before CodingHistory: 256 + 32 + 32 + 10 + 8 + 8 + 2 + 64 + 10 + 180. */
const BEXT_FIXED = 602;
const NOT_GIVEN = 0x7fff;

/** The `bext` chunk (id, size, body: an even size), for the writer to place before the data. */
export function bextChunk(record: ProvenanceRecord, format: PcmFormat): Uint8Array {
  const text = codingHistory(record, format);
  // The body is kept even (a NUL ends the history when needed): RIFF pads odd chunks, but many
  // readers forget the pad byte and would lose their way in the chunks after this one.
  const history = text.length % 2 ? Uint8Array.from([...text, 0]) : text;
  const bodyBytes = BEXT_FIXED + history.length;
  const out = new Uint8Array(8 + bodyBytes);
  const view = new DataView(out.buffer);
  putAscii(out, 0, 'bext', 4);
  view.setUint32(4, bodyBytes, true);
  const body = 8;
  putAscii(out, body, fitted(asciiText(summaryLine(record)), 256), 256);
  putAscii(out, body + 256, BEXT_ORIGINATOR, 32);
  putAscii(out, body + 288, asciiText(`${record.what} export`), 32);
  // OriginationDate (10) and OriginationTime (8) left empty; TimeReference (8) is 0: sample 0 is the first downbeat.
  view.setUint16(body + 346, 2, true); // Version
  // UMID (64 bytes) left empty.
  const after = (record.mastering?.measuredAfter ?? null) as Record<string, unknown> | null;
  const hundredths = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 100) : NOT_GIVEN);
  view.setInt16(body + 412, hundredths(after?.integratedLufs), true); // LoudnessValue
  view.setInt16(body + 414, hundredths(after?.loudnessRangeLu), true); // LoudnessRange
  view.setInt16(body + 416, hundredths(after?.truePeakDbtp), true); // MaxTruePeakLevel
  view.setInt16(body + 418, NOT_GIVEN, true); // MaxMomentaryLoudness
  view.setInt16(body + 420, NOT_GIVEN, true); // MaxShortTermLoudness
  out.set(history, body + BEXT_FIXED);
  return out;
}

/** EBU R 98 coding history: one line per process, CR LF after each. */
function codingHistory(record: ProvenanceRecord, format: PcmFormat): Uint8Array {
  const mode = format.channels === 1 ? 'mono' : format.channels === 2 ? 'stereo' : `${format.channels} channels`;
  const lines = [`A=PCM,F=${format.sampleRate},W=${format.bitDepth},M=${mode},T=Riffroom offline render`];
  if (record.mastering)
    lines.push(`A=PCM,F=${format.sampleRate},W=${format.bitDepth},M=${mode},T=Riffroom mastering: ${masteringWords(record.mastering)}`);
  return encodeUtf8(asciiText(lines.map((l) => `${l}\r\n`).join('')));
}

/** Text cut to `max` characters with "..." when longer, so a reader sees it was cut. */
function fitted(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function putAscii(out: Uint8Array, at: number, text: string, max: number): void {
  for (let i = 0; i < Math.min(text.length, max); i++) out[at + i] = text.charCodeAt(i) & 0x7f;
}

/** The INFO entry for the record (id, UTF-8 JSON). */
export function provenanceInfoEntry(record: ProvenanceRecord): [string, string] {
  return [INFO_PROVENANCE_ID, encodeProvenance(record)];
}

export interface BextFields {
  description: string;
  originator: string;
  originatorReference: string;
  codingHistory: string;
  /** LoudnessValue, LoudnessRange, MaxTruePeakLevel (v1+ files; null when not given). */
  loudness: { integratedLufs: number | null; rangeLu: number | null; truePeakDbtp: number | null };
}

export interface WavProvenance {
  record: ProvenanceRecord | null;
  bext: BextFields | null;
  /** LIST/INFO entries by id. */
  info: Record<string, string>;
}

export function readWavProvenance(bytes: Uint8Array): WavProvenance {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => decodeLatin1(bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE file');
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > bytes.length) throw new WavFormatError(`the file is cut short: its header says ${riffEnd} bytes, it has ${bytes.length}`);
  let bext: BextFields | null = null;
  const info: Record<string, string> = {};
  let sawFormat = false;
  let sawData = false;
  for (let at = 12; at < riffEnd; ) {
    if (at + 8 > riffEnd) throw new WavFormatError(`a chunk header at byte ${at} is cut short`);
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > riffEnd) throw new WavFormatError(`the "${id}" chunk at byte ${at} runs past the end of the file`);
    if (id === 'fmt ') sawFormat = true;
    else if (id === 'data') sawData = true;
    else if (id === 'bext') bext = readBext(bytes, body, size);
    else if (id === 'LIST' && size >= 4 && tag(body) === 'INFO') readInfo(bytes, body + 4, body + size, info);
    at = body + size + (size & 1);
  }
  if (!sawFormat || !sawData) throw new WavFormatError(`no ${sawFormat ? 'data' : 'fmt '} chunk`);
  const json = info[INFO_PROVENANCE_ID];
  return { record: json === undefined ? null : decodeProvenance(json), bext, info };
}

function readBext(bytes: Uint8Array, body: number, size: number): BextFields {
  if (size < BEXT_FIXED) throw new WavFormatError(`the bext chunk is ${size} bytes, shorter than its ${BEXT_FIXED} fixed ones`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const field = (at: number, length: number) => {
    const raw = bytes.subarray(at, at + length);
    const end = raw.indexOf(0);
    return decodeLatin1(end >= 0 ? raw.subarray(0, end) : raw);
  };
  const version = view.getUint16(body + 346, true);
  const figure = (at: number) => {
    const v = view.getInt16(at, true);
    return version >= 1 && v !== NOT_GIVEN ? v / 100 : null;
  };
  return {
    description: field(body, 256),
    originator: field(body + 256, 32),
    originatorReference: field(body + 288, 32),
    codingHistory: field(body + BEXT_FIXED, size - BEXT_FIXED),
    loudness: { integratedLufs: figure(body + 412), rangeLu: figure(body + 414), truePeakDbtp: figure(body + 416) },
  };
}

function readInfo(bytes: Uint8Array, from: number, to: number, into: Record<string, string>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + 8 <= to; ) {
    const id = decodeLatin1(bytes.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (at + 8 + size > to) throw new WavFormatError(`the INFO entry "${id}" at byte ${at} runs past its list`);
    const raw = bytes.subarray(at + 8, at + 8 + size);
    const end = raw.indexOf(0);
    const text = end >= 0 ? raw.subarray(0, end) : raw;
    const decoded = decodeUtf8(text);
    if (decoded === null && id === INFO_PROVENANCE_ID) throw new ProvenanceFormatError('the provenance entry is not UTF-8 text');
    into[id] = decoded ?? decodeLatin1(text);
    at += 8 + size + (size & 1);
  }
}
