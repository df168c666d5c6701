/**
 * The editors' grid: note values (1/4 .. 1/32, straight or triplet) as ticks, snapping, and the
 * lines to draw. Pure. Ticks are core's (480 per quarter), so every choice here is a whole number
 * of ticks: 1/32 triplet = 40.
 */
import { TICKS_PER_QUARTER, ticksPerBar, ticksPerBeat, type Meter, type Ticks } from '../../core/time.ts';

/** Note values the grid offers, as the denominator of a whole note. */
export const GRID_DIVISIONS = [4, 8, 16, 32] as const;
export type GridDivision = (typeof GRID_DIVISIONS)[number];

export interface GridChoice {
  division: GridDivision;
  triplet: boolean;
}

export const DEFAULT_GRID: GridChoice = { division: 16, triplet: false };

/** Length of one grid step in ticks. */
export function gridTicks(choice: GridChoice): Ticks {
  const straight = (TICKS_PER_QUARTER * 4) / choice.division;
  // Three triplets in the time of two straight notes.
  return choice.triplet ? (straight * 2) / 3 : straight;
}

export function gridLabel(choice: GridChoice): string {
  return `1/${choice.division}${choice.triplet ? 'T' : ''}`;
}

/** The grid step at or before `tick`. */
export function snapDown(tick: Ticks, step: Ticks): Ticks {
  return Math.floor(tick / step) * step;
}

/** The nearest grid step (halves round up, so a note exactly between two lines moves later). */
export function snapNearest(tick: Ticks, step: Ticks): Ticks {
  return Math.round(tick / step) * step;
}

export type GridLineKind = 'bar' | 'beat' | 'step';

export interface GridLine {
  tick: Ticks;
  kind: GridLineKind;
}

/**
 * Lines from 0 to `endTick` (inclusive): bars, beats, and grid steps between them. Steps are left
 * out when they would be closer than `minStepTicks` (zoomed out), so the grid never turns grey.
 */
export function gridLines(endTick: Ticks, meter: Meter, step: Ticks, minStepTicks = 0): GridLine[] {
  const bar = ticksPerBar(meter);
  const beat = ticksPerBeat(meter);
  const lines = new Map<Ticks, GridLineKind>();
  if (step >= minStepTicks) for (let t = 0; t <= endTick; t += step) lines.set(t, 'step');
  for (let t = 0; t <= endTick; t += beat) lines.set(t, 'beat');
  for (let t = 0; t <= endTick; t += bar) lines.set(t, 'bar');
  return [...lines].map(([tick, kind]) => ({ tick, kind })).sort((a, b) => a.tick - b.tick);
}

/** The grid step that holds `tick`: its start and index (the drum grid's cells). */
export function cellOf(tick: Ticks, step: Ticks): { start: Ticks; index: number } {
  const index = Math.floor(tick / step);
  return { start: index * step, index };
}
