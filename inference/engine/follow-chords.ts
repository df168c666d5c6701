/**
 * Follow the chords: at a beat of a pitched part, pitches that are not tones of the sounding chord
 * are made less likely by the factor (1 - strength) before sampling (a logit shift of
 * ln(1 - strength)); at strength 1 they are ruled out, unless no chord tone is allowed there
 * (range, scale lock or pitch order leave none), when the grammar's choice stands. Other tokens
 * (a position, the next bar) keep their logits, so the model still decides where notes go.
 */
import { VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';
import type { ChordBias } from './grammar.ts';
import type { GenerationRequest } from './request.ts';

/**
 * The strength a request gets when it names none, per role (eval:model --musicality measured
 * these on held-out songs; see inference/README.md). Drums and the chord track have no chord tones
 * to follow.
 */
export const DEFAULT_FOLLOW_CHORDS: Readonly<Record<ModelRole, number>> = { drums: 0, bass: 1, keys: 0.9, lead: 0.3, chords: 0 };

/** The strength a request decodes with: its own, or its role's default. */
export function followChordsOf(request: Pick<GenerationRequest, 'role' | 'followChords'>): number {
  return request.followChords ?? DEFAULT_FOLLOW_CHORDS[request.role];
}

const PITCH0 = VOCAB.id('PITCH_0');

/**
 * Applies `bias` to one step: returns the logits to sample from (a copy in `scratch` when shifted)
 * and may clear entries of `allowed` (strength 1).
 */
export function followChords(logits: Float32Array, allowed: Uint8Array, bias: ChordBias, scratch: Float32Array): Float32Array {
  let anyTone = false;
  let anyOther = false;
  for (let p = 0; p < 128; p++) {
    if (!allowed[PITCH0 + p]) continue;
    if (bias.tones[p]) anyTone = true;
    else anyOther = true;
  }
  if (!anyOther) return logits;
  if (bias.strength >= 1) {
    if (!anyTone) return logits;
    for (let p = 0; p < 128; p++) if (!bias.tones[p]) allowed[PITCH0 + p] = 0;
    return logits;
  }
  const shift = Math.log(1 - bias.strength);
  scratch.set(logits);
  for (let p = 0; p < 128; p++) if (allowed[PITCH0 + p] && !bias.tones[p]) scratch[PITCH0 + p]! += shift;
  return scratch;
}
