/**
 * The teacher's rules in the editing UI (core/jam/student-rules.ts decides, the same rule as the
 * server's): under 'live-only' a student's editing UI is read-only (live playing still works);
 * under 'own-track' an edit that touches a track not theirs (by identity id, core/jam/
 * own-track.ts) or the song's meta, chords or sections, and under a locked transport an edit of
 * the tempo, meter or loop, is taken back at once, with a message. Recorded takes go through the
 * same guard (take-recorder.ts), and the Record button says why it cannot record (recordRefusal).
 * The server enforces all of it as well (a client without this guard gets its writes refused or
 * reverted). The room owner is never limited.
 */
import type { RoomRules } from '../../core/jam/contract.ts';
import { ownsTrack } from '../../core/jam/own-track.ts';
import { editRefusal, type EditRefusal } from '../../core/jam/student-rules.ts';
import type { EditAuthor } from '../../core/song/edits.ts';
import type { Song, Track } from '../../core/song/types.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';

export type JamRole = 'owner' | 'editor' | 'viewer';

export const LIVE_ONLY_MESSAGE = 'The room owner set "play live only": you can play live, not edit.';

/** Is the whole editing UI read-only under these rules? */
export function editingLocked(rules: Pick<RoomRules, 'students'>, role: JamRole | null): boolean {
  return role !== 'owner' && rules.students === 'live-only';
}

/** What the user is told when an edit was taken back. */
export function refusalMessage(refusal: EditRefusal): string {
  if (refusal.rule === 'transport-locked')
    return 'The transport is locked by the room owner: tempo, meter and loop are theirs to change. That edit was taken back.';
  if (!refusal.tracks.length)
    return "The room owner lets students edit only their own track (the song's tempo, key, chords and sections are the owner's): that edit was taken back.";
  return 'The room owner lets students edit only their own track: that edit was taken back.';
}

/**
 * Why this user cannot record a take into `track` now, or null when they can: never a viewer,
 * nobody but the owner under 'live-only', and only into their own track under 'own-track'.
 */
export function recordRefusal(
  rules: RoomRules,
  role: JamRole | null,
  track: Pick<Track, 'name' | 'ownerId'> | null,
  myId: string,
): string | null {
  if (role === 'viewer') return 'You joined as a viewer: you can listen, not record.';
  if (editingLocked(rules, role)) return 'The room owner set "play live only": you can play live, not record a take.';
  if (role !== 'owner' && rules.students === 'own-track' && track && !ownsTrack(track, myId)) {
    return `${track.name} is not your track: the room owner lets students record only into their own.`;
  }
  return null;
}

export interface GuardDeps {
  rules(): RoomRules;
  role(): JamRole | null;
  /** Who this user is: their identity id (what ownership compares) and display name. */
  me(): EditAuthor;
  /** The song as it is now (flushed). */
  song(): Song;
  /** Takes back this user's last edit. */
  undoLast(): void;
  /**
   * Names this user as the author of the edit about to run, so a track it adds is theirs
   * (core/song/edits.ts setEditAuthor on the room's document).
   */
  setAuthor(author: EditAuthor): void;
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
        notify(LIVE_ONLY_MESSAGE, 'error');
        return undefined;
      }
      const me = deps.me();
      deps.setAuthor(me);
      if (role === 'owner' || (rules.students !== 'own-track' && !rules.transportLocked)) return runner.run(edit);
      const before = deps.song();
      const result = runner.run(edit);
      const refused = editRefusal(rules, role ?? 'editor', before, deps.song(), me.id);
      if (refused) {
        deps.undoLast();
        notify(refusalMessage(refused), 'error');
        return undefined;
      }
      return result;
    },
  };
}
