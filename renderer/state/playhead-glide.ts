/**
 * The playhead glides instead of being moved every frame: from where the engine says it is, a
 * linear transform animation (run by the compositor, off the main thread) to the next bar line,
 * at the engine's rate; at the bar line it asks again. A 60-per-second React update and style
 * change (each a main-thread frame with paint and layer updates) becomes one short task a bar,
 * which matters on a two-core laptop playing a dense song while bandmates edit.
 *
 * Tempo, loop wraps and jam re-anchors all land on bar lines, where the next glide starts anyway;
 * a seek or a jump mid-bar shows up as a transport state change (they come in quarter-bar steps)
 * whose position is off the glide's, and the glide starts over from there. The React hook that
 * drives an element this way is use-playhead-glide.ts.
 */

/** What the playhead does now: glide from `fromTick` to `toTick` over `ms`, or wait at `fromTick` (ms = time to look again). */
export interface Glide {
  fromTick: number;
  toTick: number;
  ms: number;
  moving: boolean;
}

/** How often a waiting playhead (count-in, before the start) looks again, ms. */
export const WAIT_POLL_MS = 50;

/** The glide from a position: to the next bar line (or `stopAt`, when sooner) at the position's rate. */
export function planGlide(
  position: { songTick: number; ticksPerSecond: number; countIn: boolean },
  barTicks: number,
  stopAt = Infinity,
): Glide {
  const from = position.countIn ? Math.max(0, position.songTick) : position.songTick;
  if (position.countIn || !(position.ticksPerSecond > 0) || barTicks <= 0)
    return { fromTick: from, toTick: from, ms: WAIT_POLL_MS, moving: false };
  // A position on the bar line itself glides through the whole next bar.
  const nextBar = (Math.floor(from / barTicks + 1e-9) + 1) * barTicks;
  const to = Math.max(from, Math.min(nextBar, stopAt > from ? stopAt : nextBar));
  return { fromTick: from, toTick: to, ms: ((to - from) / position.ticksPerSecond) * 1000, moving: true };
}

/** Where a glide that started at `startedAt` (ms) has the playhead at `now` (ms). */
export function glideTickAt(glide: Glide, startedAt: number, now: number): number {
  if (!glide.moving || glide.ms <= 0) return glide.fromTick;
  const f = Math.min(1, Math.max(0, (now - startedAt) / glide.ms));
  return glide.fromTick + (glide.toTick - glide.fromTick) * f;
}
