/**
 * Musical time for playback: ticks to seconds at a tempo, the swing warp, and bar/beat/tick of a
 * position. Pure arithmetic so the scheduler, the offline render and the tests share one truth.
 *
 * Tempo is one BPM per song (SongMeta.bpm) and counts quarter notes, as in MIDI: a beat of 6/8
 * (an eighth) at 120 BPM lasts half as long as a beat of 4/4.
 */
import { TICKS_PER_QUARTER, type Meter, type Ticks } from '../../core/time.ts';

export type Seconds = number;

/** Ticks per second at `bpm` quarter notes per minute. */
export function ticksPerSecond(bpm: number): number {
  return (bpm * TICKS_PER_QUARTER) / 60;
}

export function ticksToSeconds(ticks: Ticks, bpm: number): Seconds {
  return ticks / ticksPerSecond(bpm);
}

export function secondsToTicks(seconds: Seconds, bpm: number): Ticks {
  return seconds * ticksPerSecond(bpm);
}

/** Two eighths: the unit swing works on. */
const PAIR: Ticks = TICKS_PER_QUARTER;
const EIGHTH: Ticks = TICKS_PER_QUARTER / 2;
/** How far full (triplet) swing moves the off-beat eighth: from 1/2 to 2/3 of the quarter. */
export const FULL_SWING_DELAY: Ticks = (TICKS_PER_QUARTER * 2) / 3 - EIGHTH;

/**
 * Where a grid position sounds under `swing` (0 = straight, 1 = full triplet swing of 8ths).
 *
 * Each pair of eighths, counted from the start of its bar, is warped piecewise-linearly: the
 * off-beat eighth moves later by swing × 80 ticks, the first half stretches and the second
 * shrinks, and the pair's ends stay put. Warping (rather than moving only notes that sit exactly
 * on an off-beat) also swings 16ths and note lengths consistently, so a straight 8th held to the
 * next 8th still ends where the next one starts. A pair cut short by the bar line (the last eighth
 * of 7/8) is left straight: there is no partner to lean on.
 */
export function swingTick(tick: Ticks, swing: number, barTicks: Ticks): Ticks {
  if (swing <= 0) return tick;
  const barStart = Math.floor(tick / barTicks) * barTicks;
  const inBar = tick - barStart;
  const pairStart = Math.floor(inBar / PAIR) * PAIR;
  if (pairStart + PAIR > barTicks) return tick;
  const p = inBar - pairStart;
  const split = EIGHTH + Math.min(swing, 1) * FULL_SWING_DELAY;
  const warped = p < EIGHTH ? (p * split) / EIGHTH : split + ((p - EIGHTH) * (PAIR - split)) / EIGHTH;
  return barStart + pairStart + warped;
}

export interface BarBeatTick {
  /** 0-based, like Clip.startBar (the UI shows bar + 1). Negative during a count-in from bar 0. */
  bar: number;
  /** 0-based beat within the bar. */
  beat: number;
  /** Ticks into the beat (fractional while playing). */
  tick: Ticks;
}

export function barBeatTick(songTick: Ticks, meter: Meter): BarBeatTick {
  const beatTicks = (TICKS_PER_QUARTER * 4) / meter.denominator;
  const barTicks = beatTicks * meter.numerator;
  const bar = Math.floor(songTick / barTicks);
  const inBar = songTick - bar * barTicks;
  const beat = Math.min(meter.numerator - 1, Math.floor(inBar / beatTicks));
  return { bar, beat, tick: inBar - beat * beatTicks };
}
