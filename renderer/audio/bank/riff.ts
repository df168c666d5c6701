/**
 * RIFF containers as a SoundFont uses them: little-endian chunks (4-byte id, 32-bit size, body,
 * a pad byte after an odd-sized body) and LIST chunks (id "LIST", a 4-byte list type, then
 * chunks). Reading only makes views into the input (no copies: a bank is tens of MB); writing
 * concatenates byte arrays. Runs in a page or in Node (plain Uint8Array / DataView).
 */

/** A file that is not the RIFF / SoundFont it claims to be. The message says what and where. */
export class SoundFontFormatError extends Error {
  override name = 'SoundFontFormatError';
}

export interface Chunk {
  id: string;
  /** Byte offset of the body in the whole file (for error messages). */
  offset: number;
  body: Uint8Array;
}

export function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/**
 * The chunks laid end to end in `bytes` (the body of a RIFF or LIST chunk, after its type).
 * `base` is where `bytes` starts in the file. A chunk running past the end is an error, not a
 * shorter chunk: a truncated download must not become a bank with missing samples.
 */
export function readChunks(bytes: Uint8Array, base: number): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 8) {
      throw new SoundFontFormatError(`truncated chunk header at byte ${base + at}: ${bytes.length - at} bytes left, a header is 8`);
    }
    const id = fourCC(bytes, at);
    const size = view.getUint32(at + 4, true);
    const start = at + 8;
    if (size > bytes.length - start) {
      throw new SoundFontFormatError(
        `chunk "${id}" at byte ${base + at} says ${size} bytes but only ${bytes.length - start} follow (truncated file?)`,
      );
    }
    chunks.push({ id, offset: base + start, body: bytes.subarray(start, start + size) });
    // The spec puts a zero pad byte after an odd-sized body. MuseScore's SF3 writer leaves it
    // out (its smpl is odd-sized and "LIST" follows at once), so skip the pad only when it is
    // a zero: a chunk id never starts with one.
    at = start + size;
    if (size & 1 && at < bytes.length && bytes[at] === 0) at++;
  }
  return chunks;
}

/** The body of the top-level RIFF chunk of form `form` (e.g. "sfbk"), after the form type. */
export function readRiff(bytes: Uint8Array, form: string): Chunk {
  if (bytes.length < 12 || fourCC(bytes, 0) !== 'RIFF') throw new SoundFontFormatError('not a RIFF file (no "RIFF" header)');
  const type = fourCC(bytes, 8);
  if (type !== form) throw new SoundFontFormatError(`RIFF form is "${type}", expected "${form}"`);
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (size < 4 || size > bytes.length - 8) {
    throw new SoundFontFormatError(`RIFF chunk says ${size} bytes but the file has ${bytes.length - 8} after its header (truncated file?)`);
  }
  return { id: form, offset: 12, body: bytes.subarray(12, 8 + size) };
}

/** The chunks of a LIST chunk, checking its list type. */
export function readList(chunk: Chunk, type: string): Chunk[] {
  if (chunk.id !== 'LIST' || chunk.body.length < 4 || fourCC(chunk.body, 0) !== type) {
    throw new SoundFontFormatError(`expected LIST "${type}" at byte ${chunk.offset - 8}, found "${chunk.id}"`);
  }
  return readChunks(chunk.body.subarray(4), chunk.offset + 4);
}

const ascii = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) throw new RangeError(`RIFF ids and SoundFont strings are ASCII: ${JSON.stringify(text)}`);
    out[i] = code;
  }
  return out;
};

/** Bytes of a chunk: id, size, body, and the pad byte an odd size needs. */
export function chunk(id: string, ...body: Uint8Array[]): Uint8Array {
  if (id.length !== 4) throw new RangeError(`a chunk id has 4 characters: "${id}"`);
  const size = body.reduce((n, part) => n + part.length, 0);
  const out = new Uint8Array(8 + size + (size & 1));
  out.set(ascii(id), 0);
  new DataView(out.buffer).setUint32(4, size, true);
  let at = 8;
  for (const part of body) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A LIST (or, with `outer` "RIFF", the file itself) of the given type holding `chunks`. */
export function list(type: string, chunks: Uint8Array[], outer: 'LIST' | 'RIFF' = 'LIST'): Uint8Array {
  return chunk(outer, ascii(type), ...chunks);
}

export { ascii as asciiBytes };
