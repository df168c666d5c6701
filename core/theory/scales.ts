/** Keys and scales: which pitch classes belong to a key. */
import type { Key } from '../song/types.ts';

const MAJOR_STEPS = [0, 2, 4, 5, 7, 9, 11];
const NATURAL_MINOR_STEPS = [0, 2, 3, 5, 7, 8, 10];

/** The seven pitch classes of the key's diatonic scale (natural minor for minor keys). */
export function scalePitchClasses(key: Key): Set<number> {
  const steps = key.mode === 'major' ? MAJOR_STEPS : NATURAL_MINOR_STEPS;
  return new Set(steps.map((s) => (key.tonic + s) % 12));
}

/**
 * Pitch classes a musician hears as "in the key": the diatonic scale, plus in minor the raised
 * seventh (the leading tone of harmonic minor, used in nearly every minor-key cadence).
 */
export function inKeyPitchClasses(key: Key): Set<number> {
  const pcs = scalePitchClasses(key);
  if (key.mode === 'minor') pcs.add((key.tonic + 11) % 12);
  return pcs;
}

export function transposeKey(key: Key, semitones: number): Key {
  return { tonic: (((key.tonic + semitones) % 12) + 12) % 12, mode: key.mode };
}
