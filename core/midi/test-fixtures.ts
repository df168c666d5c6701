/**
 * Hand-built MIDI bytes for tests: small helpers that make a fixture's layout readable next to
 * the byte offsets the tests expect in error messages. Pure code, so it lives with core/midi.
 */

export function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function u16(value: number): number[] {
  return [(value >>> 8) & 0xff, value & 0xff];
}

/** The 14-byte header chunk. */
export function header(format: number, tracks: number, division: number): number[] {
  return [...ascii('MThd'), ...u32(6), ...u16(format), ...u16(tracks), ...u16(division)];
}

/** A chunk whose length field matches its body. */
export function chunk(type: string, body: number[]): number[] {
  return [...ascii(type), ...u32(body.length), ...body];
}

export const END_OF_TRACK = [0x00, 0xff, 0x2f, 0x00];

/** A complete file: header plus one MTrk chunk per body (bodies are used as given). */
export function midiFile(format: number, division: number, ...trackBodies: number[][]): Uint8Array {
  return Uint8Array.from([...header(format, trackBodies.length, division), ...trackBodies.flatMap((b) => chunk('MTrk', b))]);
}

/** Offset of the first byte of the first track's body in a file built by midiFile. */
export const FIRST_TRACK_BODY = 14 + 8;

/** Deterministic pseudo-random numbers, so fuzz failures can be replayed. */
export { seededRandom } from '../random.ts';
