/**
 * Keeps unchanged records of the previous Song snapshot by identity, so React.memo'd rows and
 * clips re-render only when their own data changed. readSong builds every object anew; this
 * puts back the old object wherever the new one is deep-equal.
 */
import type { Song } from './types.ts';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function shareList<T extends { id: string }>(prev: T[], next: T[]): T[] {
  const byId = new Map(prev.map((r) => [r.id, r]));
  let changed = prev.length !== next.length;
  const out = next.map((record, i) => {
    const old = byId.get(record.id);
    const kept = old && (old === record || sameJson(old, record)) ? old : record;
    if (kept !== prev[i]) changed = true;
    return kept;
  });
  return changed ? out : prev;
}

export function shareUnchanged(prev: Song | null, next: Song): Song {
  if (!prev) return next;
  const meta = sameJson(prev.meta, next.meta) ? prev.meta : next.meta;
  const tracks = shareList(prev.tracks, next.tracks);
  const clips = shareList(prev.clips, next.clips);
  const chords = shareList(prev.chords, next.chords);
  const bookmarks = shareList(prev.bookmarks, next.bookmarks);
  if (meta === prev.meta && tracks === prev.tracks && clips === prev.clips && chords === prev.chords && bookmarks === prev.bookmarks) {
    return prev;
  }
  return { meta, tracks, clips, chords, bookmarks };
}
