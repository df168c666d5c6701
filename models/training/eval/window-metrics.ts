/**
 * Per-window musicality metrics of one part (a few bars, ticks from the window's first bar), as
 * the musicality report compares real and generated parts. Pure functions over notes, so each
 * value can be checked by hand on a small example. A metric a window cannot say (no note on a
 * beat, fewer than two onsets) is left out of that window's record rather than guessed.
 */
import type { Key, NoteInput } from '../../../core/song/types.ts';
import { chordPitchClasses } from '../../../core/theory/chords.ts';
import { inKeyPitchClasses } from '../../../core/theory/scales.ts';
import { ticksPerBar, ticksPerBeat, type Meter } from '../../../core/time.ts';
import type { TokenChord } from '../../../inference/tokenizer/events.ts';
import type { NoteRole } from '../../../inference/tokenizer/vocabulary.ts';

export interface WindowPart {
  role: NoteRole;
  notes: readonly NoteInput[];
  bars: number;
  meter: Meter;
  key: Key | null;
  /** Chords sounding over the window, ticks from its first bar (sliceChords). */
  chords: readonly TokenChord[] | null;
}

/** Metric name → value for one window. */
export type WindowMetrics = Record<string, number>;

/** An interval larger than a whole tone is a leap. */
export const LEAP_SEMITONES = 2;

const KICK = 36;
const SNARE = 38;
const HIHATS = new Set([42, 46]);
const TOMS = new Set([45, 48, 50]);

export function windowMetrics(w: WindowPart): WindowMetrics {
  const out: WindowMetrics = { density: w.notes.length / w.bars, rhythmConsistency: rhythmConsistency(w) };
  if (w.role === 'drums') {
    out.repeatedBars = repeatedBars(w);
    out.kickOn1 = kickOn1(w);
    out.snareOn2And4 = snareOn2And4(w);
    if (w.notes.length > 0) {
      out.hihatShare = w.notes.filter((n) => HIHATS.has(n.pitch)).length / w.notes.length;
      out.tomShare = w.notes.filter((n) => TOMS.has(n.pitch)).length / w.notes.length;
    }
    return out;
  }
  if (w.notes.length === 0) return out;
  const beats = chordTonesOnBeats(w);
  if (beats !== null) out.chordTonesOnBeats = beats;
  if (w.key) {
    const pcs = inKeyPitchClasses(w.key);
    out.inKey = w.notes.filter((n) => pcs.has(n.pitch % 12)).length / w.notes.length;
  }
  const pitches = w.notes.map((n) => n.pitch);
  out.pitchRange = Math.max(...pitches) - Math.min(...pitches);
  out.pitchClassEntropy = pitchClassEntropy(w.notes);
  out.polyphony = w.notes.length / new Set(w.notes.map((n) => n.tick)).size;
  const steps = lineIntervals(w);
  if (steps.length > 0) {
    out.meanInterval = steps.reduce((s, d) => s + Math.abs(d), 0) / steps.length;
    out.leapShare = steps.filter((d) => Math.abs(d) > LEAP_SEMITONES).length / steps.length;
  }
  return out;
}

/** The chord sounding at `tick` (the last change at or before it). */
export function chordAt(chords: readonly TokenChord[] | null, tick: number): TokenChord | undefined {
  let found: TokenChord | undefined;
  for (const c of chords ?? []) if (c.tick <= tick) found = c;
  return found;
}

/**
 * Share of the notes starting exactly on a beat (any beat of the bar) that are tones of the chord
 * sounding then; notes under "no chord" are not counted. null when no note starts on a beat.
 */
export function chordTonesOnBeats(w: WindowPart): number | null {
  const beat = ticksPerBeat(w.meter);
  let on = 0;
  let total = 0;
  for (const n of w.notes) {
    if (n.tick % beat !== 0) continue;
    const chord = chordAt(w.chords, n.tick);
    if (!chord || chord.root === null) continue;
    total++;
    if (chordPitchClasses({ root: chord.root, quality: chord.quality }).has(n.pitch % 12)) on++;
  }
  return total === 0 ? null : on / total;
}

