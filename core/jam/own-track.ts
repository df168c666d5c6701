/**
 * Teacher mode's 'own-track' rule for tracks and clips, the same decision in the page
 * (renderer/jam/rules-guard.ts, which takes a refused edit back at once with a message) and on the
 * server (sync-server/room/rules-guard.ts, which reverts what a client without that guard sends);
 * core/jam/student-rules.ts adds the song-wide parts (meta, chords, sections). A student's own
 * tracks are those whose `ownerId` (core/song/types.ts) is their identity id (their token's `id`):
 * the tracks they add (the edit's author owns a new track) and those the room owner gave them.
 * Ids, never names: every invitee of one invite may carry the same name. Unowned tracks, and
 * tracks of older documents that name an owner without an id, are nobody's: no student edits
 * them. Only the room owner changes who owns a track.
 */
import type { Clip, Song, Track } from '../song/types.ts';

/** Is this track the identity `myId`'s (its ownerId is theirs)? Unowned tracks are nobody's. */
export function ownsTrack(track: Pick<Track, 'ownerId'>, myId: string): boolean {
  return !!track.ownerId && !!myId && track.ownerId === myId;
}

/**
 * The tracks an edit touched, from the song before and after it (snapshots keep unchanged records
 * by identity): tracks changed, added or removed, and the tracks of clips changed, added or removed
 * (both the old and the new track of a moved clip).
 */
export function touchedTracks(before: Song, after: Song): Set<string> {
  const touched = new Set<string>();
  const diff = <T extends { id: string }>(a: readonly T[], b: readonly T[], tracksOf: (r: T) => string[]): void => {
    const byId = new Map(a.map((r) => [r.id, r]));
    for (const r of b) {
      const old = byId.get(r.id);
      byId.delete(r.id);
      if (old === r) continue;
      if (old && JSON.stringify(old) === JSON.stringify(r)) continue;
      for (const t of [...tracksOf(r), ...(old ? tracksOf(old) : [])]) touched.add(t);
    }
    for (const r of byId.values()) for (const t of tracksOf(r)) touched.add(t);
  };
  diff<Track>(before.tracks, after.tracks, (t) => [t.id]);
  diff<Clip>(before.clips, after.clips, (c) => [c.trackId]);
  return touched;
}

/**
 * The tracks an edit by identity `myId` touched that were not theirs to touch: another's or
 * nobody's, a new track they do not own, or a change of owner (only the room owner gives tracks).
 */
export function tracksNotYours(before: Song, after: Song, myId: string): string[] {
  return [...touchedTracks(before, after)].filter((id) => {
    const old = before.tracks.find((t) => t.id === id);
    const now = after.tracks.find((t) => t.id === id);
    if (!old && !now) return false; // a clip of a track that is gone
    // A track this user just added is theirs (they are the edit's author).
    if (!old) return !ownsTrack(now!, myId);
    // Whose it was before the edit decides; and only the room owner gives tracks away.
    if (now && ((now.ownerId ?? null) !== (old.ownerId ?? null) || (now.owner ?? null) !== (old.owner ?? null))) return true;
    return !ownsTrack(old, myId);
  });
}
