/**
 * Decodes the replay stream of `GET /api/rooms/<room>/updates` (sync-server/contract.ts): for
 * each entry, varuint seq, varuint byte length, the update bytes; repeated to the end.
 *
 * Written out rather than with lib0's decoder so a cut-off or corrupt body is reported as what
 * it is (a `MalformedStreamError` naming the byte offset) instead of a generic out-of-bounds
 * error, and so seqs are checked to rise: replay applies the updates in the order they come.
 */

export interface LoggedUpdate {
  seq: number;
  update: Uint8Array;
}

export class MalformedStreamError extends Error {
  override name = 'MalformedStreamError';
  /** Where in the body decoding stopped. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** Reads one unsigned LEB128 varuint (lib0's encoding); returns [value, next offset]. */
function readVarUint(bytes: Uint8Array, start: number): [number, number] {
  let value = 0;
  let scale = 1;
  let at = start;
  for (;;) {
    if (at >= bytes.length) throw new MalformedStreamError('the stream ends inside a number', start);
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 128;
    // Past 2^53 a number is no longer exact: no seq or length is that large.
    if (scale > Number.MAX_SAFE_INTEGER) throw new MalformedStreamError('a number is too large', start);
  }
  return [value, at];
}

/** Every entry in `bytes`, in stream order. Throws MalformedStreamError on a cut-off or corrupt body. */
export function decodeUpdatesStream(bytes: Uint8Array): LoggedUpdate[] {
  const out: LoggedUpdate[] = [];
  let at = 0;
  let lastSeq = -1;
  while (at < bytes.length) {
    const entryStart = at;
    const [seq, afterSeq] = readVarUint(bytes, at);
    const [length, afterLength] = readVarUint(bytes, afterSeq);
    if (afterLength + length > bytes.length) {
      throw new MalformedStreamError(`entry #${seq} claims ${length} bytes, ${bytes.length - afterLength} remain`, entryStart);
    }
    if (seq <= lastSeq) throw new MalformedStreamError(`entry #${seq} follows #${lastSeq}: seqs must rise`, entryStart);
    // A view, not a copy: the body is not reused, and replays can hold thousands of updates.
    out.push({ seq, update: bytes.subarray(afterLength, afterLength + length) });
    lastSeq = seq;
    at = afterLength + length;
  }
  return out;
}
