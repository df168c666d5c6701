/**
 * Musical time units. Everything in the arrangement is stored in ticks at a fixed resolution so
 * that straight 16ths and triplets both land on exact integers (480 = 2^5 * 3 * 5).
 */
export type Ticks = number;
export type Bars = number;
export type Beats = number;

/** Ticks per quarter note, the same resolution most DAWs use for MIDI. */
export const TICKS_PER_QUARTER = 480;

export interface Meter {
  /** Beats per bar (the top number). */
  numerator: number;
  /** Note value of one beat (the bottom number): 2, 4, 8 or 16. */
  denominator: number;
}

/** Ticks in one beat of the given meter (a quarter in 4/4, an eighth in 6/8). */
export function ticksPerBeat(meter: Meter): Ticks {
  return (TICKS_PER_QUARTER * 4) / meter.denominator;
}

/** Ticks in one bar of the given meter. */
export function ticksPerBar(meter: Meter): Ticks {
  return ticksPerBeat(meter) * meter.numerator;
}

export function barsToTicks(bars: Bars, meter: Meter): Ticks {
  return bars * ticksPerBar(meter);
}
