/**
 * Plain numbers that describe how a part plays: how many notes per bar, how many sound at once,
 * where it sits in pitch, how much it pushes against the beat. Roles, energy and mood tags are
 * decided from these (track-role.ts, mood.ts), and the UI quotes them to explain those decisions.
 */
import type { NoteInput } from '../song/types.ts';
import { ticksPerBar, ticksPerBeat, type Meter, type Ticks } from '../time.ts';

export interface PartFeatures {
  notes: number;
  /** Bars from the first bar line before the first note to the bar line after the last one. */
  bars: number;
  notesPerBar: number;
  /** Distinct onsets (a chord counts once) per bar. */
  onsetsPerBar: number;
  /**
   * Share of notes that sound together with another note for longer than a 32nd (chords,
   * sustained arpeggios): 0 for a melody line, near 1 for piano accompaniment.
   */
  polyphony: number;
  /** Pitches at the 10th, 50th and 90th percentile of the notes. */
  lowPitch: number;
  medianPitch: number;
  highPitch: number;
  /** Mean note length in beats of the meter. */
  meanBeats: number;
  /** Mean velocity, 1..127. */
  meanVelocity: number;
  /**
   * Share of onsets off the beat whose next beat has no onset of its own: the note anticipates
   * the beat and ties over it (Longuet-Higgins & Lee's syncopation, counted rather than weighted).
   */
  syncopation: number;
}

/** Notes closer than this start together (a strummed or humanised chord). */
const TOGETHER_TICKS = 30;
/** Overlaps shorter than a 32nd are legato, not harmony. */
const OVERLAP_TICKS = 60;

export function partFeatures(notes: readonly NoteInput[], meter: Meter): PartFeatures | null {
  if (notes.length === 0) return null;
  const sorted = [...notes].sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  const barTicks = ticksPerBar(meter);
  const first = Math.floor(sorted[0]!.tick / barTicks);
  const end = Math.max(...sorted.map((n) => n.tick + n.duration));
  const bars = Math.max(1, Math.ceil(end / barTicks) - first);
  const onsets = onsetTicks(sorted);
  const pitches = sorted.map((n) => n.pitch).sort((a, b) => a - b);
  const at = (p: number): number => pitches[Math.min(pitches.length - 1, Math.floor(p * pitches.length))]!;
  const beat = ticksPerBeat(meter);
  return {
    notes: sorted.length,
    bars,
    notesPerBar: sorted.length / bars,
    onsetsPerBar: onsets.length / bars,
    polyphony: polyphonyOf(sorted),
    lowPitch: at(0.1),
    medianPitch: at(0.5),
    highPitch: at(0.9),
    meanBeats: sorted.reduce((s, n) => s + n.duration, 0) / sorted.length / beat,
    meanVelocity: sorted.reduce((s, n) => s + n.velocity, 0) / sorted.length,
    syncopation: syncopationOf(onsets, beat),
  };
}

/** Distinct onset ticks, notes closer than TOGETHER_TICKS merged into the first. */
export function onsetTicks(sorted: readonly Pick<NoteInput, 'tick'>[]): Ticks[] {
  const onsets: Ticks[] = [];
  for (const n of sorted) if (onsets.length === 0 || n.tick - onsets.at(-1)! > TOGETHER_TICKS) onsets.push(n.tick);
  return onsets;
}

/** Share of notes that overlap another note by more than OVERLAP_TICKS. */
export function polyphonyOf(sorted: readonly Pick<NoteInput, 'tick' | 'duration'>[]): number {
  const overlapping = new Array<boolean>(sorted.length).fill(false);
  // Notes are sorted by start, so only the later notes that start before `a` ends can overlap it.
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.tick < a.tick + a.duration - OVERLAP_TICKS; j++) {
      const b = sorted[j]!;
      if (Math.min(a.tick + a.duration, b.tick + b.duration) - b.tick > OVERLAP_TICKS) {
        overlapping[i] = true;
        overlapping[j] = true;
      }
    }
  }
  return overlapping.filter(Boolean).length / sorted.length;
}

/**
 * Share of onsets that fall between beats (more than TOGETHER_TICKS from one) while the next beat
 * has no onset near it: the anticipated beats that make a groove push.
 */
export function syncopationOf(onsets: readonly Ticks[], beat: Ticks): number {
  if (onsets.length === 0) return 0;
  const onBeat = (tick: Ticks): boolean => {
    const offset = tick % beat;
    return offset <= TOGETHER_TICKS || beat - offset <= TOGETHER_TICKS;
  };
  const beatsWithOnset = new Set(onsets.filter(onBeat).map((t) => Math.round(t / beat)));
  let syncopated = 0;
  for (const tick of onsets) {
    if (onBeat(tick)) continue;
    if (!beatsWithOnset.has(Math.ceil(tick / beat))) syncopated++;
  }
  return syncopated / onsets.length;
}
