/**
 * Rebuilding past states from a room log, and the edits made from them: the restore (Yjs revert
 * recipe) and the take-back of chosen entries (take-back.ts says which).
 */
import * as Y from 'yjs';
import { chordsMap, ROOT_TYPES } from '../../core/song/schema.ts';
import type { RoomLog } from '../store/room-log.ts';
import type { RoomStore } from '../store/room-store.ts';
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
  return fromNearestSnapshot(log, seq, false, (past, fromCompact) =>
    undoReplayed(past, LATER_EDITS, () => replay(past, log, seq, log.lastSeq, fromCompact, LATER_EDITS)),
  );
}

/** Origins of the entries a take-back replays: only TAKEN ones are undone. */
const TAKEN_EDITS = Symbol('taken-edits');
const KEPT_EDITS = Symbol('kept-edits');

/**
 * The forward edit that takes back the entries in `taken` (seqs after `since`) and keeps every
 * other entry: rebuild the document at `since` (keeping deleted content), replay each later entry
 * in its own transaction, tracking only the taken ones, and undo those. Yjs's undo never
 * overwrites a later change by an untracked entry, which gives the rule the history panel states:
 * what the taken-back source wrote is removed and what it deleted comes back, unless someone else
 * changed the same value later (their change stays); notes others put into a clip the source made
 * go with that clip. An empty update when nothing taken changed the song.
 */
export function revertEntries(log: RoomLog, since: number, taken: ReadonlySet<number>): Uint8Array {
  return fromNearestSnapshot(log, since, false, (past, fromCompact) =>
    undoReplayed(
      past,
      TAKEN_EDITS,
      () => {
        let seq = since;
        for (const entry of log.updates(since, log.lastSeq)) {
          seq++;
          if (fromCompact && entry.concurrent && refersToCollected(past, entry.update)) throw new NeedsOlderSnapshot();
          Y.applyUpdate(past, entry.update, taken.has(seq) ? TAKEN_EDITS : KEPT_EDITS);
        }
      },
      () => {
        const chordsBefore = new Set(chordsMap(past).keys());
        return () => dropRestoredChordsUnderKept(past, chordsBefore);
      },
    ),
  );
}

/**
 * The Yjs revert recipe, shared by restore and take-back: `replayLater` applies the later entries
 * to `past` (those to undo under the `tracked` origin); `fixUp`, when given, looks at the replayed
 * document and returns what to write right after the undo. What the undo and the fix-up write is
 * the forward edit (an empty update when they write nothing). `past` is destroyed afterwards.
 */
function undoReplayed(past: Y.Doc, tracked: symbol, replayLater: () => void, fixUp?: () => () => void): Uint8Array {
  const scope = ROOT_TYPES.map((name) => past.getMap(name));
  const undo = new Y.UndoManager(scope, { trackedOrigins: new Set([tracked]), captureTimeout: Number.POSITIVE_INFINITY });
  try {
    replayLater();
    const afterUndo = fixUp?.();
    const updates: Uint8Array[] = [];
    const capture = (update: Uint8Array) => updates.push(update);
    past.on('update', capture);
    undo.undo();
    afterUndo?.();
    past.off('update', capture);
    if (updates.length === 0) return new Uint8Array([0, 0]); // an empty update: nothing to undo
    return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
  } finally {
    undo.destroy();
    past.destroy();
  }
}

/**
 * A chord the take-back brought back where a chord someone else wrote later now lies (the later
 * one replaced a stretch of the lane the source had written): the later chord stays and the
 * restored one goes, so the lane never holds two chords at once. `before`: the chord ids before
 * the undo (every chord not among them was restored by it).
 */
function dropRestoredChordsUnderKept(doc: Y.Doc, before: ReadonlySet<string>): void {
  const chords = chordsMap(doc);
  const kept = [...chords.entries()].filter(([id]) => before.has(id)).map(([, c]) => c);
  const overlaps = (a: { tick: number; duration: number }, b: { tick: number; duration: number }) =>
    a.tick < b.tick + b.duration && b.tick < a.tick + a.duration;
  const drop = [...chords.entries()].filter(([id, c]) => !before.has(id) && kept.some((k) => overlaps(c, k))).map(([id]) => id);
  if (drop.length > 0) doc.transact(() => drop.forEach((id) => chords.delete(id)));
}

/** revertEntries from an async store: against its log's end when called. */
export async function revertEntriesFrom(store: RoomStore, since: number, taken: ReadonlySet<number>): Promise<Uint8Array> {
  const upTo = store.lastSeq;
  return withSource(store, since, upTo, (source) => revertEntries(source, since, taken));
}

/** An in-memory source asked for entries it did not read (a replay fell back to an older start). */
class NeedsMoreLog extends Error {}

/**
 * The same from an async store (PostgreSQL): what the newest start needs (its snapshot, the
 * updates after it up to `upTo`) is read into memory first, then replayed by the same code as
 * above. Should the replay fall back to an older snapshot (see NeedsOlderSnapshot), everything is
 * read again from the first entry.
 */
async function readSource(store: RoomStore, seq: number, upTo: number, fromStart: boolean): Promise<RoomLog> {
  if (!Number.isInteger(seq) || seq < 0 || seq > store.lastSeq) {
    throw new RangeError(`seq must be an integer from 0 to ${store.lastSeq}, got ${seq}`);
  }
  const all = seq > 0 ? await store.snapshotSeqsAtOrBefore(seq) : [];
  const starts = fromStart ? [] : all.slice(0, 1);
  const snapshots = new Map<number, { seq: number; state: Uint8Array }>();
  for (const start of starts) {
    const snapshot = await store.snapshotAt(start);
    if (snapshot) snapshots.set(start, { seq: start, state: snapshot.state });
  }
  const from = starts[0] ?? 0;
  const records: { seq: number; update: Uint8Array; concurrent: boolean }[] = [];
  let next = from + 1;
  for await (const record of store.updates(from, upTo)) records.push({ seq: next++, ...record });
  // Only what fromNearestSnapshot and replay read.
  const source = {
    lastSeq: upTo,
    snapshotSeqsAtOrBefore: (at: number) => starts.filter((start) => start <= at),
    snapshotAt: (at: number) => snapshots.get(at) ?? null,
    *updates(after: number, until = upTo) {
      if (after < from) throw new NeedsMoreLog();
      for (const record of records) if (record.seq > after && record.seq <= until) yield record;
    },
  };
  return source as unknown as RoomLog;
}

/** Runs `use` on a source read from the newest snapshot; once more from the first entry when that is not enough. */
async function withSource<T>(store: RoomStore, seq: number, upTo: number, use: (source: RoomLog) => T): Promise<T> {
  try {
    return use(await readSource(store, seq, upTo, false));
  } catch (err) {
    if (!(err instanceof NeedsMoreLog)) throw err;
    return use(await readSource(store, seq, upTo, true));
  }
}

/** rebuildAt from an async store. */
export async function rebuildAtFrom(store: RoomStore, seq: number, options: { gc?: boolean } = {}): Promise<Y.Doc> {
  return withSource(store, seq, seq, (source) => rebuildAt(source, seq, options));
}

/** encodeStateAt from an async store. */
export async function encodeStateAtFrom(store: RoomStore, seq: number): Promise<Uint8Array> {
  const doc = await rebuildAtFrom(store, seq);
  try {
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/** revertTo from an async store: against its log's end when called. */
export async function revertToFrom(store: RoomStore, seq: number): Promise<Uint8Array> {
  const upTo = store.lastSeq;
  return withSource(store, seq, upTo, (source) => revertTo(source, seq));
}
