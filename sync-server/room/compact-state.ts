/**
 * Compact snapshots for fast history rebuilds.
 *
 * A Yjs document keeps one tombstone per overwritten or deleted map entry (every note drag,
 * every velocity change), so after 100,000 edits a song of 3,000 notes holds ~170,000 structs
 * and takes ~200 ms to decode. For rebuilding *past states* those map tombstones only matter
 * when a later update names one of them as its origin, which happens only for concurrent
 * edits of the same entry (flagged in the log at append time, see `refersToDeleted`). So a
 * compact snapshot writes every deleted map entry as a GC range and writes live map entries
 * without an origin (their parent and key instead): a few thousand structs, decoded in a few ms.
 *
 * A compact state is for rebuilding history only. The live room document is never loaded from
 * one, because a peer's old offline edit could name a compacted tombstone and be dropped.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';

type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** True for structs a compact snapshot replaces by GC: deleted map entries and existing GC. */
function isCompacted(struct: Y.Item | Y.GC): boolean {
  return struct instanceof Y.GC || (struct.deleted && struct.parentSub !== null);
}

function structAt(doc: Y.Doc, id: Y.ID): Y.Item | Y.GC | null {
  const structs = doc.store.clients.get(id.client) as (Y.Item | Y.GC)[] | undefined;
  if (!structs?.length) return null;
  const last = structs[structs.length - 1]!;
  if (id.clock >= last.id.clock + last.length) return null;
  return structs[Y.findIndexSS(structs, id.clock)]!;
}

/** Encodes `doc` (Yjs update format v1) with map tombstones compacted. */
export function encodeCompactState(doc: Y.Doc): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  const clients = [...doc.store.clients.entries()].sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(encoder.restEncoder, clients.length);
  for (const [client, structs] of clients as [number, (Y.Item | Y.GC)[]][]) {
    // First pass: how many structs we will write (runs of compacted structs become one GC).
    let count = 0;
    let inRun = false;
    for (const s of structs) {
      const compacted = isCompacted(s);
      if (!compacted || !inRun) count++;
      inRun = compacted;
    }
    encoding.writeVarUint(encoder.restEncoder, count);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, structs[0]!.id.clock);
    let run = 0;
    const flush = () => {
      if (run === 0) return;
      encoder.writeInfo(0); // GC struct
      encoder.writeLen(run);
      run = 0;
    };
    for (const s of structs) {
      if (isCompacted(s)) {
        run += s.length;
        continue;
      }
      flush();
      const item = s as Y.Item;
      const origin = item.origin;
      // A live map entry's origin is the entry it overwrote, now compacted: name its parent instead.
      const dropOrigin = item.parentSub !== null && origin !== null && isCompactedAt(doc, origin);
      if (dropOrigin) item.origin = null;
      try {
        item.write(encoder, 0);
      } finally {
        item.origin = origin;
      }
    }
    flush();
  }
  writeDeleteSet(encoder, Y.createDeleteSetFromStructStore(doc.store));
  return encoder.toUint8Array();
}

function isCompactedAt(doc: Y.Doc, id: Y.ID): boolean {
  const struct = structAt(doc, id);
  return struct !== null && isCompacted(struct);
}

function writeDeleteSet(encoder: Y.UpdateEncoderV1, ds: DeleteSet): void {
  const clients = [...ds.clients.entries()].sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(encoder.restEncoder, clients.length);
  for (const [client, ranges] of clients) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, ranges.length);
    for (const range of ranges) {
      encoder.writeDsClock(range.clock);
      encoder.writeDsLen(range.len);
    }
  }
}

/**
 * True when an item this transaction added has an origin or right origin that was deleted
 * before the transaction: a concurrent edit that a compact snapshot cannot replay, so rebuilds
 * across it take a slower, exact path. Reads the integrated structs, so the update is not
 * decoded a second time on the server's hot path.
 */
export function refersToDeleted(doc: Y.Doc, transaction: Y.Transaction): boolean {
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    const structs = doc.store.clients.get(client) as (Y.Item | Y.GC)[];
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const struct = structs[i]!;
      if (!(struct instanceof Y.Item)) continue;
      for (const id of [struct.origin, struct.rightOrigin]) {
        if (id === null) continue;
        const target = structAt(doc, id);
        if (target?.deleted && !deletedIn(transaction.deleteSet, id)) return true;
      }
    }
  }
  return false;
}

function deletedIn(ds: DeleteSet, id: Y.ID): boolean {
  const ranges = ds.clients.get(id.client);
  return !!ranges?.some((r) => r.clock <= id.clock && id.clock < r.clock + r.len);
}

/** True when an item of `update` names an origin that is a GC struct in `doc` (before applying it). */
export function refersToCollected(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    for (const id of [struct.origin, struct.rightOrigin]) {
      if (id !== null && structAt(doc, id) instanceof Y.GC) return true;
    }
  }
  return false;
}
