/**
 * The teacher's rules on the document path, for the edits judged one by one (core/jam/
 * student-rules.ts: 'own-track', and tempo, meter and loop under a locked transport). A student's
 * update is applied and, when the rules refuse what it changed (another's or nobody's track, the
 * song's meta, chords or sections, the transport's fields), reverted at once by the server, for
 * everyone. Applied-then-reverted rather than refused: the page's guard also applies an edit
 * before it takes it back, so its update and its own undo both arrive here, and a refusal would
 * keep an honest client's next sync (which carries both) refused for ever. Both the revert and the
 * page's undo restore the same values under the same map keys (tracks, clips, notes, chords and
 * sections are keyed maps; meta one value per key), so the two converge to one copy.
 * ('live-only' refuses a student's writes outright: room.ts.)
 */
import * as Y from 'yjs';
import type { RoomRules } from '../../core/jam/contract.ts';
import { editRefusal, type EditRefusal } from '../../core/jam/student-rules.ts';
import { ROOT_TYPES } from '../../core/song/schema.ts';
import { SongStore } from '../../core/song/song-store.ts';
import type { TokenClaims } from '../contract.ts';

/** The revert's transaction origin: who and what the room's log records for it. */
export class RulesRevert extends Y.UndoManager {
  readonly author = 'server';
  /** Set, with the rule's reason, before it undoes anything. */
  label = 'reverted an edit';

  constructor(doc: Y.Doc, origin: unknown) {
    super(
      ROOT_TYPES.map((name) => doc.getMap(name)),
      { trackedOrigins: new Set([origin]), captureTimeout: 0 },
    );
  }
}

/**
 * The song as the guard compares it: a SongStore kept on the room's document, read again only
 * where updates changed it (a song of thousands of notes costs a student's edit of one clip what
 * that clip costs). Flushed by hand: its scheduler never fires.
 */
export function guardSnapshots(doc: Y.Doc, onReadError?: (error: unknown) => void): SongStore {
  return new SongStore(doc, () => () => {}, onReadError);
}

/**
 * Applies `update` from `student` (origin `origin`) under `rules`; reverts it when the rules
 * refuse what it changed. Returns the refusal (null: the update stands).
 */
export function applyUnderRules(
  doc: Y.Doc,
  songs: SongStore,
  update: Uint8Array,
  origin: unknown,
  student: Pick<TokenClaims, 'id' | 'name' | 'role'>,
  rules: RoomRules,
): EditRefusal | null {
  const before = songs.current();
  const revert = new RulesRevert(doc, origin);
  try {
    Y.applyUpdate(doc, update, origin);
    const refused = editRefusal(rules, student.role, before, songs.current(), student.id);
    if (refused) {
      revert.label = `reverted ${student.name}'s edit: ${refused.reason}`;
      revert.undo();
    }
    return refused;
  } finally {
    revert.destroy();
  }
}
