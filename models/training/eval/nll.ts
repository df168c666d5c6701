/**
 * Negative log-likelihood per target token (the tokens after SEP) of the model and of the 4-gram
 * baseline, over the same scoring examples.
 */
import { logSoftmaxAt, type CausalLm } from '../../../inference/engine/causal-lm.ts';
import { sepIndex } from '../../../inference/tokenizer/prompt.ts';
import type { NgramModel } from '../ngram.ts';

export async function modelNll(lm: CausalLm, tokens: readonly number[]): Promise<{ nll: number; count: number }> {
  const sep = sepIndex(tokens);
  const { logits } = await lm.forward([tokens], lm.emptyCache(1));
  const vocab = lm.shape.vocabSize;
  let nll = 0;
  let count = 0;
  // Position t-1's logits predict token t.
  for (let t = sep + 1; t < tokens.length; t++) {
    nll -= logSoftmaxAt(logits, (t - 1) * vocab, vocab, tokens[t]!);
    count++;
  }
  return { nll, count };
}

export function baselineNll(baseline: NgramModel, tokens: readonly number[], sepId: number): { nll: number; count: number } {
  return baseline.sequenceNll(Uint16Array.from(tokens), sepId);
}
