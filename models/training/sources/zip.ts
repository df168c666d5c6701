/**
 * A minimal ZIP reader: enough for MusicXML's compressed .mxl files, which are plain zips.
 * We read the central directory (the authoritative list; local headers may carry zero sizes when
 * a data descriptor follows) and inflate entries with node:zlib, so no dependency is needed.
 * Every offset is bounds-checked and every loop is bounded by the buffer, so truncated or
 * corrupted input ends in a ZipFormatError, never a hang or an out-of-range read.
 */
import zlib from 'node:zlib';

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
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

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

/** The uncompressed bytes of one entry, checked against its size and CRC-32. */
export function readZipEntry(zip: Uint8Array, entry: ZipEntry): Uint8Array {
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
  const raw = zip.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else if (entry.method === 8) {
    try {
      // maxOutputLength stops a lying size field from inflating without bound.
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (error) {
      throw new ZipFormatError(`${entry.name}: deflate data is corrupt (${(error as Error).message})`);
    }
  } else {
    throw new ZipFormatError(`${entry.name}: compression method ${entry.method} is not supported`);
  }
  if (data.byteLength !== entry.uncompressedSize) {
    throw new ZipFormatError(`${entry.name}: expected ${entry.uncompressedSize} bytes, got ${data.byteLength}`);
  }
  if (zlib.crc32(data) >>> 0 !== entry.crc32) throw new ZipFormatError(`${entry.name}: CRC-32 mismatch (corrupt data)`);
  return data;
}

/** Reads every file entry (directories skipped) into a map from name to bytes. */
export function readZip(zip: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of listZipEntries(zip)) {
    if (!entry.name.endsWith('/')) files.set(entry.name, readZipEntry(zip, entry));
  }
  return files;
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

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Flag bit 11 marks UTF-8 names; without it the spec says CP437, but most tools write UTF-8
 * anyway, so try UTF-8 first and fall back to a byte-per-character decoding.
 */
function decodeName(bytes: Uint8Array, flags: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    if (flags & 0x800) throw new ZipFormatError('an entry name flagged UTF-8 is not valid UTF-8');
    return latin1.decode(bytes);
  }
}
