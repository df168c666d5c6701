/**
 * Stems packed as one zip (fflate: MIT, no dependencies, maintained, ~8 kB of it bundled), stored
 * uncompressed: deflate gains a few percent on audio at a large cost in time. Every entry carries
 * the same fixed timestamp, so the same stems always make the same bytes.
 */
import { zipSync, type Zippable } from 'fflate';

export interface ArchiveFile {
  name: string;
  bytes: Uint8Array;
}

/** 1 Jan 1980 12:00, the start of the zip (DOS) calendar, in local time as DOS dates are. */
const FIXED_TIME = new Date(1980, 0, 1, 12, 0, 0);

export function zipStems(folder: string, files: ArchiveFile[]): Uint8Array {
  if (!files.length) throw new Error('zipStems: no files');
  const entries: Zippable = {};
  for (const f of files) {
    const path = `${folder}/${f.name}`;
    if (path in entries) throw new Error(`zipStems: two files named ${f.name}`);
    entries[path] = [f.bytes, { level: 0, mtime: FIXED_TIME }];
  }
  return zipSync(entries, { level: 0, mtime: FIXED_TIME });
}
