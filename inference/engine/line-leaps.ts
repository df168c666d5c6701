/**
 * Fewer leaps in a melody: where a pitched part picks the first note of a new position, each pitch
 * further than a whole tone from the line's last note (the top note of the latest position) gets
 * a logit shift of -strength × sqrt(interval - 2): a minor third loses `strength`, a fifth 2.2×,
 * an octave 3.2× as much. Steps and repeats keep their logits; never a ban, and timing choices are
 * untouched. The square root, not a straight line: the model's lead leaps too often by thirds and
 * fourths but, if anything, too rarely by an octave (models/training/README.md, Musicality), so
 * the push grows with the interval but flattens for the wide ones. With leaps held down this way,
 * the pitch nucleus can stay wide (sampler.ts), which keeps the melody's pitch classes varied.
 */
import { VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';

/**
 * The strength each role decodes with (0: none). eval:model --musicality
 * measured it on held-out songs (models/training/README.md, Musicality): the model's lead leapt
 * (more than a whole tone) in 39% of its steps against 32% in real melodies, and more by thirds
 * and fourths (34% against 23%); the lead at 0.4 with pitch top-p 0.9 and repeat damping 0.3
 * leaps in 33%.
 */
export const DEFAULT_LEAP_DAMPING: Readonly<Record<ModelRole, number>> = { drums: 0, bass: 0, keys: 0, lead: 0.4, chords: 0 };

/** Most strength the grammar takes (a fifth then loses e^-11: as good as a ban). */
export const MAX_LEAP_DAMPING = 5;

export function leapDampingOf(role: ModelRole): number {
  return DEFAULT_LEAP_DAMPING[role];
}

/** What the grammar asks at this step: the line's last note and the strength per semitone. */
export interface LeapBias {
  from: number;
  strength: number;
}

/** Intervals up to this many semitones are steps, not leaps (as eval's leap share counts them). */
const STEP = 2;
const PITCH0 = VOCAB.id('PITCH_0');

/**
 * Applies `bias` to one step: returns the logits to sample from, `logits` itself when nothing
 * changes, else `scratch` (which may already hold `logits`, shifted by another bias).
 */
export function dampLeaps(logits: Float32Array, allowed: Uint8Array, bias: LeapBias, scratch: Float32Array): Float32Array {
  if (bias.strength <= 0) return logits;
  let any = false;
  for (let p = 0; p < 128 && !any; p++) any = allowed[PITCH0 + p] === 1 && Math.abs(p - bias.from) > STEP;
  if (!any) return logits;
  if (logits !== scratch) scratch.set(logits);
  for (let p = 0; p < 128; p++) {
    const beyond = Math.abs(p - bias.from) - STEP;
    if (beyond > 0 && allowed[PITCH0 + p]) scratch[PITCH0 + p]! -= bias.strength * Math.sqrt(beyond);
  }
  return scratch;
}
