/**
 * An Ogg Opus file (RFC 7845) from Opus packets: the identification header (OpusHead), the comment
 * header (OpusTags, carrying the export's metadata) and the audio packets on Ogg pages (RFC 3533)
 * with their CRC-32 and granule positions. The packets come from WebCodecs' AudioEncoder in the
 * page (./opus-encode.ts): Chromium's libopus emits raw packets, and this file is the container.
 *
 * Pure bytes in, bytes out, so Node tests can check it against ffmpeg's own Ogg files.
 */
import { concat, oggCrc32 } from '../../core/provenance/ogg.ts';
import { OPUS_PROVENANCE_KEY } from '../../core/provenance/opus-tags.ts';
import { exportTags, type ExportMetadata } from '../audio/export-metadata.ts';

// The reader and the CRC live in core (the provenance check reads Opus files with them).
export { oggCrc32, readOggPages, type OggPage } from '../../core/provenance/ogg.ts';

/** Opus always runs at 48 kHz: granule positions count 48 kHz samples. */
export const OPUS_RATE = 48000;

export interface OggOpusStream {
  /** Raw Opus packets in order (no container framing). */
  packets: Uint8Array[];
  channels: number;
  /** Samples (at 48 kHz) the decoder drops at the start: the encoder's look-ahead. */
  preSkip: number;
  /** Sample rate of the audio before encoding (informational: players may resample back to it). */
  inputSampleRate: number;
  /** Length of the original audio in 48 kHz samples: the end of the last page trims the padding after it. */
  length: number;
  metadata?: ExportMetadata;
  /** Vendor string of OpusTags: the encoder. */
  vendor?: string;
  /** Ogg bitstream serial number; fixed by default so the same audio gives the same bytes. */
  serial?: number;
}

/** A new page once this much audio is on one: about 1 s, as libopus' own tools do. */
const PAGE_SAMPLES = OPUS_RATE;

export function muxOggOpus(stream: OggOpusStream): Uint8Array {
  const { packets, channels, preSkip, length } = stream;
  if (!(channels === 1 || channels === 2)) throw new Error(`muxOggOpus: ${channels} channels (mono or stereo only)`);
  if (!(Number.isInteger(preSkip) && preSkip >= 0 && preSkip < 65536)) throw new Error(`muxOggOpus: bad pre-skip ${preSkip}`);
  if (!(Number.isInteger(length) && length >= 0)) throw new Error(`muxOggOpus: bad length ${length}`);
  const total = packets.reduce((n, p) => n + opusPacketSamples(p), 0);
  if (total < preSkip + length)
    throw new Error(`muxOggOpus: the packets hold ${total} samples, fewer than pre-skip ${preSkip} + length ${length}`);
  const serial = stream.serial ?? 0x52494646;
  const pages: Uint8Array[] = [];
  let sequence = 0;
  pages.push(
    oggPage({ packets: [opusHead(channels, preSkip, stream.inputSampleRate)], granule: 0n, serial, sequence: sequence++, flags: BOS }),
  );
  // The comment header may outgrow one page (a long provenance record): it then spans pages
  // (RFC 7845 §5.2), each with granule 0; the audio starts on a page of its own.
  for (const page of spanPages(opusTags(stream.metadata, stream.vendor))) {
    pages.push(oggPage({ ...page, granule: 0n, serial, sequence: sequence++ }));
  }
  const end = preSkip + length;
  let granule = 0;
  let onPage: Uint8Array[] = [];
  let pageSamples = 0;
  let lacing = 0;
  for (let i = 0; i < packets.length; i++) {
    const packet = packets[i]!;
    const laces = Math.floor(packet.length / 255) + 1;
    if (laces > 255) throw new Error(`muxOggOpus: packet ${i} is ${packet.length} bytes (more than one Ogg page holds)`);
    if (onPage.length && (lacing + laces > 255 || pageSamples >= PAGE_SAMPLES)) {
      pages.push(oggPage({ packets: onPage, granule: BigInt(granule), serial, sequence: sequence++, flags: 0 }));
      onPage = [];
      pageSamples = 0;
      lacing = 0;
    }
    onPage.push(packet);
    lacing += laces;
    const samples = opusPacketSamples(packet);
    granule += samples;
    pageSamples += samples;
    // Packets wholly past the end carry nothing to keep (the encoder's flush padding).
    if (granule >= end) break;
  }
  // The last page's granule is the end of the audio, not of the padded packets: players trim there.
  pages.push(oggPage({ packets: onPage, granule: BigInt(end), serial, sequence: sequence++, flags: EOS }));
  return concat(pages);
}

const CONTINUED = 0x01;
const BOS = 0x02;
const EOS = 0x04;

/** RFC 7845 §5.1: version 1, channel count, pre-skip, input rate, output gain 0, mapping family 0. */
export function opusHead(channels: number, preSkip: number, inputSampleRate: number): Uint8Array {
  const out = new Uint8Array(19);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('OpusHead'));
  out[8] = 1;
  out[9] = channels;
  view.setUint16(10, preSkip, true);
  view.setUint32(12, inputSampleRate, true);
  view.setInt16(16, 0, true);
  out[18] = 0;
  return out;
}

