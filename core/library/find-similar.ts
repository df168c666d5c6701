/**
 * "More like this" over the two places a riff can be: the library and the open song. Features of
 * library clips are computed once per saved version of a clip (keyed by its id, save time and
 * notes, so a re-listed library — new objects, the same clips — costs nothing), those of the
 * song's clips on each ask (they change as bandmates edit).
 */
import type { Song } from '../song/types.ts';
import { clipFeatures, mostSimilar, type Candidate, type ClipFeatures } from './similarity.ts';
import type { LibraryClip } from './types.ts';

const cache = new Map<string, ClipFeatures>();
/** A library of 10,000 clips needs 10,000 entries; past this the cache starts again. */
const CACHE_LIMIT = 50_000;

const versionOf = (clip: LibraryClip): string =>
  `${clip.id}|${clip.savedAt}|${clip.lengthBars}|${clip.notes.length}|${clip.notes[0]?.pitch ?? ''}|${clip.notes.at(-1)?.tick ?? ''}`;

export function libraryClipFeatures(clip: LibraryClip): ClipFeatures {
  const version = versionOf(clip);
  let features = cache.get(version);
  if (!features) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    features = clipFeatures({
      notes: clip.notes,
      lengthBars: clip.lengthBars,
      meter: clip.meter,
      key: clip.metadata.key?.value ?? null,
      drums: clip.role === 'drums',
    });
    cache.set(version, features);
  }
  return features;
}

export function songClipFeatures(song: Song, clipId: string): ClipFeatures | null {
  const clip = song.clips.find((c) => c.id === clipId);
  const track = clip && song.tracks.find((t) => t.id === clip.trackId);
  if (!clip || !track) return null;
  return clipFeatures({
    notes: clip.notes,
    lengthBars: clip.lengthBars,
    meter: song.meta.meter,
    key: track.role === 'drums' ? null : song.meta.key,
    drums: track.role === 'drums',
  });
}

export type SimilarItem = { kind: 'library'; clip: LibraryClip } | { kind: 'song'; clipId: string; name: string; trackName: string };

export interface SimilarHit {
  item: SimilarItem;
  score: number;
  why: string;
}

export interface SimilarAnswer {
  library: SimilarHit[];
  song: SimilarHit[];
}

/** The clips most like `target` in the library and in the open song (leaving out `exclude`: the clip itself). */
export function findSimilar(
  target: ClipFeatures,
  where: { library: readonly LibraryClip[]; song: Song | null; exclude?: { libraryId?: string; clipId?: string } },
  limit = 10,
): SimilarAnswer {
  const library: Candidate<SimilarItem>[] = where.library
    .filter((c) => c.id !== where.exclude?.libraryId)
    .map((clip) => ({ item: { kind: 'library', clip }, features: libraryClipFeatures(clip) }));
  const song: Candidate<SimilarItem>[] = [];
  for (const clip of where.song?.clips ?? []) {
    if (clip.id === where.exclude?.clipId || !where.song) continue;
    const features = songClipFeatures(where.song, clip.id);
    const track = where.song.tracks.find((t) => t.id === clip.trackId);
    if (features && clip.notes.length)
      song.push({ item: { kind: 'song', clipId: clip.id, name: clip.name, trackName: track?.name ?? '' }, features });
  }
  return { library: mostSimilar(target, library, limit), song: mostSimilar(target, song, limit) };
}
