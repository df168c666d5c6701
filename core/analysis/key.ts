/**
 * Key finding by key profiles (Krumhansl & Schmuckler's method): a duration-weighted pitch-class
 * histogram of the notes is correlated with a major and a minor profile rotated to each of the 12
 * tonics; the best of the 24 correlations names the key, and how far it is ahead of the runner-up
 * says how sure that is.
 *
 * By default each key's correlation is the mean of its Krumhansl-Kessler and Temperley
 * correlations. On POP909's training songs (bench/metadata) Krumhansl-Kessler alone finds 82.8%
 * of the keys and errs mostly a fifth too high (it names the dominant), Temperley alone finds
 * 81.9% and errs mostly to the relative key; their mean finds 86.3%, as their errors rarely agree.
 */
import type { Key, NoteInput } from '../song/types.ts';
import { pitchClassName } from '../theory/chords.ts';

/** Weights of the 12 pitch classes above a tonic (index 0 = the tonic), major and minor. */
export interface KeyProfile {
  major: readonly number[];
  minor: readonly number[];
}

/** Krumhansl & Kessler (1982): listeners' ratings of how well each tone fits a key. */
export const KRUMHANSL_KESSLER: KeyProfile = {
  major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
  minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
};

/** Temperley (2007), counted from the Kostka-Payne harmony textbook's excerpts. */
export const TEMPERLEY: KeyProfile = {
  major: [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4],
  minor: [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33],
};

export const KEY_PROFILES = { krumhansl: KRUMHANSL_KESSLER, temperley: TEMPERLEY } as const;
export type KeyProfileName = keyof typeof KEY_PROFILES;

/** The profiles whose correlations are averaged when the caller names none. */
export const DEFAULT_KEY_PROFILES: readonly KeyProfile[] = [KRUMHANSL_KESSLER, TEMPERLEY];

export interface KeyCandidate {
  key: Key;
  /** Pearson correlation of the histogram with the key's profile (the mean over several profiles), -1..1. */
  correlation: number;
}

export interface KeyEstimate {
  key: Key;
  correlation: number;
  /** The second best key and its correlation. */
  runnerUp: KeyCandidate;
  /** best - runner-up correlation: the confidence (0 = a coin toss between the two). */
  margin: number;
  /** The margin in words for the UI (thresholds: KEY_CONFIDENCE_MARGINS). */
  confidence: KeyConfidence;
}

export type KeyConfidence = 'low' | 'medium' | 'high';

/**
 * Margins from which a key reads as 'medium' and 'high'. On POP909 (bench/metadata, whole set)
 * 'high' keys are right 94% of the time, 'medium' 83%, 'low' 62%: a low one is worth a question.
 */
export const KEY_CONFIDENCE_MARGINS = { medium: 0.05, high: 0.15 } as const;

/**
 * How long each pitch class sounds, summed over the notes (a chord counts each of its tones).
 * A note longer than `maxDuration` ticks counts as that long, so one held pedal tone cannot
 * outweigh the melody (default: a whole note at 480 ticks per quarter).
 */
export function pitchClassHistogram(notes: readonly Pick<NoteInput, 'pitch' | 'duration'>[], maxDuration = 1920): number[] {
  const histogram = new Array<number>(12).fill(0);
  for (const n of notes) histogram[n.pitch % 12]! += Math.min(Math.max(0, n.duration), maxDuration);
  return histogram;
}

/** A chord symbol as the key finder hears it: its tones, for how long it lasts (ticks). */
export interface SoundingChord {
  pitchClasses: Iterable<number>;
  duration: number;
}

/**
 * Chord symbols (a lead sheet's, a song's chord track) weigh each of their tones this many times
 * their duration shared out over the tones: a triad's tones count 2/3 of its length each. On
 * OpenEWLD's lead sheets the melody alone finds 62% of the score keys; with the chords at weight
 * 0.5, 1 and 2 it finds 73%, 78% and 82% (bench/metadata).
 */
export const CHORD_TONE_WEIGHT = 2;

/** The histogram with the chords' tones added (a chord longer than `maxDuration` counts as that long). */
export function addChordTones(
  histogram: readonly number[],
  chords: readonly SoundingChord[],
  weight = CHORD_TONE_WEIGHT,
  maxDuration = 1920,
): number[] {
  const out = [...histogram];
  for (const chord of chords) {
    const tones = [...chord.pitchClasses];
    const share = (weight * Math.min(Math.max(0, chord.duration), maxDuration)) / Math.max(1, tones.length);
    for (const pc of tones) out[((pc % 12) + 12) % 12]! += share;
  }
  return out;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** The 24 keys ranked by how well the histogram fits each one's profiles (mean correlation), best first. */
export function rankKeys(histogram: readonly number[], profiles: readonly KeyProfile[] = DEFAULT_KEY_PROFILES): KeyCandidate[] {
  const candidates: KeyCandidate[] = [];
  for (const mode of ['major', 'minor'] as const) {
    for (let tonic = 0; tonic < 12; tonic++) {
      let sum = 0;
      for (const profile of profiles) {
        // The profile rotated so that its tonic weight sits on pitch class `tonic`.
        const rotated = Array.from({ length: 12 }, (_, pc) => profile[mode][(pc - tonic + 12) % 12]!);
        sum += pearson(histogram, rotated);
      }
      candidates.push({ key: { tonic, mode }, correlation: sum / profiles.length });
    }
  }
  // Ties (a histogram that fits two keys equally) keep the order above: major first, C first.
  return candidates.sort((a, b) => b.correlation - a.correlation);
}

/** The best key of a histogram, or null when it holds no sound (or the same amount of every pitch class). */
export function keyOfHistogram(histogram: readonly number[], profiles: readonly KeyProfile[] = DEFAULT_KEY_PROFILES): KeyEstimate | null {
  if (histogram.every((w) => w === histogram[0])) return null;
  const [best, second] = rankKeys(histogram, profiles) as [KeyCandidate, KeyCandidate];
  const margin = best.correlation - second.correlation;
  return { key: best.key, correlation: best.correlation, runnerUp: second, margin, confidence: confidenceOf(margin) };
}

/**
 * The key of some notes (drums excluded by the caller: their pitches are kit pieces, not tones),
 * and of the chord symbols over them when there are any.
 */
export function detectKey(
  notes: readonly Pick<NoteInput, 'pitch' | 'duration'>[],
  chords: readonly SoundingChord[] = [],
  profiles: readonly KeyProfile[] = DEFAULT_KEY_PROFILES,
): KeyEstimate | null {
  return keyOfHistogram(addChordTones(pitchClassHistogram(notes), chords), profiles);
}

export function confidenceOf(margin: number): KeyConfidence {
  if (margin >= KEY_CONFIDENCE_MARGINS.high) return 'high';
  if (margin >= KEY_CONFIDENCE_MARGINS.medium) return 'medium';
  return 'low';
}

/** "F# minor", "Bb major": flats for the keys musicians spell with flats. */
export function keyName(key: Key): string {
  // Major keys F, Bb, Eb, Ab, Db and their relative minors are written with flats.
  const flatMajors = new Set([5, 10, 3, 8, 1]);
  const relativeMajor = key.mode === 'major' ? key.tonic : (key.tonic + 3) % 12;
  return `${pitchClassName(key.tonic, flatMajors.has(relativeMajor))} ${key.mode}`;
}