/** Bytes one page holds at most: 255 lacing values of 255. */
const PAGE_BYTES = 255 * 255;

/**
 * One packet laid over as many pages as it needs: every page but the last is full (its last
 * lacing value 255 says the packet goes on), and each page after the first is flagged as continued.
 */
export function spanPages(packet: Uint8Array): { packets: Uint8Array[]; flags: number; lacing?: 'open' }[] {
  const pages: { packets: Uint8Array[]; flags: number; lacing?: 'open' }[] = [];
  let at = 0;
  // A packet of exactly k·255·255 bytes ends on a page holding a lone 0 lacing value: hence `>=`.
  while (packet.length - at >= PAGE_BYTES) {
    pages.push({ packets: [packet.subarray(at, at + PAGE_BYTES)], flags: at ? CONTINUED : 0, lacing: 'open' });
    at += PAGE_BYTES;
  }
  pages.push({ packets: [packet.subarray(at)], flags: at ? CONTINUED : 0 });
  return pages;
}

/**
 * RFC 7845 §5.2: vendor string, then "KEY=value" comments (Vorbis comment fields): TITLE, COMMENT
 * (provenance and mastering chain, as in the WAV's ICMT), ENCODER, RIFFROOM_MASTERING (the
 * chain as JSON alone, for tools that read it back) and RIFFROOM_PROVENANCE (the provenance
 * record as JSON: core/provenance/opus-tags.ts reads it back).
 */
export function opusTags(metadata: ExportMetadata | undefined, vendor = 'Riffroom (libopus via WebCodecs)'): Uint8Array {
  const comments: string[] = [];
  if (metadata) {
    const tags = exportTags(metadata);
    if (tags.title) comments.push(`TITLE=${tags.title}`);
    if (tags.comment) comments.push(`COMMENT=${tags.comment}`);
    comments.push(`ENCODER=${tags.software}`);
    if (tags.mastering) comments.push(`RIFFROOM_MASTERING=${tags.mastering}`);
    if (tags.provenance) comments.push(`${OPUS_PROVENANCE_KEY}=${tags.provenance}`);
  }
  const encoder = new TextEncoder();
  const parts = [encoder.encode('OpusTags'), u32(encoder.encode(vendor).length), encoder.encode(vendor), u32(comments.length)];
  for (const comment of comments) {
    const bytes = encoder.encode(comment);
    parts.push(u32(bytes.length), bytes);
  }
  return concat(parts);
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

/**
 * Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte and frame count (RFC 6716
 * §3.1): the frame size comes from the configuration number, the count from the code bits.
 */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length < 1) throw new Error('opusPacketSamples: empty packet');
  const toc = packet[0]!;
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12)
    frameSamples = [480, 960, 1920, 2880][config & 3]!; // SILK: 10, 20, 40, 60 ms
  else if (config < 16)
    frameSamples = config & 1 ? 960 : 480; // Hybrid: 10, 20 ms
  else frameSamples = [120, 240, 480, 960][config & 3]!; // CELT: 2.5, 5, 10, 20 ms
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    if (packet.length < 2) throw new Error('opusPacketSamples: code 3 packet without a frame count');
    frames = packet[1]! & 0x3f;
  }
  return frames * frameSamples;
}

interface PageSpec {
  packets: Uint8Array[];
  granule: bigint;
  serial: number;
  sequence: number;
  flags: number;
  /** 'open': the last packet goes on in the next page (no closing lacing value below 255). */
  lacing?: 'open';
}

/** One Ogg page holding whole packets: header, lacing values, bodies, CRC over it all. */
function oggPage({ packets, granule, serial, sequence, flags, lacing: open }: PageSpec): Uint8Array {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let n = p.length; ; n -= 255) {
      if (n >= 255) lacing.push(255);
      else {
        lacing.push(n);
        break;
      }
    }
  }
  // A packet continued on the next page ends this one on a full 255 (it is a multiple of 255 here).
  if (open === 'open' && lacing.at(-1) === 0) lacing.pop();
  if (lacing.length > 255) throw new Error('oggPage: more than 255 lacing values');
  const bodyBytes = packets.reduce((n, p) => n + p.length, 0);
  const page = new Uint8Array(27 + lacing.length + bodyBytes);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53]); // "OggS"
  page[4] = 0; // version
  page[5] = flags;
  view.setBigUint64(6, granule, true);
  view.setUint32(14, serial >>> 0, true);
  view.setUint32(18, sequence, true);
  // CRC (22..25) stays 0 while it is computed.
  page[26] = lacing.length;
  page.set(lacing, 27);
  let offset = 27 + lacing.length;
  for (const p of packets) {
    page.set(p, offset);
    offset += p.length;
  }
  view.setUint32(22, oggCrc32(page), true);
  return page;
}
