/**
 * How close an estimated key is to a reference key, the way MIREX's audio key detection task
 * scores it: the same key 1, a perfect fifth above (same mode) 0.5, the relative major or minor
 * 0.3, the parallel major or minor 0.2, anything else 0.
 */
import type { Key } from '../song/types.ts';

export type KeyRelation = 'same' | 'fifth-above' | 'fifth-below' | 'relative' | 'parallel' | 'other';

export function keyRelation(estimate: Key, reference: Key): KeyRelation {
  const up = (estimate.tonic - reference.tonic + 12) % 12;
  if (estimate.mode === reference.mode) {
    if (up === 0) return 'same';
    if (up === 7) return 'fifth-above';
    if (up === 5) return 'fifth-below';
    return 'other';
  }
  if (up === 0) return 'parallel';
  // The relative minor's tonic is 9 semitones above its major's (a minor third below).
  if ((reference.mode === 'major' && up === 9) || (reference.mode === 'minor' && up === 3)) return 'relative';
  return 'other';
}

/** MIREX's weighted score; a fifth counts only upwards (the estimate names the reference's dominant). */
export function mirexKeyScore(estimate: Key, reference: Key): number {
  switch (keyRelation(estimate, reference)) {
    case 'same':
      return 1;
    case 'fifth-above':
      return 0.5;
    case 'relative':
      return 0.3;
    case 'parallel':
      return 0.2;
    default:
      return 0;
  }
}

/** The same key, or one a fifth either way, or the relative key: a "near miss" a musician forgives. */
export function isNearKey(estimate: Key, reference: Key): boolean {
  const relation = keyRelation(estimate, reference);
  return relation === 'same' || relation === 'fifth-above' || relation === 'fifth-below' || relation === 'relative';
}
