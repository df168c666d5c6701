/**
 * Picks the next token from one row of logits: only allowed tokens, temperature, then top-k and
 * top-p (nucleus) truncation, then a draw from a seeded generator, so a seed gives the same notes.
 */
export interface SamplingSettings {
  /** 0 picks the most likely token. */
  temperature: number;
  /** Keep the k most likely tokens (0 = all). */
  topK: number;
  /** Keep the smallest set whose probability reaches p (1 = all). */
  topP: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = { temperature: 1, topK: 0, topP: 0.95 };

export function sampleToken(logits: ArrayLike<number>, allowed: Uint8Array, settings: SamplingSettings, random: () => number): number {
  const candidates: number[] = [];
  for (let i = 0; i < allowed.length; i++) if (allowed[i]) candidates.push(i);
  if (candidates.length === 0) throw new Error('no token is allowed');
  if (candidates.length === 1) return candidates[0]!;
  if (settings.temperature <= 0) return candidates.reduce((best, i) => (logits[i]! > logits[best]! ? i : best));
  candidates.sort((a, b) => logits[b]! - logits[a]!);
  const kept = settings.topK > 0 ? candidates.slice(0, settings.topK) : candidates;
  const max = logits[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((logits[i]! - max) / settings.temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  let cut = kept.length;
  if (settings.topP < 1) {
    let mass = 0;
    for (let k = 0; k < kept.length; k++) {
      mass += weights[k]! / total;
      if (mass >= settings.topP) {
        cut = k + 1;
        break;
      }
    }
  }
  const keptTotal = weights.slice(0, cut).reduce((s, w) => s + w, 0);
  let r = random() * keptTotal;
  for (let k = 0; k < cut; k++) {
    r -= weights[k]!;
    if (r < 0) return kept[k]!;
  }
  return kept[cut - 1]!;
}
