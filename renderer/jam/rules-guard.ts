/**
 * The teacher's rules in the editing UI (client-side; the server enforces 'live-only' itself):
 * under 'live-only' a student's editing UI is read-only (live playing still works); under
 * 'own-track' an edit that touches a clip or track of a track that is not theirs is refused (taken
 * back at once, with a message). A student's own tracks: those whose `owner` (core/song) is their
 * name: the tracks they add (the edit's author owns a new track) and those the room owner gave
 * them (setTrackOwner). Unowned tracks are nobody's: no student edits them. Only the room owner
 * changes who owns a track. The room owner is never limited.
 */
import type { RoomRules } from '../../core/jam/contract.ts';
import type { Clip, Song, Track } from '../../core/song/types.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';

export type JamRole = 'owner' | 'editor' | 'viewer';

/** Is the whole editing UI read-only under these rules? */
export function editingLocked(rules: Pick<RoomRules, 'students'>, role: JamRole | null): boolean {
  return role !== 'owner' && rules.students === 'live-only';
}

const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Is this track `myName`'s (its owner is them)? Unowned tracks are nobody's. */
export function ownsTrack(track: Pick<Track, 'owner'>, myName: string): boolean {
  return !!track.owner && !!myName.trim() && sameName(track.owner, myName);
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

export interface GuardDeps {
  rules(): RoomRules;
  role(): JamRole | null;
  myName(): string;
  /** The song as it is now (flushed). */
  song(): Song;
  /** Takes back this user's last edit. */
  undoLast(): void;
  /**
   * Names this user as the author of the edit about to run, so a track it adds is theirs
   * (core/song/edits.ts setEditAuthor on the room's document).
   */
  setAuthor(name: string): void;
}

/** The EditRunner with the room's rules applied around it. */
export function guardEdits(runner: EditRunner, deps: GuardDeps, notify: Notify): EditRunner {
  const locked = editingLocked(deps.rules(), deps.role());
  return {
    readOnly: runner.readOnly || locked,
    run<T>(edit: () => T): T | undefined {
      const rules = deps.rules();
      const role = deps.role();
      if (editingLocked(rules, role)) {
        notify('The room owner set "play live only": you can play live, not edit.', 'error');
        return undefined;
      }
      const me = deps.myName();
      deps.setAuthor(me);
      if (role === 'owner' || rules.students !== 'own-track') return runner.run(edit);
      const before = deps.song();
      const result = runner.run(edit);
      const after = deps.song();
      const others = [...touchedTracks(before, after)].filter((id) => {
        const old = before.tracks.find((t) => t.id === id);
        const now = after.tracks.find((t) => t.id === id);
        if (!old && !now) return false; // a clip of a track that is gone
        // A track this user just added is theirs (they are the edit's author).
        if (!old) return !ownsTrack(now!, me);
        // Whose it was before the edit decides; and only the room owner gives tracks away.
        if (now && (now.owner ?? null) !== (old.owner ?? null)) return true;
        return !ownsTrack(old, me);
      });
      if (others.length) {
        deps.undoLast();
        notify('The room owner lets students edit only their own track: that edit was taken back.', 'error');
        return undefined;
      }
      return result;
    },
  };
}
