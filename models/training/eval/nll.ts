/**
 * Negative log-likelihood per written token of the model and of the 4-gram baseline, over the
 * same scoring examples. Scored are the tokens after SEP, less the chord events inline in a
 * pitched part: generation is given those, it never samples them.
 */
import { logSoftmaxAt, type CausalLm } from '../../../inference/engine/causal-lm.ts';
import { sepIndex } from '../../../inference/tokenizer/prompt.ts';
import { VOCAB } from '../../../inference/tokenizer/vocabulary.ts';
import type { NgramModel } from '../ngram.ts';

// Chord tokens (CROOT_*, CQUAL_*) close the vocabulary.
const CHORD_FIRST = VOCAB.id('CROOT_0');
const CHORDS_ROLE = VOCAB.id('ROLE_chords');

/** Indices of the tokens a model writes in this sequence (role at index 1, as encodePrompt puts it). */
export function scoredPositions(tokens: readonly number[]): number[] {
  const sep = sepIndex(tokens);
  if (sep < 0) throw new Error('sequence has no SEP');
  const inlineChords = tokens[1] !== CHORDS_ROLE;
  const positions: number[] = [];
  for (let t = sep + 1; t < tokens.length; t++) if (!(inlineChords && tokens[t]! >= CHORD_FIRST)) positions.push(t);
  return positions;
}

export async function modelNll(lm: CausalLm, tokens: readonly number[], positions: readonly number[]): Promise<number> {
  const { logits } = await lm.forward([tokens], lm.emptyCache(1));
  const vocab = lm.shape.vocabSize;
  let nll = 0;
  // Position t-1's logits predict token t.
  for (const t of positions) nll -= logSoftmaxAt(logits, (t - 1) * vocab, vocab, tokens[t]!);
  return nll;
}

export function baselineNll(baseline: NgramModel, tokens: readonly number[], positions: readonly number[]): number {
  let nll = 0;
  for (const t of positions) nll += baseline.tokenNll(tokens, t);
  return nll;
}
