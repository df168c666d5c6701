/**
 * Velocity: the colour a note is drawn in (soft notes cool and dim, hard notes hot and bright, so
 * accents read at a glance), the lane's pointer-to-velocity mapping, and a velocity drag as
 * patches. Pure.
 */
import type { Note } from '../../core/song/types.ts';

export const MIN_VELOCITY = 1;
export const MAX_VELOCITY = 127;
export const DEFAULT_VELOCITY = 100;

const clampVelocity = (v: number): number => Math.min(MAX_VELOCITY, Math.max(MIN_VELOCITY, Math.round(v)));

/** Blue (soft) through amber to red (hard). */
export function velocityColor(velocity: number): string {
  const v = clampVelocity(velocity) / MAX_VELOCITY;
  const hue = Math.round(210 - v * 205);
  const light = Math.round(48 + v * 14);
  return `hsl(${hue} 80% ${light}%)`;
}

/** A pointer at `y` in a lane `height` tall: the top is 127, the bottom 1. */
export function velocityFromY(y: number, height: number): number {
  return clampVelocity((1 - y / height) * MAX_VELOCITY);
}

export interface VelocityPatch {
  id: string;
  velocity: number;
}

/**
 * Dragging `anchor`'s bar to `velocity`: a selected anchor moves every selected note by the same
 * amount (each clamped to 1..127); an unselected one changes alone. Only changes are returned.
 */
export function velocityPatches(notes: readonly Note[], anchor: Note, velocity: number, selected: ReadonlySet<string>): VelocityPatch[] {
  const change = clampVelocity(velocity) - anchor.velocity;
  const group = selected.has(anchor.id) ? notes.filter((n) => selected.has(n.id)) : [anchor];
  return group.map((n) => ({ id: n.id, velocity: clampVelocity(n.velocity + change) })).filter((p, i) => p.velocity !== group[i]!.velocity);
}
