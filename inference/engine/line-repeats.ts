/**
 * Fewer repeated notes in a line: where a pitched part picks the lowest note at a new position
 * (for a bass, the next note of its line), the pitch the line just played is made less likely by
 * the factor (1 - strength) before sampling (a logit shift of ln(1 - strength)). Never a ban: a
 * repeated root stays possible, only rarer. Other pitches and every timing choice keep their logits.
 */
import { VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';

/**
 * The strength each role decodes with (0: none). eval:model --musicality measured it on held-out
 * songs (models/training/README.md, Musicality): the model's bass repeated its last note in 25% of
 * its steps against 20% in real parts, and its lines were leaps less often (leap share overlap 0.70
 * against a control of 0.85); at 0.3 they match (0.80). Keys and lead lines are top notes, which
 * this does not touch.
 */
export const DEFAULT_REPEAT_DAMPING: Readonly<Record<ModelRole, number>> = { drums: 0, bass: 0.3, keys: 0, lead: 0, chords: 0 };

export function repeatDampingOf(role: ModelRole): number {
  return DEFAULT_REPEAT_DAMPING[role];
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
