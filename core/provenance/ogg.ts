/**
 * Reading an Ogg stream (RFC 3533): pages with their CRC-32, packets joined across pages. Shared
 * by the Opus writer's tests (renderer/export/ogg-opus.ts re-exports it) and the provenance check,
 * which reads an Opus file's header packets with it.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value 0, no final xor. */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

export interface OggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** The CRC as stored, and as computed over the page. */
  storedCrc: number;
  computedCrc: number;
  /** Packets completed on this page (a packet continued from the previous page is joined). */
  packets: Uint8Array[];
}

/** Thrown for bytes that are not a well-formed Ogg stream, saying where. */
export class OggFormatError extends Error {
  override name = 'OggFormatError';
}

/**
 * Reads an Ogg stream's pages (one logical stream). `until` stops once that many packets are
 * complete (the header packets are all a check needs).
 */
export function readOggPages(bytes: Uint8Array, until = Number.POSITIVE_INFINITY): OggPage[] {
  const pages: OggPage[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let carry: Uint8Array[] = [];
  let complete = 0;
  while (offset < bytes.length && complete < until) {
    if (offset + 4 <= bytes.length && view.getUint32(offset, false) !== 0x4f676753)
      throw new OggFormatError(`readOggPages: no page at byte ${offset}`);
    if (offset + 27 > bytes.length) throw new OggFormatError(`readOggPages: page at byte ${offset} is cut short`);
    const count = bytes[offset + 26]!;
    const lacing = bytes.subarray(offset + 27, offset + 27 + count);
    const size = 27 + count + lacing.reduce((n, v) => n + v, 0);
    if (offset + size > bytes.length) throw new OggFormatError(`readOggPages: page at byte ${offset} is cut short`);
    const page = bytes.slice(offset, offset + size);
    const storedCrc = new DataView(page.buffer).getUint32(22, true);
    page.fill(0, 22, 26);
    const packets: Uint8Array[] = [];
    let at = 27 + count;
    let start = at;
    for (const lace of lacing) {
      at += lace;
      if (lace < 255) {
        carry.push(page.subarray(start, at));
        packets.push(concat(carry));
        carry = [];
        start = at;
      }
    }
    if (start < at) carry.push(page.subarray(start, at));
    complete += packets.length;
    pages.push({
      flags: page[5]!,
      granule: view.getBigUint64(offset + 6, true),
      serial: view.getUint32(offset + 14, true),
      sequence: view.getUint32(offset + 18, true),
      storedCrc,
      computedCrc: oggCrc32(page),
      packets,
    });
    offset += size;
  }
  return pages;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
