/**
 * Teacher mode's 'own-track' rule on the document path. A student's update is applied and, when
 * it touched a track that is not theirs (core/jam/own-track.ts, the page's own rule), reverted at
 * once by the server, for everyone. Applied-then-reverted rather than refused: the page's guard
 * also applies an edit before it takes it back, so its update and its own undo both arrive here,
 * and a refusal would keep an honest client's next sync (which carries both) refused for ever.
 * Both the revert and the page's undo restore the same values under the same map keys (tracks,
 * clips and notes are keyed maps), so the two converge to one copy.
 */
import * as Y from 'yjs';
import { tracksNotYours } from '../../core/jam/own-track.ts';
import { ROOT_TYPES } from '../../core/song/schema.ts';
import { SongStore } from '../../core/song/song-store.ts';

/** The revert's transaction origin: who and what the room's log records for it. */
export class OwnTrackRevert extends Y.UndoManager {
  readonly author = 'server';
  readonly label: string;

  constructor(doc: Y.Doc, origin: unknown, student: string) {
    super(ROOT_TYPES.map((name) => doc.getMap(name)), { trackedOrigins: new Set([origin]), captureTimeout: 0 });
    this.label = `reverted ${student}'s edit: students edit only their own tracks`;
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
 * Applies `update` from `student` (origin `origin`); reverts it when it touched tracks that are not
 * theirs. Returns those tracks (empty: the update stands).
 */
export function applyOwnTrackOnly(doc: Y.Doc, songs: SongStore, update: Uint8Array, origin: unknown, student: string): string[] {
  songs.flush();
  const before = songs.getSnapshot();
  const revert = new OwnTrackRevert(doc, origin, student);
  try {
    Y.applyUpdate(doc, update, origin);
    songs.flush();
    const refused = tracksNotYours(before, songs.getSnapshot(), student);
    if (refused.length) revert.undo();
    return refused;
  } finally {
    revert.destroy();
  }
}
