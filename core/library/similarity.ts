/**
 * "More like this": how alike two clips are, as a weighted sum of five comparisons of features
 * that do not depend on where a clip sits or what key it is in:
 *
 * | part      | feature                                                                | compared by        | weight |
 * |-----------|------------------------------------------------------------------------|--------------------|--------|
 * | rhythm    | onsets per position of the bar, 16 positions (the bar grid), all bars folded | cosine        | 0.50   |
 * | pitch     | duration-weighted pitch-class histogram relative to the key's tonic (drums: by kit piece) | cosine | 0.20 |
 * | intervals | steps between successive onsets' top notes, -7..+7 semitones (larger clamped) | cosine      | 0.20   |
 * | density   | onsets per bar                                                         | 1 - |a-b| / max(a,b) | 0.05 |
 * | range     | semitones from the lowest to the highest note                          | 1 - |a-b| / 48     | 0.05   |
 *
 * A transposed copy (its key moved with it) has the same features, so it ranks first; the same
 * notes with another groove lose the rhythm and interval parts. Each result says which parts make
 * it alike ("same rhythm on the bar grid 96% · same scale degrees 88%").
 */
import type { Key, NoteInput } from '../song/types.ts';
import type { Meter } from '../time.ts';
import { ticksPerBar } from '../time.ts';

export const GRID_STEPS = 16;
export const MAX_STEP = 7;
const INTERVAL_BINS = 2 * MAX_STEP + 1;

/**
 * Chosen on POP909 training songs (120 songs, 4-bar melody windows: same-song precision@10 0.313
 * with 0.35/0.3/0.2/0.1/0.05, 0.340 with these, the best of a grid of 288); measured on the
 * held-out songs by bench/library (tests/library-similarity.test.ts).
 */
export const WEIGHTS = { rhythm: 0.5, pitch: 0.2, intervals: 0.2, density: 0.05, range: 0.05 } as const;
export type SimilarityPart = keyof typeof WEIGHTS;

export interface FeatureInput {
  notes: readonly Pick<NoteInput, 'pitch' | 'tick' | 'duration'>[];
  lengthBars: number;
  meter: Meter;
  /** The clip's key (pitch classes are counted from its tonic); null: absolute pitch classes (drums). */
  key: Key | null;
  drums: boolean;
}

export interface ClipFeatures {
  rhythm: Float64Array;
  pitch: Float64Array;
  intervals: Float64Array;
  onsetsPerBar: number;
  range: number;
  drums: boolean;
}

function normalize(v: Float64Array): Float64Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

export function clipFeatures(input: FeatureInput): ClipFeatures {
  const barTicks = ticksPerBar(input.meter);
  const rhythm = new Float64Array(GRID_STEPS);
  const pitch = new Float64Array(12);
  const intervals = new Float64Array(INTERVAL_BINS);
  const tonic = input.key?.tonic ?? 0;
  // Onsets: the notes struck at one tick count once for rhythm; the top note carries the line.
  const tops = new Map<number, number>();
  let low = 127;
  let high = 0;
  for (const n of input.notes) {
    pitch[(((n.pitch - tonic) % 12) + 12) % 12]! += Math.min(n.duration, barTicks);
    tops.set(n.tick, Math.max(tops.get(n.tick) ?? -1, n.pitch));
    low = Math.min(low, n.pitch);
    high = Math.max(high, n.pitch);
  }
  const ticks = [...tops.keys()].sort((a, b) => a - b);
  for (const tick of ticks) rhythm[Math.min(GRID_STEPS - 1, Math.floor(((tick % barTicks) / barTicks) * GRID_STEPS))]! += 1;
  if (!input.drums) {
    for (let i = 1; i < ticks.length; i++) {
      const step = tops.get(ticks[i]!)! - tops.get(ticks[i - 1]!)!;
      intervals[Math.max(-MAX_STEP, Math.min(MAX_STEP, step)) + MAX_STEP]! += 1;
    }
  }
  return {
    rhythm: normalize(rhythm),
    pitch: normalize(pitch),
    intervals: normalize(intervals),
    onsetsPerBar: ticks.length / Math.max(1, input.lengthBars),
    range: input.notes.length ? high - low : 0,
    drums: input.drums,
  };
}

function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  // Two empty histograms (two clips without steps) are alike; one empty and one not are not.
  if (na === 0 || nb === 0) return na === nb ? 1 : 0;
  return dot / Math.sqrt(na * nb);
}

export type SimilarityParts = Record<SimilarityPart, number>;

export function similarityParts(a: ClipFeatures, b: ClipFeatures): SimilarityParts {
  const most = Math.max(a.onsetsPerBar, b.onsetsPerBar);
  return {
    rhythm: cosine(a.rhythm, b.rhythm),
    pitch: cosine(a.pitch, b.pitch),
    intervals: cosine(a.intervals, b.intervals),
    density: most === 0 ? 1 : 1 - Math.abs(a.onsetsPerBar - b.onsetsPerBar) / most,
    range: Math.max(0, 1 - Math.abs(a.range - b.range) / 48),
  };
}

export function similarity(a: ClipFeatures, b: ClipFeatures): number {
  const parts = similarityParts(a, b);
  let score = 0;
  for (const part of Object.keys(WEIGHTS) as SimilarityPart[]) score += WEIGHTS[part] * parts[part];
  // A drum groove and a pitched line are never "more of the same".
  return a.drums === b.drums ? score : score * 0.5;
}

const PART_WORDS: Record<SimilarityPart, string> = {
  rhythm: 'same rhythm on the bar grid',
  pitch: 'same scale degrees',
  intervals: 'same melodic steps',
  density: 'as busy',
  range: 'same range',
};

/** Why two clips are alike: the parts that agree best, strongest first ("same rhythm on the bar grid 96% · …"). */
export function explainSimilarity(a: ClipFeatures, b: ClipFeatures): string {
  const parts = similarityParts(a, b);
  const order = (Object.keys(WEIGHTS) as SimilarityPart[])
    .filter((p) => !(a.drums && b.drums && (p === 'intervals' || p === 'range')))
    .sort((x, y) => WEIGHTS[y] * parts[y] - WEIGHTS[x] * parts[x]);
  const strong = order.filter((p) => parts[p] >= 0.75).slice(0, 3);
  const shown = strong.length ? strong : order.slice(0, 1);
  const words = shown.map((p) =>
    p === 'density'
      ? `${PART_WORDS.density} (${a.onsetsPerBar.toFixed(1)} vs ${b.onsetsPerBar.toFixed(1)} onsets a bar)`
      : `${PART_WORDS[p]} ${Math.round(parts[p] * 100)}%`,
  );
  return strong.length ? words.join(' · ') : `only loosely alike: ${words[0]}`;
}

export interface Candidate<T> {
  item: T;
  features: ClipFeatures;
}

export interface SimilarResult<T> {
  item: T;
  score: number;
  why: string;
}

/** The `limit` candidates most like `target`, best first (ties keep the candidates' order). */
export function mostSimilar<T>(target: ClipFeatures, candidates: readonly Candidate<T>[], limit = 10): SimilarResult<T>[] {
  const scored = candidates.map((c, i) => ({ c, i, score: similarity(target, c.features) }));
  scored.sort((x, y) => y.score - x.score || x.i - y.i);
  return scored.slice(0, limit).map(({ c, score }) => ({ item: c.item, score, why: explainSimilarity(target, c.features) }));
}
