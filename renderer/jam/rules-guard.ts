/**
 * The teacher's rules in the editing UI: under 'live-only' a student's editing UI is read-only
 * (live playing still works); under 'own-track' an edit that touches a clip or track of a track
 * that is not theirs (core/jam/own-track.ts) is taken back at once, with a message. The server
 * enforces both itself as well (a client without this guard gets its writes refused or reverted).
 * The room owner is never limited.
 */
import type { RoomRules } from '../../core/jam/contract.ts';
import { tracksNotYours } from '../../core/jam/own-track.ts';
import type { Song } from '../../core/song/types.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';

export type JamRole = 'owner' | 'editor' | 'viewer';

/** Is the whole editing UI read-only under these rules? */
export function editingLocked(rules: Pick<RoomRules, 'students'>, role: JamRole | null): boolean {
  return role !== 'owner' && rules.students === 'live-only';
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
      const others = tracksNotYours(before, deps.song(), me);
      if (others.length) {
        deps.undoLast();
        notify('The room owner lets students edit only their own track: that edit was taken back.', 'error');
        return undefined;
      }
      return result;
    },
  };
}
