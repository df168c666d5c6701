/**
 * The training data's fingerprints (inference/originality/fingerprint.ts), for the index the model
 * ships with (build-originality-index.ts) and for the benchmark that measures what the check marks
 * (bench/originality.ts). Only training-split pieces go in the index: held-out songs are the
 * check's measure of false alarms on music the model never saw.
 */
import { CHECKED_ROLES, drumWindows, lineOf, lineWindows, type CheckedRole } from '../../inference/originality/fingerprint.ts';
import { roleIndex, type OriginalityIndex } from '../../inference/originality/index-file.ts';
import type { Piece } from './piece.ts';

export interface IndexParams {
  /** Window length per role: notes of a line, bars of drums. */
  sizes: Readonly<Record<CheckedRole, number>>;
  minPitches: number;
  /**
   * A window found in more songs than this is an idiom (a root-fifth-octave bass figure, a
   * broken chord), everyone's to play, and is left out: the index holds what is particular to a
   * song. Infinity keeps every window.
   */
  maxSongs: number;
}

/** The shipped index's: a window of one training song is particular to it; of two, an idiom. */
export const MAX_SONGS = 1;

/** The index of `pieces` (callers pass the training split). */
export function indexOf(pieces: readonly Piece[], params: IndexParams): OriginalityIndex {
  // Per role, fingerprint → the songs it occurs in (pieces of one song share a group), up to maxSongs + 1.
  const seen = Object.fromEntries(CHECKED_ROLES.map((role) => [role, new Map<number, Set<string>>()])) as Record<
    CheckedRole,
    Map<number, Set<string>>
  >;
  const add = (role: CheckedRole, w: number | null, song: string) => {
    if (w === null) return;
    let songs = seen[role].get(w);
    if (!songs) seen[role].set(w, (songs = new Set()));
    if (songs.size <= params.maxSongs) songs.add(song);
  };
  for (const piece of pieces) {
    for (const track of piece.tracks) {
      const role = track.role;
      const size = params.sizes[role];
      const windows =
        role === 'drums'
          ? drumWindows(track.notes, piece.meter, piece.lengthBars, size)
          : lineWindows(lineOf(track.notes, role), size, params.minPitches);
      for (const w of windows) add(role, w, piece.group);
    }
  }
  const roles = Object.fromEntries(
    CHECKED_ROLES.map((role) => [
      role,
      roleIndex(
        params.sizes[role],
        [...seen[role]].filter(([, songs]) => songs.size <= params.maxSongs).map(([w]) => w),
      ),
    ]),
  ) as OriginalityIndex['roles'];
  return { minPitches: params.minPitches, roles };
}
