/**
 * A provider's self-check: the tokens a model writes greedily from a fixed prompt. A GPU provider
 * is used only when it writes exactly the CPU's tokens; rounding that changes a token would change
 * what a seed means, and a broken kernel would write nonsense.
 */
import { encodePrompt } from '../tokenizer/prompt.ts';
import type { CausalLm } from './causal-lm.ts';

const CHECK_PROMPT = encodePrompt({
  conditions: {
    role: 'bass',
    task: 'generate',
    style: 'pop',
    key: { tonic: 9, mode: 'minor' },
    meter: { numerator: 4, denominator: 4 },
    bpm: 96,
    bars: 2,
    energy: 2,
  },
  chords: [
    { tick: 0, root: 9, quality: 'min' },
    { tick: 1920, root: 5, quality: 'maj' },
  ],
});

/** Greedy tokens (no grammar: this checks the arithmetic, not the music) after CHECK_PROMPT, two rows interleaved (batching is checked too). */
export async function selfCheckTokens(lm: CausalLm, steps = 12): Promise<number[]> {
  const vocab = lm.shape.vocabSize;
  const rows = [CHECK_PROMPT, CHECK_PROMPT];
  let step = await lm.forward(rows, lm.emptyCache(2));
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const next: number[][] = [];
    for (let row = 0; row < 2; row++) {
      const base = ((row + 1) * step.seq - 1) * vocab;
      let best = 0;
      for (let t = 1; t < vocab; t++) if (step.logits[base + t]! > step.logits[base + best]!) best = t;
      next.push([best]);
      out.push(best);
    }
    step = await lm.forward(next, step.cache);
  }
  return out;
}
