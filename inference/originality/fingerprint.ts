/**
 * Fingerprints of note patterns, for "did the model copy?": the same function turns the training
 * data into the shipped index (models/training/build-originality-index.ts) and a generated part
 * into the fingerprints checked against it (check.ts).
 *
 * Pitched parts (bass, keys, lead) are read as a line, one note per onset (the bass's lowest, the
 * others' highest, as the musicality metrics read them), and fingerprinted in windows of
 * `LINE_NOTES` consecutive notes: each window is the sequence of its steps, a step being the
 * interval to the next note in semitones and the time to it on a 32nd-note grid. Intervals make a
 * copy in another key the same copy; the grid forgives the model's quantization. Drum parts are
 * fingerprinted per run of consecutive bars: the set of (kit piece, 16th position) hits.
 *
 * How long a window is, per role (WINDOW_SIZES), was chosen from the data (bench/originality,
 * models/training/README.md "Originality"): the shortest window at which the check marks at most
 * about 2% of held-out human 4-bar parts. Melodies are particular at 10 notes; bass and keys lines
 * in pop accompaniment share long formulas between songs, so they need 16 and 20.
 *
 * Only a 32-bit hash of each window is kept. Nothing can be read back from it: a step has about
 * 25 intervals × 16 times, so the shortest line window (10 notes, 9 steps) has some 400^9 ≈ 10^23
 * possible contents for 4·10^9 hash values, each value standing for ~10^13 of them; and the
 * index holds no order, piece or position.
 */
import { ticksPerBar, type Meter } from '../../core/time.ts';
import type { NoteInput } from '../../core/song/types.ts';

export type CheckedRole = 'drums' | 'bass' | 'keys' | 'lead';
export const CHECKED_ROLES: readonly CheckedRole[] = ['drums', 'bass', 'keys', 'lead'];

/** Window length per role: notes of a line, bars of drums. */
export const WINDOW_SIZES: Readonly<Record<CheckedRole, number>> = { drums: 2, bass: 16, keys: 20, lead: 10 };
/** The time grid of steps: a 32nd note (core ticks are 480 per quarter). */
const STEP_TICKS = 60;
/** Longer gaps are all "a long gap": a rest of a bar or more is not part of a phrase's identity. */
const MAX_STEP = 64;
/** Intervals are clamped to ± this: a leap of two octaves or more is one kind of leap. */
const MAX_INTERVAL = 24;

export type LineRole = 'bass' | 'keys' | 'lead';

/** One note per onset: the lowest for the bass, the highest otherwise; sorted by tick. */
export function lineOf(notes: readonly NoteInput[], role: LineRole): { tick: number; pitch: number }[] {
  const line = new Map<number, number>();
  for (const n of notes) {
    const held = line.get(n.tick);
    if (held === undefined || (role === 'bass' ? n.pitch < held : n.pitch > held)) line.set(n.tick, n.pitch);
  }
  return [...line.entries()].sort((a, b) => a[0] - b[0]).map(([tick, pitch]) => ({ tick, pitch }));
}

/** FNV-1a over 32-bit words, then a final avalanche (so nearby windows land far apart). */
function hashWords(words: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const w of words) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (w >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A salt per kind, so a line window and a drum window never share a value by construction. */
const LINE_SALT = 0x6c696e65;
const DRUM_SALT = 0x6472756d;

/** The steps of a line: [interval, time] per pair of consecutive notes. */
function steps(line: readonly { tick: number; pitch: number }[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < line.length; i++) {
    const interval = Math.max(-MAX_INTERVAL, Math.min(MAX_INTERVAL, line[i]!.pitch - line[i - 1]!.pitch));
    const time = Math.min(MAX_STEP, Math.round((line[i]!.tick - line[i - 1]!.tick) / STEP_TICKS));
    out.push([interval, time]);
  }
  return out;
}

/**
 * The fingerprint of each window of `notes` consecutive line notes, in order: entry i covers
 * line notes i .. i + notes - 1. Windows whose pitches are all one note, or that hold fewer than
 * `minPitches` distinct pitches, or that are one short figure going round (an ostinato: a broken
 * chord repeated), are null: those are everyone's, not a tune (check.ts never marks them, and
 * the index does not hold them).
 */
export function lineWindows(
  line: readonly { tick: number; pitch: number }[],
  notes: number,
  minPitches = MIN_DISTINCT_PITCHES,
): (number | null)[] {
  const s = steps(line).map(([interval, time]) => ((interval + 128) << 16) | time);
  const out: (number | null)[] = [];
  for (let i = 0; i + notes <= line.length; i++) {
    const distinct = new Set(line.slice(i, i + notes).map((n) => n.pitch)).size;
    const window = s.slice(i, i + notes - 1);
    if (distinct < minPitches || isOstinato(window)) {
      out.push(null);
      continue;
    }
    out.push(hashWords([LINE_SALT, notes, ...window]));
  }
  return out;
}

/** The longest figure that, repeated, counts as an ostinato (a broken chord going round), in steps. */
export const OSTINATO_STEPS = 4;

/** Whether `window` (steps) is one figure of at most OSTINATO_STEPS steps going round and round. */
function isOstinato(window: readonly number[]): boolean {
  for (let period = 1; period <= OSTINATO_STEPS && period < window.length; period++) {
    let repeats = true;
    for (let i = period; i < window.length && repeats; i++) repeats = window[i] === window[i - period];
    if (repeats) return true;
  }
  return false;
}

/** A window needs this many distinct pitches to count as a tune (measured: bench/originality). */
export const MIN_DISTINCT_PITCHES = 3;

/**
 * The fingerprint of each run of `bars` consecutive bars of a drum part (notes' ticks from the
 * part's first bar), in order: entry i covers bars i .. i + bars - 1. Bars with no hit make their
 * windows null (silence is not a groove).
 */
export function drumWindows(notes: readonly NoteInput[], meter: Meter, lengthBars: number, bars: number): (number | null)[] {
  const barTicks = ticksPerBar(meter);
  const sixteenth = 120;
  const perBar: number[][] = Array.from({ length: lengthBars }, () => []);
  for (const n of notes) {
    const bar = Math.floor(n.tick / barTicks);
    if (bar < 0 || bar >= lengthBars) continue;
    const position = Math.round((n.tick - bar * barTicks) / sixteenth);
    perBar[bar]!.push((n.pitch << 8) | position);
  }
  for (const hits of perBar) hits.sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (let i = 0; i + bars <= lengthBars; i++) {
    const window = perBar.slice(i, i + bars);
    if (window.some((hits) => hits.length === 0)) {
      out.push(null);
      continue;
    }
    const words = [DRUM_SALT, bars, meter.numerator, meter.denominator];
    for (const hits of window) words.push(0xffffffff, ...new Set(hits));
    out.push(hashWords(words));
  }
  return out;
}
