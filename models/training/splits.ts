/**
 * Train/validation split by song: a piece goes where its dataset says (Groove's info.csv) or,
 * when the dataset names no split, where a hash of its song group sends it (10% validation), so
 * every piece of one song lands on the same side and the split never changes between runs.
 */
import type { Piece } from './piece.ts';

export type Split = 'train' | 'valid';

export const VALIDATION_SHARE = 10;

export function splitOf(piece: Piece): Split {
  if (piece.datasetSplit === 'train') return 'train';
  if (piece.datasetSplit === 'validation' || piece.datasetSplit === 'test') return 'valid';
  return fnv1a(piece.group) % 100 < VALIDATION_SHARE ? 'valid' : 'train';
}

/** 32-bit FNV-1a: small, stable across platforms and versions. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
