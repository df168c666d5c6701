/**
 * Bars the panel works on: where a new part goes (the loop's start, else the playhead's bar),
 * the selected clip's bars, the bars to fill and to lock inside it, and the notes of any clip
 * that sound inside a range of song bars (what Accompany listens to). Ranges are [from, to) in
 * bars; the UI shows them 1-based ("bars 2–3").
 */
import type { Clip, NoteInput, Song } from '../../core/song/types.ts';
import { ticksPerBar, type Meter } from '../../core/time.ts';

export interface BarRange {
  from: number;
  /** Exclusive. */
  to: number;
}

export const rangeLength = (r: BarRange): number => r.to - r.from;

export function rangeLabel(r: BarRange): string {
  return rangeLength(r) === 1 ? `bar ${r.from + 1}` : `bars ${r.from + 1}–${r.to}`;
}

export const overlaps = (a: BarRange, b: BarRange): boolean => a.from < b.to && b.from < a.to;

/** The song bars a clip covers. */
export const clipRange = (clip: Pick<Clip, 'startBar' | 'lengthBars'>): BarRange => ({
  from: clip.startBar,
  to: clip.startBar + clip.lengthBars,
});

/** Where Generate puts a new part: the loop's first bar when the song loops, else the playhead's bar. */
export function generateStartBar(song: Song, playheadBar: number): number {
  if (song.meta.loop) return song.meta.loop.startBar;
  return Math.max(0, Math.floor(playheadBar + 1e-6));
}

/** A fill range inside a clip of `clipBars` bars: at least one bar, never past either end. */
export function clampRange(range: BarRange, clipBars: number): BarRange {
  const from = Math.min(Math.max(0, Math.floor(range.from)), Math.max(0, clipBars - 1));
  const to = Math.min(Math.max(from + 1, Math.floor(range.to)), clipBars);
  return { from, to };
}

/** The default fill range of a clip: its middle bars (bars 2–3 of 4), or its one bar. */
export function defaultFillRange(clipBars: number): BarRange {
  if (clipBars <= 2) return { from: clipBars - 1, to: clipBars };
  return { from: 1, to: clipBars - 1 };
}

/** Locked bars that still exist in a clip of `clipBars` bars, sorted, each once. */
export function cleanLockedBars(bars: readonly number[], clipBars: number): number[] {
  return [...new Set(bars)].filter((b) => Number.isInteger(b) && b >= 0 && b < clipBars).sort((a, b) => a - b);
}

export function toggleBar(bars: readonly number[], bar: number): number[] {
  return bars.includes(bar) ? bars.filter((b) => b !== bar) : [...bars, bar].sort((a, b) => a - b);
}

/** The notes of a clip that sound (a shortened clip keeps notes past its end, unplayed), without ids. */
export function audibleNotes(clip: { notes: readonly NoteInput[]; lengthBars: number }, meter: Meter): NoteInput[] {
  const end = clip.lengthBars * ticksPerBar(meter);
  return clip.notes
    .filter((n) => n.tick >= 0 && n.tick < end)
    .map((n) => ({ pitch: n.pitch, tick: n.tick, duration: n.duration, velocity: n.velocity }));
}

/**
 * Notes of a clip that start inside song bars `range`, with ticks from the range's first bar (a
 * note held over the range's start is left out: the model reads onsets).
 */
export function notesInRange(clip: Pick<Clip, 'notes' | 'startBar' | 'lengthBars'>, meter: Meter, range: BarRange): NoteInput[] {
  const barTicks = ticksPerBar(meter);
  const clipStart = clip.startBar * barTicks;
  const clipEnd = clipStart + clip.lengthBars * barTicks;
  const from = range.from * barTicks;
  const to = range.to * barTicks;
  const out: NoteInput[] = [];
  for (const n of clip.notes) {
    const at = clipStart + n.tick;
    if (at < from || at >= to || at >= clipEnd) continue;
    out.push({ pitch: n.pitch, tick: at - from, duration: n.duration, velocity: n.velocity });
  }
  return out;
}
