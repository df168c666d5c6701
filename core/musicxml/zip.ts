/**
 * The zip container of compressed MusicXML (.mxl), pure: listing an archive from its central
 * directory, locating and checking an entry's data, CRC-32, and writing an archive. Inflating and
 * deflating go through the platform's CompressionStream/DecompressionStream (browsers, Electron
 * and Node 18+ all have them), which are asynchronous; the training pipeline reads the same
 * archives synchronously with node:zlib on top of listZipEntries/entryData/checkEntryData
 * (models/training/sources/zip.ts).
 * A synchronous reader (readZipEntrySync, inflating with fflate) serves the file check.
 * Every offset is bounds-checked and every loop is bounded by the buffer, so truncated or
 * corrupted input ends in a ZipFormatError, never a hang or an out-of-range read.
 */
import { inflateSync } from 'fflate';
import { decodeLatin1, decodeUtf8, encodeUtf8 } from '../midi/text.ts';

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate; others are refused when read. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  /** Offset of the entry's local file header. */
  localHeaderOffset: number;
  flags: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** The EOCD may be followed by a comment of at most 65535 bytes, so it lies within this tail. */
const MAX_EOCD_SEARCH = EOCD_SIZE + 0xffff;
/** Refuse to inflate more than this per entry: a guard against zip bombs in downloaded data. */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

/** Lists the entries of a zip archive from its central directory. */
export function listZipEntries(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipFormatError('ZIP64 archives are not supported');
  }
  if (cdOffset + cdSize > eocd) {
    throw new ZipFormatError(`central directory (${cdOffset}+${cdSize}) runs past its end record at ${eocd}: truncated or corrupt`);
  }
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_SIZE > cdOffset + cdSize) throw new ZipFormatError(`central directory entry ${i} is cut off`);
    if (view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw new ZipFormatError(`bad central directory signature at ${at}`);
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const end = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (end > cdOffset + cdSize) throw new ZipFormatError(`central directory entry ${i} is cut off`);
    entries.push({
      name: decodeName(zip.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength), flags),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      flags,
    });
    at = end;
  }
  return entries;
}

/**
 * An entry's data as stored in the archive (still compressed when method is 8), after checking
 * its local header, that it is not encrypted, fits the archive and is not too large to inflate.
 */
export function entryData(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = entry.localHeaderOffset;
  if (at + LOCAL_SIZE > zip.byteLength || view.getUint32(at, true) !== LOCAL_SIGNATURE) {
    throw new ZipFormatError(`${entry.name}: no local file header at ${at}`);
  }
  if (entry.flags & 1) throw new ZipFormatError(`${entry.name}: encrypted entries are not supported`);
  // The local header's own name/extra lengths decide where the data starts (its extra field
  // often differs from the central directory's).
  const start = at + LOCAL_SIZE + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > zip.byteLength) throw new ZipFormatError(`${entry.name}: data runs past the end of the archive (truncated)`);
  if (entry.uncompressedSize > MAX_ENTRY_BYTES) throw new ZipFormatError(`${entry.name}: ${entry.uncompressedSize} bytes is too large`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipFormatError(`${entry.name}: compression method ${entry.method} is not supported`);
  }
  return zip.subarray(start, end);
}

/** Checks inflated data against the entry's size and CRC-32; returns it. */
export function checkEntryData(entry: ZipEntry, data: Uint8Array): Uint8Array {
  if (data.byteLength !== entry.uncompressedSize) {
    throw new ZipFormatError(`${entry.name}: expected ${entry.uncompressedSize} bytes, got ${data.byteLength}`);
  }
  if (crc32(data) !== entry.crc32) throw new ZipFormatError(`${entry.name}: CRC-32 mismatch (corrupt data)`);
  return data;
}

/** The uncompressed bytes of one entry, checked against its size and CRC-32. */
export async function readZipEntryAsync(zip: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const raw = entryData(zip, entry);
  if (entry.method === 0) return checkEntryData(entry, raw);
  let data: Uint8Array;
  try {
    data = await transform(raw, 'decompress', entry.uncompressedSize);
  } catch (error) {
    if (error instanceof ZipFormatError) throw new ZipFormatError(`${entry.name}: ${error.message}`);
    throw new ZipFormatError(`${entry.name}: deflate data is corrupt (${(error as Error).message})`);
  }
  return checkEntryData(entry, data);
}

/**
 * The same, synchronously, inflated by fflate (pure JS) for callers that cannot wait (the file
 * check of the `verify` command). Inflating into a buffer of the stated size cannot run past it;
 * a lying size then fails the CRC check.
 */
export function readZipEntrySync(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  const raw = entryData(zip, entry);
  if (entry.method === 0) return checkEntryData(entry, raw);
  let data: Uint8Array;
  try {
    data = inflateSync(raw, { out: new Uint8Array(entry.uncompressedSize) });
  } catch (error) {
    throw new ZipFormatError(`${entry.name}: deflate data is corrupt (${(error as Error).message})`);
  }
  return checkEntryData(entry, data);
}

