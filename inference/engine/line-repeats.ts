/**
 * Fewer repeated notes in a line: where a pitched part picks the lowest note at a new position
 * (for a bass, the next note of its line), the pitch the line just played is made less likely by
 * the factor (1 - strength) before sampling (a logit shift of ln(1 - strength)). Never a ban: a
 * repeated root stays possible, only rarer. Other pitches and every timing choice keep their logits.
 *
 * A keyboard part's line is its top note per position (what a listener follows over the chords).
 * Pitches at a position are written lowest first, so which pitch ends up on top is only known when
 * the model moves on; top-repeat damping therefore makes the previous position's top pitch less
 * likely at every free pitch choice of a new position, and gives its share to the other pitches
 * only (dampTopRepeat): the chance of stacking another note rather than moving on stays the
 * model's, so polyphony and rhythm are left alone.
 */
import { VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';

/**
 * The strength each role decodes with (0: none). eval:model --musicality measured it on held-out
 * songs (models/training/README.md, Musicality): the model's bass repeated its last note in 25% of
 * its steps against 20% in real parts, and its lines were leaps less often (leap share overlap 0.70
 * against a control of 0.85); at 0.3 they match (0.80). A lead is one note at a time, so its lowest
 * note is its line too: the model's repeated its last note in 35% of steps against 22% in real
 * melodies, and stepped (1-2 semitones) in 29% against 48%; at 0.3, with leap damping
 * (line-leaps.ts), repeats fall to 31% and steps rise to 37%. Keys' lines are top notes, which
 * this does not touch (DEFAULT_TOP_REPEAT_DAMPING does).
 */
export const DEFAULT_REPEAT_DAMPING: Readonly<Record<ModelRole, number>> = { drums: 0, bass: 0.3, keys: 0, lead: 0.3, chords: 0 };

export function repeatDampingOf(role: ModelRole): number {
  return DEFAULT_REPEAT_DAMPING[role];
}

/**
 * The top-repeat strength each role decodes with (0: none). eval:model --musicality measured it on
 * held-out songs (models/training/README.md, Musicality): the model's keys repeated their top note
 * in 12% of steps against 6% in real parts; at 0.5, 6%.
 */
export const DEFAULT_TOP_REPEAT_DAMPING: Readonly<Record<ModelRole, number>> = { drums: 0, bass: 0, keys: 0.5, lead: 0, chords: 0 };

export function topRepeatDampingOf(role: ModelRole): number {
  return DEFAULT_TOP_REPEAT_DAMPING[role];
}

const PITCH0 = VOCAB.id('PITCH_0');

/** What the grammar asks at this step: the line's last pitch and how strongly to avoid it. */
export interface RepeatBias {
  pitch: number;
  strength: number;
}

/**
 * Applies `bias` to one step: returns the logits to sample from, `logits` itself when nothing
 * changes, else `scratch` (which may already hold `logits`, shifted by another bias).
 */
export function dampRepeat(logits: Float32Array, allowed: Uint8Array, bias: RepeatBias, scratch: Float32Array): Float32Array {
  const id = PITCH0 + bias.pitch;
  if (!allowed[id] || bias.strength <= 0) return logits;
  let anyOther = false;
  for (let p = 0; p < 128 && !anyOther; p++) if (p !== bias.pitch && allowed[PITCH0 + p]) anyOther = true;
  if (!anyOther) return logits;
  if (logits !== scratch) scratch.set(logits);
  scratch[id]! += Math.log(1 - Math.min(bias.strength, 0.999));
  return scratch;
}

/**
 * Applies a top-repeat `bias` to one step (a pitch choice at a new position: its first pitch, or a
 * note stacked there): the repeated pitch's probability is multiplied by (1 - strength) and the
 * mass it loses goes to the other allowed pitches in proportion, so the pitches' total (against
 * moving on to a later position or bar) is unchanged. Returns `logits` when nothing changes, else
 * `scratch` (which may already hold `logits`, shifted by another bias).
 */
export function dampTopRepeat(logits: Float32Array, allowed: Uint8Array, bias: RepeatBias, scratch: Float32Array): Float32Array {
  const id = PITCH0 + bias.pitch;
  if (!allowed[id] || bias.strength <= 0) return logits;
  // Pitch masses relative to the repeated pitch's logit (numerically safe: that logit is finite).
  const base = logits[id]!;
  let others = 0;
  for (let p = 0; p < 128; p++) if (p !== bias.pitch && allowed[PITCH0 + p]) others += Math.exp(logits[PITCH0 + p]! - base);
  if (others === 0) return logits;
  const keep = 1 - Math.min(bias.strength, 0.999);
  // exp(lift) * others + keep * 1 = others + 1: the pitches' total mass stays what it was.
  const lift = Math.log((others + 1 - keep) / others);
  if (logits !== scratch) scratch.set(logits);
  scratch[id]! += Math.log(keep);
  for (let p = 0; p < 128; p++) if (p !== bias.pitch && allowed[PITCH0 + p]) scratch[PITCH0 + p]! += lift;
  return scratch;
}
