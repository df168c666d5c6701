/**
 * Reads whichever datasets a folder with the layout of ../shared/datasets holds (pop909/,
 * groove_midi/groove/, openewld/; any may be missing). Files that cannot be read are reported in
 * `skipped`, never fatal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Piece, SkippedFile } from './piece.ts';
import { readGroove } from './sources/groove.ts';
import { readOpenEwld } from './sources/openewld.ts';
import { readPop909 } from './sources/pop909.ts';

export interface DatasetRead {
  pieces: Piece[];
  skipped: SkippedFile[];
  /** Dataset folders found. */
  found: string[];
}

export function readDatasets(dataDir: string, options: { limitPerSource?: number } = {}): DatasetRead {
  const readers: [string, string, (dir: string) => { pieces: Piece[]; skipped: SkippedFile[] }][] = [
    ['pop909', join(dataDir, 'pop909'), readPop909],
    ['groove', join(dataDir, 'groove_midi', 'groove'), readGroove],
    ['openewld', join(dataDir, 'openewld'), readOpenEwld],
  ];
  const result: DatasetRead = { pieces: [], skipped: [], found: [] };
  for (const [name, dir, read] of readers) {
    if (!existsSync(dir)) continue;
    result.found.push(name);
    const { pieces, skipped } = read(dir);
    result.pieces.push(...(options.limitPerSource ? pieces.slice(0, options.limitPerSource) : pieces));
    result.skipped.push(...skipped);
  }
  return result;
}
