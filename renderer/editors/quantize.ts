/**
 * Quantize: note starts pulled toward the nearest grid line by a strength (100% lands on it, 50%
 * goes half way, keeping some of the human feel). Lengths are kept. Pure.
 */
import type { Note } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import { snapDown, snapNearest } from './grid.ts';

/** `strength` from 0 (no change) to 1 (on the grid). */
export function quantizeTick(tick: Ticks, step: Ticks, strength: number): Ticks {
  const s = Math.min(1, Math.max(0, strength));
  return Math.round(tick + (snapNearest(tick, step) - tick) * s);
}

export interface StartPatch {
  id: string;
  tick: Ticks;
}

/**
 * The start ticks that change. A note near the clip's end would round onto the end itself, where
 * no note may start: it goes to the last grid line inside the clip instead.
 */
export function quantizePatches(notes: readonly Note[], step: Ticks, strength: number, clipTicks: Ticks): StartPatch[] {
  const lastLine = snapDown(clipTicks - 1, step);
  const patches: StartPatch[] = [];
  for (const n of notes) {
    let tick = quantizeTick(n.tick, step, strength);
    if (tick >= clipTicks) tick = lastLine;
    if (tick !== n.tick) patches.push({ id: n.id, tick });
  }
  return patches;
}
