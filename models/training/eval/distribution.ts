/**
 * How two sets of per-window values compare: mean, sd, and the overlap area of their histograms
 * over fixed bins (1 = the same shape, 0 = disjoint). Fixed bins per metric keep overlaps
 * comparable between runs and between the model and the real-vs-real control.
 */

export interface Bins {
  low: number;
  high: number;
  count: number;
}

/** Bins per metric; values outside [low, high] fall into the edge bins. Shares use 10 bins. */
export const METRIC_BINS: Record<string, Bins> = {
  chordTonesOnBeats: { low: 0, high: 1, count: 10 },
  inKey: { low: 0, high: 1, count: 10 },
  pitchRange: { low: 0, high: 48, count: 12 },
  density: { low: 0, high: 48, count: 24 },
  pitchClassEntropy: { low: 0, high: Math.log2(12), count: 12 },
  rhythmConsistency: { low: 0, high: 1, count: 10 },
  meanInterval: { low: 0, high: 12, count: 12 },
  leapShare: { low: 0, high: 1, count: 10 },
  polyphony: { low: 1, high: 6, count: 10 },
  repeatedBars: { low: 0, high: 1, count: 10 },
  kickOn1: { low: 0, high: 1, count: 10 },
  snareOn2And4: { low: 0, high: 1, count: 10 },
  hihatShare: { low: 0, high: 1, count: 10 },
  tomShare: { low: 0, high: 1, count: 10 },
};

export function binOf(value: number, bins: Bins): number {
  const i = Math.floor(((value - bins.low) / (bins.high - bins.low)) * bins.count);
  return Math.min(bins.count - 1, Math.max(0, i));
}

/** Share of the values in each bin. */
export function histogram(values: readonly number[], bins: Bins): number[] {
  const h = new Array<number>(bins.count).fill(0);
  for (const v of values) h[binOf(v, bins)]! += 1 / values.length;
  return h;
}

/** Overlap area of two histograms: the sum over bins of the smaller share. */
export function overlap(a: readonly number[], b: readonly number[], bins: Bins): number {
  if (a.length === 0 || b.length === 0) return Number.NaN;
  const ha = histogram(a, bins);
  const hb = histogram(b, bins);
  return ha.reduce((s, x, i) => s + Math.min(x, hb[i]!), 0);
}

export interface Summary {
  n: number;
  mean: number;
  sd: number;
}

/** Mean and (population) standard deviation. */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return { n, mean, sd };
}
