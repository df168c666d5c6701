/** Bars, pixels and placement rules of the arrangement grid. Pure. */
import type { Clip } from '../../../core/song/types.ts';
import { MAX_BARS } from '../../../core/song/validate.ts';

export const ROW_PX = 56;
export const RULER_PX = 24;
export const CHORD_LANE_PX = 28;
/** Room for the name, role, owner, MIDI out and buttons above; instrument, volume and pan below. */
export const HEADER_PX = 296;
export const MIN_BAR_PX = 16;
export const MAX_BAR_PX = 200;
export const DEFAULT_BAR_PX = 56;
export const NEW_CLIP_BARS = 4;

/** Bars drawn: everything in the song plus room to grow, at least 32. */
export function barsShown(clips: Pick<Clip, 'startBar' | 'lengthBars'>[], loopEnd: number | null, chordEndBar: number): number {
  let end = Math.max(loopEnd ?? 0, chordEndBar);
  for (const c of clips) end = Math.max(end, c.startBar + c.lengthBars);
  return Math.min(MAX_BARS, Math.max(32, Math.ceil((end + 8) / 4) * 4));
}

/** Where a double-click at `bar` puts a new clip: up to NEW_CLIP_BARS, stopping at the next clip. */
export function newClipPlacement(
  bar: number,
  clipsOnTrack: Pick<Clip, 'startBar' | 'lengthBars'>[],
): { startBar: number; lengthBars: number } {
  const startBar = Math.max(0, Math.min(MAX_BARS - 1, Math.floor(bar)));
  let limit = Math.min(MAX_BARS, startBar + NEW_CLIP_BARS);
  for (const c of clipsOnTrack) {
    if (c.startBar > startBar) limit = Math.min(limit, c.startBar);
  }
  return { startBar, lengthBars: Math.max(1, limit - startBar) };
}

export function zoomed(barPx: number, direction: 1 | -1): number {
  const next = direction > 0 ? barPx * 1.25 : barPx / 1.25;
  return Math.round(Math.min(MAX_BAR_PX, Math.max(MIN_BAR_PX, next)));
}
