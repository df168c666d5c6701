/**
 * The zip reader of the training pipeline: core/musicxml/zip.ts lists archives and checks entries
 * (pure, shared with the app's .mxl import); here entries are inflated synchronously with
 * node:zlib, which the pipeline's synchronous readers want.
 */
import zlib from 'node:zlib';
import { checkEntryData, entryData, listZipEntries, ZipFormatError, type ZipEntry } from '../../../core/musicxml/zip.ts';

export { listZipEntries, ZipFormatError, type ZipEntry };

/** The uncompressed bytes of one entry, checked against its size and CRC-32. */
export function readZipEntry(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  const raw = entryData(zip, entry);
  if (entry.method === 0) return checkEntryData(entry, raw);
  let data: Uint8Array;
  try {
    // maxOutputLength stops a lying size field from inflating without bound.
    data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } catch (error) {
    throw new ZipFormatError(`${entry.name}: deflate data is corrupt (${(error as Error).message})`);
  }
  return checkEntryData(entry, data);
}

/** Reads every file entry (directories skipped) into a map from name to bytes. */
export function readZip(zip: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of listZipEntries(zip)) {
    if (!entry.name.endsWith('/')) files.set(entry.name, readZipEntry(zip, entry));
  }
  return files;
}
