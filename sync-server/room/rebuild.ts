/**
 * Rebuilding past states from a room log, and the restore edit (Yjs revert recipe).
 */
import * as Y from 'yjs';
import { ROOT_TYPES } from '../../core/song/schema.ts';
import type { RoomLog } from '../store/room-log.ts';
import { refersToCollected } from './compact-state.ts';

/** Origin of the replayed "later" updates inside a revert; only these are undone. */
const LATER_EDITS = Symbol('later-edits');

/** Thrown inside a replay when a compact snapshot cannot carry an entry (see compact-state.ts). */
class NeedsOlderSnapshot extends Error {}

/**
 * The document as it was right after entry `seq` (0 = before the first entry): the newest
 * compact snapshot at or before `seq`, then the entries after it in one transaction. An entry
 * flagged concurrent that names a compacted tombstone sends us to the snapshot before, and in
 * the end to a replay from the first entry, which is always exact.
 */
export function rebuildAt(log: RoomLog, seq: number, options: { gc?: boolean } = {}): Y.Doc {
  return fromNearestSnapshot(log, seq, options.gc ?? true, (doc) => doc);
}

/**
 * Runs `use` on a document rebuilt at `seq`, starting from the newest usable compact snapshot.
 * `use` may replay further entries with `replay(..., fromCompact)`; if any of them cannot be
 * carried by the snapshot, everything restarts from the snapshot before.
 */
function fromNearestSnapshot<T>(log: RoomLog, seq: number, gc: boolean, use: (doc: Y.Doc, fromCompact: boolean) => T): T {
  if (!Number.isInteger(seq) || seq < 0 || seq > log.lastSeq) {
    throw new RangeError(`seq must be an integer from 0 to ${log.lastSeq}, got ${seq}`);
  }
  const starts = seq > 0 ? [...log.snapshotSeqsAtOrBefore(seq), 0] : [0];
  for (const start of starts) {
    const doc = new Y.Doc({ gc });
    try {
      if (start > 0) Y.applyUpdate(doc, log.snapshotAt(start)!.state);
      replay(doc, log, start, seq, start > 0, null);
      return use(doc, start > 0);
    } catch (err) {
      doc.destroy();
      if (!(err instanceof NeedsOlderSnapshot)) throw err;
    }
  }
  throw new Error('unreachable: a replay from the first entry needs no snapshot');
}

/** Applies entries (after, upTo] to `doc` in one transaction (much faster than one each). */
function replay(doc: Y.Doc, log: RoomLog, after: number, upTo: number, fromCompact: boolean, origin: unknown): void {
  doc.transact(() => {
    for (const entry of log.updates(after, upTo)) {
      if (fromCompact && entry.concurrent && refersToCollected(doc, entry.update)) throw new NeedsOlderSnapshot();
      Y.applyUpdate(doc, entry.update);
    }
  }, origin);
}

/** The state at `seq` as one Yjs update that a client can apply to an empty document. */
export function encodeStateAt(log: RoomLog, seq: number): Uint8Array {
  return Y.encodeStateAsUpdate(rebuildAt(log, seq));
}

/**
 * The forward edit that turns the document at `log.lastSeq` back into the document at `seq`:
 * rebuild the past (keeping deleted content), replay everything after it as one tracked
 * transaction, undo that transaction, and keep only what the undo wrote. Applied to the live
 * document, peers converge without reloading and nothing later is lost from the log.
 */
export function revertTo(log: RoomLog, seq: number): Uint8Array {
  return fromNearestSnapshot(log, seq, false, (past, fromCompact) => {
    const scope = ROOT_TYPES.map((name) => past.getMap(name));
    const undo = new Y.UndoManager(scope, { trackedOrigins: new Set([LATER_EDITS]), captureTimeout: Number.POSITIVE_INFINITY });
    try {
      replay(past, log, seq, log.lastSeq, fromCompact, LATER_EDITS);
      let revert: Uint8Array = new Uint8Array([0, 0]); // an empty update: nothing changed since `seq`
      const capture = (update: Uint8Array) => {
        revert = update;
      };
      past.on('update', capture);
      undo.undo();
      past.off('update', capture);
      return revert;
    } finally {
      undo.destroy();
      past.destroy();
    }
  });
}
