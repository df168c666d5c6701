/**
 * The library's filters and text search, as one pure predicate every store applies (a store may
 * narrow first with its own index; the answer is always what matchesQuery says).
 */
import { keyLabel } from './describe-clip.ts';
import type { LibraryClip, LibraryQuery } from './types.ts';

/** Whether a clip was written by the AI bandmate. */
export const isAiClip = (clip: LibraryClip): boolean => clip.provenance.source === 'model';

/** The words text search looks in, lower-case. */
export function searchableText(clip: LibraryClip): string {
  return [
    clip.name,
    clip.role,
    clip.style,
    clip.provenance.author,
    clip.provenance.sourceSong,
    clip.provenance.model?.id ?? '',
    clip.savedBy,
    clip.metadata.key ? keyLabel(clip.metadata.key.value) : '',
    ...clip.tags,
    ...clip.metadata.moods.map((m) => m.value),
  ]
    .join(' ')
    .toLowerCase();
}

export function matchesQuery(clip: LibraryClip, query: LibraryQuery = {}): boolean {
  if (query.role && clip.role !== query.role) return false;
  if (query.style && query.style !== 'any' && clip.style !== query.style) return false;
  if (query.key) {
    const key = clip.metadata.key?.value;
    if (!key || key.tonic !== query.key.tonic || key.mode !== query.key.mode) return false;
  }
  if (query.tempo) {
    const bpm = clip.metadata.tempo.value;
    if (bpm < query.tempo.min || bpm > query.tempo.max) return false;
  }
  if (query.energy !== undefined && clip.metadata.energy.value !== query.energy) return false;
  if (query.mood && !clip.metadata.moods.some((m) => m.value === query.mood) && !clip.tags.includes(query.mood)) return false;
  if (query.author) {
    const wanted = query.author.toLowerCase();
    if (clip.provenance.author.toLowerCase() !== wanted && clip.savedBy.toLowerCase() !== wanted) return false;
  }
  if (query.origin && (query.origin === 'ai') !== isAiClip(clip)) return false;
  if (query.text) {
    const haystack = searchableText(clip);
    for (const word of query.text.toLowerCase().split(/\s+/).filter(Boolean)) if (!haystack.includes(word)) return false;
  }
  return true;
}

/** Newest first (ties: by id, so every store lists alike). */
export function byNewest(a: LibraryClip, b: LibraryClip): number {
  return a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function filterClips(clips: Iterable<LibraryClip>, query?: LibraryQuery): LibraryClip[] {
  return [...clips].filter((c) => matchesQuery(c, query)).sort(byNewest);
}
