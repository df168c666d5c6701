/**
 * y-websocket presence (awareness) messages as the presence attacker writes and reads them, byte
 * for byte as y-protocols/awareness does: message type 1, then a byte array holding a count and,
 * per entry, the client id, its clock and its state as JSON text ('null': removed). Written by
 * hand because the attacker claims client ids and clocks that no Awareness instance would, and
 * read header-first so that a 4 MiB state is skipped, never decoded.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MESSAGE_AWARENESS } from '../../sync-server/contract.ts';

export interface PresenceEntry {
  clientId: number;
  clock: number;
  /** The state as JSON text (or its UTF-8 bytes, encoded once for many messages); 'null' removes the client's presence. */
  json: string | Uint8Array;
}

export function encodePresenceMessage(entries: PresenceEntry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(update, e.clientId);
    encoding.writeVarUint(update, e.clock);
    if (typeof e.json === 'string') encoding.writeVarString(update, e.json);
    else encoding.writeVarUint8Array(update, e.json); // the same bytes: a length, then the text
  }
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

export interface SeenPresence {
  clientId: number;
  clock: number;
  /** The state when its JSON text is at most `maxJsonBytes` long; undefined when skipped. */
  state?: unknown;
}

/**
 * The entries of a presence message (none for any other message type, or when it holds more than
 * `maxEntries`). States longer than `maxJsonBytes` are skipped unread; a message that does not
 * parse gives what was read before.
 */
export function readPresenceMessage(message: Uint8Array, maxJsonBytes = 1024, maxEntries = 64): SeenPresence[] {
  const seen: SeenPresence[] = [];
  try {
    const outer = decoding.createDecoder(message);
    if (decoding.readVarUint(outer) !== MESSAGE_AWARENESS) return seen;
    const length = decoding.readVarUint(outer);
    const decoder = decoding.createDecoder(decoding.readUint8Array(outer, length));
    const count = decoding.readVarUint(decoder);
    if (count > maxEntries) return seen;
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const bytes = decoding.readVarUint(decoder);
      const text = decoding.readUint8Array(decoder, bytes);
      const entry: SeenPresence = { clientId, clock };
      if (bytes <= maxJsonBytes) entry.state = JSON.parse(Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'));
      seen.push(entry);
    }
  } catch {
    // A truncated or odd message: what was read so far is still worth knowing.
  }
  return seen;
}
