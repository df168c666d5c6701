/**
 * Picks the next token from one row of logits: only allowed tokens, temperature, then top-k and
 * top-p (nucleus) truncation, then a draw from a seeded generator, so a seed gives the same notes.
 */
import type { ModelRole } from '../tokenizer/vocabulary.ts';

export interface SamplingSettings {
  /** 0 picks the most likely token. */
  temperature: number;
  /** Keep the k most likely tokens (0 = all). */
  topK: number;
  /** Keep the smallest set whose probability reaches p (1 = all). */
  topP: number;
  /**
   * Top-p for a pitched part's pitch choices (a note's pitch, once its place is chosen). Absent:
   * the role's default (DEFAULT_TOP_P_BY_CHOICE); null there: `topP`.
   */
  pitchTopP?: number;
  /**
   * Top-p for a pitched part's timing choices (where the next note goes, a note stacked there, the
   * next bar, a note's velocity and length). Absent: the role's default; null there: `topP`.
   */
  rhythmTopP?: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = { temperature: 1, topK: 0, topP: 0.95 };

/**
 * The top-p a pitched part's pitch and timing choices get when the request's sampling names none,
 * per role (null: the request's topP). eval:model --musicality measured these on held-out songs
 * (models/training/README.md, Musicality): truncating the timing choices' tail made bass and lead
 * busier and more regular than real parts. Lead pitches: 0.9, with its leaps damped
 * (line-leaps.ts) rather than cut by a narrow nucleus: at 0.8 the lead's pitch classes were too
 * few (entropy overlap 0.79 against a control of 0.91). Drums and the chord track have no such
 * split.
 */
export const DEFAULT_TOP_P_BY_CHOICE: Readonly<Record<'bass' | 'keys' | 'lead', { pitch: number | null; rhythm: number | null }>> = {
  bass: { pitch: null, rhythm: 1 },
  keys: { pitch: null, rhythm: null },
  lead: { pitch: 0.9, rhythm: 1 },
};

/**
 * The settings each kind of choice is sampled with, pitchTopP and rhythmTopP resolved (so that
 * provenance says what was used): `pitch` with the pitch top-p as its topP, `rhythm` with the
 * rhythm top-p. Drums and the chord track: the request's settings for both.
 */
export function samplingByChoice(
  role: ModelRole,
  sampling: SamplingSettings,
): { pitch: SamplingSettings; rhythm: SamplingSettings; resolved: SamplingSettings } {
  if (role !== 'bass' && role !== 'keys' && role !== 'lead') return { pitch: sampling, rhythm: sampling, resolved: sampling };
  const defaults = DEFAULT_TOP_P_BY_CHOICE[role];
  const pitchTopP = sampling.pitchTopP ?? defaults.pitch ?? sampling.topP;
  const rhythmTopP = sampling.rhythmTopP ?? defaults.rhythm ?? sampling.topP;
  const resolved = { ...sampling, pitchTopP, rhythmTopP };
  return { pitch: { ...resolved, topP: pitchTopP }, rhythm: { ...resolved, topP: rhythmTopP }, resolved };
}

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
