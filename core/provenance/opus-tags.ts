/**
 * Provenance in an Ogg Opus file's comment header (OpusTags, RFC 7845 §5.2), Vorbis-comment style
 * `KEY=value` fields: RIFFROOM_PROVENANCE holds the JSON record; COMMENT holds the plain words
 * (the summary line, then the mastering chain: renderer/audio/export-metadata.ts) as before.
 * ffprobe lists both (keys lower-cased). The writer is renderer/export/ogg-opus.ts.
 */
import { decodeLatin1, decodeUtf8 } from '../midi/text.ts';
import { decodeProvenance, encodeProvenance } from './json.ts';
import { OggFormatError, readOggPages } from './ogg.ts';
import type { ProvenanceRecord } from './record.ts';

export const OPUS_PROVENANCE_KEY = 'RIFFROOM_PROVENANCE';

/** The comment carrying the record, as `KEY=value`. */
export function opusProvenanceComment(record: ProvenanceRecord): string {
  return `${OPUS_PROVENANCE_KEY}=${encodeProvenance(record)}`;
}

export interface OpusProvenance {
  record: ProvenanceRecord | null;
  vendor: string;
  /** Every comment, keys upper-cased; a repeated key keeps its first value. */
  tags: Record<string, string>;
}

/** Reads the OpusTags of an Ogg Opus file; throws OggFormatError when it is not one or is damaged. */
export function readOpusProvenance(bytes: Uint8Array): OpusProvenance {
  const pages = readOggPages(bytes, 2);
  const bad = pages.find((p) => p.storedCrc !== p.computedCrc);
  if (bad) throw new OggFormatError(`page ${bad.sequence} fails its CRC check: the file is damaged`);
  const packets = pages.flatMap((p) => p.packets);
  const magic = (p: Uint8Array | undefined) => (p ? decodeLatin1(p.subarray(0, 8)) : '');
  if (magic(packets[0]) !== 'OpusHead') throw new OggFormatError('an Ogg file, but not Opus (no OpusHead)');
  if (magic(packets[1]) !== 'OpusTags') throw new OggFormatError('the Opus comment header (OpusTags) is missing or cut short');
  const { vendor, comments } = parseComments(packets[1]!);
  const tags: Record<string, string> = {};
  for (const comment of comments) {
    const eq = comment.indexOf('=');
    if (eq <= 0) continue;
    const key = comment.slice(0, eq).toUpperCase();
    if (!(key in tags)) tags[key] = comment.slice(eq + 1);
  }
  const json = tags[OPUS_PROVENANCE_KEY];
  return { record: json === undefined ? null : decodeProvenance(json), vendor, tags };
}

function parseComments(packet: Uint8Array): { vendor: string; comments: string[] } {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let at = 8;
  const text = (what: string): string => {
    if (at + 4 > packet.length) throw new OggFormatError(`OpusTags: the ${what} length is cut short`);
    const length = view.getUint32(at, true);
    at += 4;
    if (at + length > packet.length) throw new OggFormatError(`OpusTags: the ${what} runs past the header`);
    const bytes = packet.subarray(at, at + length);
    at += length;
    return decodeUtf8(bytes) ?? decodeLatin1(bytes);
  };
  const vendor = text('vendor string');
  if (at + 4 > packet.length) throw new OggFormatError('OpusTags: the comment count is cut short');
  const count = view.getUint32(at, true);
  at += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) comments.push(text(`comment ${i + 1}`));
  return { vendor, comments };
}