/** Shannon entropy (bits) of the notes' pitch-class histogram: 0 for one pitch class, log2(12) at most. */
export function pitchClassEntropy(notes: readonly NoteInput[]): number {
  const counts = new Array<number>(12).fill(0);
  for (const n of notes) counts[n.pitch % 12]!++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / notes.length) * Math.log2(c / notes.length);
  return h === 0 ? 0 : h; // never -0
}

/** Onset positions inside each bar, one set per bar. */
function barOnsets(w: WindowPart): Set<number>[] {
  const bar = ticksPerBar(w.meter);
  const sets = Array.from({ length: w.bars }, () => new Set<number>());
  for (const n of w.notes) sets[Math.floor(n.tick / bar)]?.add(n.tick % bar);
  return sets;
}

/** Mean Jaccard similarity of consecutive bars' onset positions (two empty bars count as alike). */
export function rhythmConsistency(w: WindowPart): number {
  const sets = barOnsets(w);
  if (sets.length < 2) return 1;
  let sum = 0;
  for (let b = 1; b < sets.length; b++) {
    const a = sets[b - 1]!;
    const c = sets[b]!;
    let both = 0;
    for (const x of a) if (c.has(x)) both++;
    const union = a.size + c.size - both;
    sum += union === 0 ? 1 : both / union;
  }
  return sum / (sets.length - 1);
}

/**
 * Each bar's events as one string: position and pitch (and length for pitched notes). Velocity is
 * left out: a drummer's accents vary from bar to bar even when the pattern is the same.
 */
function barContents(w: WindowPart): string[] {
  const bar = ticksPerBar(w.meter);
  const rows = Array.from({ length: w.bars }, () => [] as string[]);
  for (const n of w.notes) rows[Math.floor(n.tick / bar)]?.push(`${n.tick % bar}:${n.pitch}${w.role === 'drums' ? '' : `:${n.duration}`}`);
  return rows.map((r) => r.sort().join(' '));
}

/** Share of consecutive bar pairs that are exactly the same (every hit in its place). */
export function repeatedBars(w: WindowPart): number {
  const bars = barContents(w);
  if (bars.length < 2) return 0;
  let same = 0;
  for (let b = 1; b < bars.length; b++) if (bars[b] === bars[b - 1]) same++;
  return same / (bars.length - 1);
}

/** Share of bars with a kick on beat 1. */
export function kickOn1(w: WindowPart): number {
  const bar = ticksPerBar(w.meter);
  const hit = new Set(w.notes.filter((n) => n.pitch === KICK && n.tick % bar === 0).map((n) => Math.floor(n.tick / bar)));
  return hit.size / w.bars;
}

/** Share of the backbeats (beats 2 and 4 of 4/4 bars; beat 2 of others) that have a snare on them. */
export function snareOn2And4(w: WindowPart): number {
  const bar = ticksPerBar(w.meter);
  const beat = ticksPerBeat(w.meter);
  const backbeats = w.meter.numerator === 4 ? [beat, 3 * beat] : [beat];
  const hit = new Set(w.notes.filter((n) => n.pitch === SNARE && backbeats.includes(n.tick % bar)).map((n) => n.tick));
  return hit.size / (w.bars * backbeats.length);
}

/**
 * Intervals of the part's line: at each onset its top note (the bass: its lowest), from one onset
 * to the next.
 */
export function lineIntervals(w: WindowPart): number[] {
  const line = new Map<number, number>();
  for (const n of w.notes) {
    const held = line.get(n.tick);
    if (held === undefined || (w.role === 'bass' ? n.pitch < held : n.pitch > held)) line.set(n.tick, n.pitch);
  }
  const pitches = [...line.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  return pitches.slice(1).map((p, i) => p - pitches[i]!);
}
