/**
 * What "Export WAV" can render: the whole song (bar 1 to the end of its last clip) or the loop
 * range. Pure, so the dialog and the tests agree on the bars.
 */
import type { Song } from '../../core/song/types.ts';

export interface BarRange {
  fromBar: number;
  /** Exclusive. */
  toBar: number;
}

/** The whole song: from bar 1 to the end of its last clip; null when it has no clips. */
export function wholeSongRange(song: Song): BarRange | null {
  let end = 0;
  for (const c of song.clips) end = Math.max(end, c.startBar + c.lengthBars);
  return end > 0 ? { fromBar: 0, toBar: end } : null;
}

export function loopRange(song: Song): BarRange | null {
  const loop = song.meta.loop;
  return loop && loop.endBar > loop.startBar ? { fromBar: loop.startBar, toBar: loop.endBar } : null;
}

/** Seconds of audio a range renders (before the tail), at the song's tempo and meter. */
export function rangeSeconds(song: Song, range: BarRange): number {
  const quartersPerBar = (song.meta.meter.numerator * 4) / song.meta.meter.denominator;
  return ((range.toBar - range.fromBar) * quartersPerBar * 60) / song.meta.bpm;
}

export function describeRange(range: BarRange): string {
  return range.toBar - range.fromBar === 1 ? `bar ${range.fromBar + 1}` : `bars ${range.fromBar + 1}–${range.toBar}`;
}