export interface NewZipEntry {
  name: string;
  data: Uint8Array;
  /** 'deflate' (default) or 'store' (what .mxl's "mimetype" entry must be). */
  method?: 'deflate' | 'store';
}

/** Writes a zip archive (UTF-8 names, no data descriptors, no ZIP64: entries under 4 GiB). */
export async function writeZip(entries: NewZipEntry[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const stored = entry.method === 'store';
    const body = stored ? entry.data : await transform(entry.data, 'compress', Number.POSITIVE_INFINITY);
    const name = encodeUtf8(entry.name);
    const crc = crc32(entry.data);
    const local = new Uint8Array(LOCAL_SIZE + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL_SIGNATURE, true);
    lv.setUint16(4, 20, true); // version needed: 2.0 (deflate)
    lv.setUint16(6, 0x800, true); // UTF-8 names
    lv.setUint16(8, stored ? 0 : 8, true);
    lv.setUint16(12, 0x21, true); // DOS date 1980-01-01: a fixed stamp keeps exports reproducible
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, entry.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, LOCAL_SIZE);
    const record = new Uint8Array(CENTRAL_SIZE + name.length);
    const cv = new DataView(record.buffer);
    cv.setUint32(0, CENTRAL_SIGNATURE, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x800, true);
    cv.setUint16(10, stored ? 0 : 8, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, entry.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    record.set(name, CENTRAL_SIZE);
    parts.push(local, body);
    central.push(record);
    offset += local.length + body.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(EOCD_SIZE);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD_SIGNATURE, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, end]);
}

/** The whole archive's file entries by name (directories skipped), inflated. */
export async function readZipAsync(zip: Uint8Array): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of listZipEntries(zip)) {
    if (!entry.name.endsWith('/')) files.set(entry.name, await readZipEntryAsync(zip, entry));
  }
  return files;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the zip/PNG polynomial), unsigned. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The web's compression streams, typed here because core sees no DOM lib. */
interface ByteTransformStream {
  readonly writable: {
    getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void>; abort(reason?: unknown): Promise<void> };
  };
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } };
}
type ByteTransformConstructor = new (format: 'deflate-raw') => ByteTransformStream;

/** Raw deflate or inflate through the platform's streams; inflating stops past `maxBytes`. */
async function transform(input: Uint8Array, direction: 'compress' | 'decompress', maxBytes: number): Promise<Uint8Array> {
  const scope = globalThis as { CompressionStream?: ByteTransformConstructor; DecompressionStream?: ByteTransformConstructor };
  const Stream = direction === 'compress' ? scope.CompressionStream : scope.DecompressionStream;
  if (!Stream) throw new ZipFormatError(`this platform has no ${direction === 'compress' ? 'Compression' : 'Decompression'}Stream`);
  const stream = new Stream('deflate-raw');
  const writer = stream.writable.getWriter();
  // Written without awaiting: the stream applies backpressure until the reader below drains it.
  const written = writer.write(input).then(() => writer.close());
  written.catch(() => {}); // a corrupt stream rejects both sides; the reader reports it
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value!.length;
    // A lying size field must not inflate without bound (a zip bomb): stop one byte past it.
    if (total > maxBytes) {
      await reader.cancel();
      throw new ZipFormatError(`inflates to more than the ${maxBytes} bytes its header says`);
    }
    chunks.push(value!);
  }
  await written;
  return concat(chunks);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The end-of-central-directory record, searched backwards because a comment may follow it.
 * A candidate counts only if its comment fits inside the file, which rules out most stray
 * signatures in compressed data; bytes after the comment are tolerated (some tools pad).
 */
function findEndOfCentralDirectory(view: DataView): number {
  if (view.byteLength < EOCD_SIZE) throw new ZipFormatError(`${view.byteLength} bytes is too short for a zip archive`);
  const lowest = Math.max(0, view.byteLength - MAX_EOCD_SEARCH);
  for (let at = view.byteLength - EOCD_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE && at + EOCD_SIZE + view.getUint16(at + 20, true) <= view.byteLength) {
      return at;
    }
  }
  throw new ZipFormatError('no end-of-central-directory record: not a zip archive, or truncated');
}

/**
 * Flag bit 11 marks UTF-8 names; without it the spec says CP437, but most tools write UTF-8
 * anyway, so try UTF-8 first and fall back to a byte-per-character decoding.
 */
function decodeName(bytes: Uint8Array, flags: number): string {
  const name = decodeUtf8(bytes);
  if (name !== null) return name;
  if (flags & 0x800) throw new ZipFormatError('an entry name flagged UTF-8 is not valid UTF-8');
  return decodeLatin1(bytes);
}
