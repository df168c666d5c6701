/**
 * The y-protocols awareness (presence) update, read without trusting it: a varuint count, then
 * per entry a varuint client id, a varuint clock and the state as a varuint-length UTF-8 JSON
 * string ('null' removes the client). Counts and sizes are checked before anything is decoded
 * or parsed, and states stay raw bytes until someone needs them: the server forwards the very
 * bytes it checked, so it never re-serializes what a peer sent.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { CLOSE } from '../contract.ts';
import { PeerError } from './peer-error.ts';

/** A presence message refused as a whole: like any PeerError, its sender is closed with this code and reason. */
export class PresenceRefused extends PeerError {
  override name = 'PresenceRefused';
}

export interface PresenceEntry {
  clientId: number;
  clock: number;
  /** The state's JSON text as UTF-8: a view into the message it came in (copy it to keep it). */
  json: Uint8Array;
}

export interface PresenceMessageLimits {
  maxEntriesPerMessage: number;
  maxStateBytes: number;
}

/** Reads the entries of an awareness update; throws PresenceRefused (4400) on anything off. */
export function readPresenceEntries(update: Uint8Array, limits: PresenceMessageLimits): PresenceEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = readVarUint(decoder);
  // Before looping: a count of 50,000 costs nothing to write and a lot to walk through.
  if (count > limits.maxEntriesPerMessage) {
    throw new PresenceRefused(CLOSE.malformed, `${count} presence entries in one message (at most ${limits.maxEntriesPerMessage})`);
  }
  const entries: PresenceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = readVarUint(decoder);
    const clock = readVarUint(decoder);
    const bytes = readVarUint(decoder);
    if (bytes > limits.maxStateBytes) {
      throw new PresenceRefused(CLOSE.malformed, `a presence state of ${bytes} bytes (at most ${limits.maxStateBytes})`);
    }
    // lib0 would make a view past the end of the message (into whatever shares its buffer).
    if (bytes > update.byteLength - decoder.pos) throw truncated();
    entries.push({ clientId, clock, json: update.subarray(decoder.pos, decoder.pos + bytes) });
    decoder.pos += bytes;
  }
  return entries;
}

/** Whether a state's JSON text is `null` (the client is removed), without parsing it. */
export function isNullState(json: Uint8Array): boolean {
  // Stock clients write exactly 'null'; JSON allows whitespace around it.
  if (json.byteLength > 16) return false;
  return new TextDecoder().decode(json).trim() === 'null';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a (non-null) state. Peers apply what the server forwards without a second look, so it
 * must be valid UTF-8 and a JSON object: anything else would throw in every stock client.
 */
export function parseState(json: Uint8Array): Record<string, unknown> {
  let state: unknown;
  try {
    state = JSON.parse(strictUtf8.decode(json));
  } catch (err) {
    throw new PresenceRefused(CLOSE.malformed, `a presence state is not JSON: ${(err as Error).message}`.slice(0, 100));
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new PresenceRefused(CLOSE.malformed, 'a presence state must be a JSON object or null');
  }
  return state as Record<string, unknown>;
}

const NULL_JSON = new TextEncoder().encode('null');

/** Encodes entries as an awareness update (the same format); `json: null` writes a removal. */
export function encodePresenceEntries(entries: Iterable<{ clientId: number; clock: number; json: Uint8Array | null }>): Uint8Array {
  const list = [...entries];
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, list.length);
  for (const entry of list) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    // A varuint length and the UTF-8 bytes: exactly what writeVarString writes for the text.
    encoding.writeVarUint8Array(encoder, entry.json ?? NULL_JSON);
  }
  return encoding.toUint8Array(encoder);
}

function readVarUint(decoder: decoding.Decoder): number {
  try {
    return decoding.readVarUint(decoder);
  } catch {
    throw truncated();
  }
}

function truncated(): PresenceRefused {
  return new PresenceRefused(CLOSE.malformed, 'truncated presence message');
}
