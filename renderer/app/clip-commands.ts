/**
 * Keyboard commands on the selected clip, over the song snapshot and core's typed edits. Pure
 * apart from the edit itself, so they are tested under Node.
 */
import type * as Y from 'yjs';
import { deleteClip, duplicateClip, moveClip, setLoop } from '../../core/song/edits.ts';
import type { Clip, Song } from '../../core/song/types.ts';
import { MAX_BARS } from '../../core/song/validate.ts';

export type Direction = 'left' | 'right' | 'up' | 'down';

function trackIndexOf(song: Song, clip: Clip): number {
  return song.tracks.findIndex((t) => t.id === clip.trackId);
}

/** Moves the clip a bar left/right or to the track above/below; false when it cannot move. */
export function nudgeClip(doc: Y.Doc, song: Song, clipId: string, direction: Direction): boolean {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) return false;
  if (direction === 'left' || direction === 'right') {
    const startBar = clip.startBar + (direction === 'left' ? -1 : 1);
    if (startBar < 0 || startBar + clip.lengthBars > MAX_BARS) return false;
    moveClip(doc, clipId, { startBar });
    return true;
  }
  const target = song.tracks[trackIndexOf(song, clip) + (direction === 'up' ? -1 : 1)];
  if (!target) return false;
  moveClip(doc, clipId, { startBar: clip.startBar, trackId: target.id });
  return true;
}

/** Copies the clip right after itself on its track; returns the copy's id. */
export function duplicateAfter(doc: Y.Doc, song: Song, clipId: string): string | null {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) return null;
  return duplicateClip(doc, clipId, { startBar: clip.startBar + clip.lengthBars });
}

export function deleteSelected(doc: Y.Doc, song: Song, clipId: string): boolean {
  if (!song.clips.some((c) => c.id === clipId)) return false;
  deleteClip(doc, clipId);
  return true;
}

/** Loops the clip's bars; when the loop is already exactly that, clears it. */
export function toggleLoopOnClip(doc: Y.Doc, song: Song, clipId: string | null): void {
  const clip = clipId ? song.clips.find((c) => c.id === clipId) : undefined;
  if (!clip) {
    if (song.meta.loop) setLoop(doc, null);
    return;
  }
  const loop = { startBar: clip.startBar, endBar: clip.startBar + clip.lengthBars };
  const same = song.meta.loop?.startBar === loop.startBar && song.meta.loop.endBar === loop.endBar;
  setLoop(doc, same ? null : loop);
}

/**
 * The clip to select next from `clipId` in a direction: left/right = the previous/next clip on
 * the same track; up/down = the clip on the track above/below nearest in time. With nothing
 * selected, the first clip.
 */
export function neighbourClip(song: Song, clipId: string | null, direction: Direction): string | null {
  const current = clipId ? song.clips.find((c) => c.id === clipId) : undefined;
  if (!current) return song.clips[0]?.id ?? null;
  if (direction === 'left' || direction === 'right') {
    const onTrack = song.clips.filter((c) => c.trackId === current.trackId);
    const i = onTrack.findIndex((c) => c.id === current.id);
    return onTrack[i + (direction === 'left' ? -1 : 1)]?.id ?? current.id;
  }
  const step = direction === 'up' ? -1 : 1;
  for (let t = trackIndexOf(song, current) + step; t >= 0 && t < song.tracks.length; t += step) {
    const onTrack = song.clips.filter((c) => c.trackId === song.tracks[t]!.id);
    if (!onTrack.length) continue;
    const centre = current.startBar + current.lengthBars / 2;
    const nearest = onTrack.reduce((best, c) =>
      Math.abs(c.startBar + c.lengthBars / 2 - centre) < Math.abs(best.startBar + best.lengthBars / 2 - centre) ? c : best,
    );
    return nearest.id;
  }
  return current.id;
}
