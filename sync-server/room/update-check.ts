/**
 * Checks on incoming Yjs updates before they touch a room's document.
 */
import * as Y from 'yjs';

export class BadUpdateError extends Error {
  override name = 'BadUpdateError';
}

/**
 * Decodes the whole update without applying it, so garbage is refused before it can leave a
 * document half-integrated; answers the decoded structs and deletes (the pending guard reads
 * them). Throws BadUpdateError.
 */
export function assertDecodable(update: Uint8Array): ReturnType<typeof Y.decodeUpdate> {
  try {
    return Y.decodeUpdate(update);
  } catch (err) {
    throw new BadUpdateError(`not a Yjs update: ${(err as Error).message}`);
  }
}

/**
 * True when applying `update` would change `doc`: it holds structs the document lacks, or deletes
 * something the document has not deleted. A viewer's sync reply that only repeats what the server
 * already has is not a write.
 */
export function wouldChange(doc: Y.Doc, update: Uint8Array): boolean {
  const { to } = Y.parseUpdateMeta(update);
  const have = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (const [client, clock] of to) if (clock > (have.get(client) ?? 0)) return true;
  const { ds } = Y.decodeUpdate(update);
  if (ds.clients.size === 0) return false;
  const deleted = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    const known = have.get(client) ?? 0;
    // The server's deleted ranges per client are sorted and merged, so one range must cover each.
    const ours = deleted.clients.get(client) ?? [];
    for (const range of ranges) {
      if (range.clock + range.len > known) return true;
      const covered = ours.some((r) => r.clock <= range.clock && range.clock + range.len <= r.clock + r.len);
      if (!covered) return true;
    }
  }
  return false;
}
