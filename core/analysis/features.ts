/**
 * Plain numbers that describe how a part plays: how many notes per bar, how many sound at once,
 * where it sits in pitch, how much it pushes against the beat. Roles, energy and mood tags are
 * decided from these (track-role.ts, mood.ts), and the UI quotes them to explain those decisions.
 */
import type { NoteInput } from '../song/types.ts';
import { TICKS_PER_QUARTER, ticksPerBar, ticksPerBeat, type Meter, type Ticks } from '../time.ts';

export interface PartFeatures {
  notes: number;
  /** Bars from the first bar line before the first note to the bar line after the last one. */
  bars: number;
  notesPerBar: number;
  /**
   * Notes per whole note (a bar of 4/4) over the whole notes in which the part starts a note: how
   * busy it is while it plays, whatever rests surround it and whatever meter the file claims (a
   * POP909 file says 1/4 or 2/4). Energy levels are read from this.
   */
  notesPerPlayingBar: number;
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

/** A whole note: the span energy is counted over (training bars are mostly 4/4). */
const WHOLE_NOTE = 4 * TICKS_PER_QUARTER;

/**
 * `beatPhase`: where the beats fall, in ticks after each multiple of the beat (files whose grid
 * does not start on a beat: beatPhaseOf finds it); 0 for the song's own clips.
 */
export function partFeatures(notes: readonly NoteInput[], meter: Meter, beatPhase: Ticks = 0): PartFeatures | null {
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
    notesPerPlayingBar: sorted.length / new Set(sorted.map((n) => Math.floor(n.tick / WHOLE_NOTE))).size,
    onsetsPerBar: onsets.length / bars,
    polyphony: polyphonyOf(sorted),
    lowPitch: at(0.1),
    medianPitch: at(0.5),
    highPitch: at(0.9),
    meanBeats: sorted.reduce((s, n) => s + n.duration, 0) / sorted.length / beat,
    meanVelocity: sorted.reduce((s, n) => s + n.velocity, 0) / sorted.length,
    syncopation: syncopationOf(onsets, beat, beatPhase),
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
 * has no onset near it: the anticipated beats that make a groove push. Beats fall at
 * `phase + k * beat`.
 */
export function syncopationOf(onsets: readonly Ticks[], beat: Ticks, phase: Ticks = 0): number {
  if (onsets.length === 0) return 0;
  const shifted = onsets.map((t) => t - phase);
  const onBeat = (tick: Ticks): boolean => {
    const offset = ((tick % beat) + beat) % beat;
    return offset <= TOGETHER_TICKS || beat - offset <= TOGETHER_TICKS;
  };
  const beatsWithOnset = new Set(shifted.filter(onBeat).map((t) => Math.round(t / beat)));
  let syncopated = 0;
  for (const tick of shifted) {
    if (onBeat(tick)) continue;
    if (!beatsWithOnset.has(Math.ceil(tick / beat))) syncopated++;
  }
  return syncopated / onsets.length;
}

/** Phase 0 is kept unless another puts this many times as many onsets on the beat. */
const PHASE_MARGIN = 1.25;
const PHASE_STEP = 10;

/**
 * Where the beats of a file fall relative to its tick grid: the phase (a multiple of 10 ticks,
 * under one beat) that puts the most onsets within TOGETHER_TICKS of a beat. Files made in a DAW
 * have their beats on the grid (phase 0, kept unless another is clearly better); files aligned to
 * a recording need not (POP909's first beat falls anywhere within a quarter note).
 */
export function beatPhaseOf(onsets: readonly Ticks[], beat: Ticks): Ticks {
  // How many onsets a phase puts on the beat and how far they are from it in all (ties go to the closer fit).
  const fit = (phase: Ticks): { count: number; distance: number } => {
    let count = 0;
    let distance = 0;
    for (const t of onsets) {
      const offset = (((t - phase) % beat) + beat) % beat;
      const away = Math.min(offset, beat - offset);
      if (away <= TOGETHER_TICKS) {
        count++;
        distance += away;
      }
    }
    return { count, distance };
  };
  const atZero = fit(0).count;
  let best = 0;
  let bestFit = { count: atZero * PHASE_MARGIN, distance: 0 };
  for (let phase = PHASE_STEP; phase < beat; phase += PHASE_STEP) {
    const f = fit(phase);
    if (f.count > bestFit.count || (best !== 0 && f.count === bestFit.count && f.distance < bestFit.distance)) {
      best = phase;
      bestFit = f;
    }
  }
  return best;
}
