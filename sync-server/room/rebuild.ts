/**
 * Rebuilding past states from a room log, and the restore edit (Yjs revert recipe).
 */
import * as Y from 'yjs';
import { EDIT_CHANNEL, EDIT_LABEL_KEY, ROOT_TYPES } from '../../core/song/schema.ts';
import type { RoomLog } from '../store/room-log.ts';

/** Origin of the replayed "later" updates inside a revert; only these are undone. */
const LATER_EDITS = Symbol('later-edits');

/**
 * The document as it was right after entry `seq` (0 = before the first entry). Loads the newest
 * snapshot at or before `seq` and applies the entries after it as one merged update.
 */
export function rebuildAt(log: RoomLog, seq: number, options: { gc?: boolean } = {}): Y.Doc {
  if (!Number.isInteger(seq) || seq < 0 || seq > log.lastSeq) {
    throw new RangeError(`seq must be an integer from 0 to ${log.lastSeq}, got ${seq}`);
  }
  const doc = new Y.Doc({ gc: options.gc ?? true });
  const snapshot = seq > 0 ? log.snapshotAtOrBefore(seq) : null;
  const updates: Uint8Array[] = snapshot ? [snapshot.state] : [];
  for (const entry of log.entries(snapshot?.seq ?? 0, seq)) updates.push(entry.update);
  // One merged update integrates in a single transaction: much faster than one per entry.
  if (updates.length) Y.applyUpdate(doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates));
  return doc;
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
  const past = rebuildAt(log, seq, { gc: false });
  const scope = ROOT_TYPES.map((name) => past.getMap(name));
  const undo = new Y.UndoManager(scope, { trackedOrigins: new Set([LATER_EDITS]), captureTimeout: Number.POSITIVE_INFINITY });
  const later: Uint8Array[] = [];
  for (const entry of log.entries(seq)) later.push(entry.update);
  if (later.length) Y.applyUpdate(past, Y.mergeUpdates(later), LATER_EDITS);
  let revert: Uint8Array = new Uint8Array([0, 0]); // an empty update: nothing changed since `seq`
  const capture = (update: Uint8Array) => {
    revert = update;
  };
  past.on('update', capture);
  undo.undo();
  past.off('update', capture);
  undo.destroy();
  past.destroy();
  return revert;
}

/** Reads the label a transaction wrote into the edit channel, if it wrote one. */
export function labelWritten(doc: Y.Doc, transaction: Y.Transaction): string | null {
  const channel = doc.getMap(EDIT_CHANNEL);
  if (!transaction.changed.has(channel as unknown as Y.AbstractType<Y.YEvent<any>>)) return null;
  const label = channel.get(EDIT_LABEL_KEY);
  return typeof label === 'string' ? label.slice(0, 200) : null;
}
