/**
 * Big-endian byte reading and writing with MIDI's variable-length quantities. The reader turns
 * every overrun into a MidiFormatError naming the byte offset, so parsers built on it never
 * index past their input or see `undefined` for a byte.
 */
import { MidiFormatError } from './smf-types.ts';

/** Largest value a 4-byte variable-length quantity can hold. */
export const MAX_VLQ = 0x0fffffff;

export class ByteReader {
  readonly bytes: Uint8Array;
  /** Offset of the next byte to read. */
  pos: number;
  /** Reading at or past this offset is an error (the end of the current chunk). */
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(count: number, what: string): void {
    if (this.pos + count > this.end) {
      throw new MidiFormatError(`${what} is cut off: it needs ${count} byte(s), ${this.remaining} left`, this.pos);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  /** A data byte of a channel message: 0..127 by definition. */
  dataByte(what: string): number {
    const at = this.pos;
    const value = this.u8(what);
    if (value > 127) throw new MidiFormatError(`${what} must be a data byte (0..127), got ${value}`, at);
    return value;
  }

  u16(what: string): number {
    this.need(2, what);
    const b = this.bytes;
    const value = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    // Multiplication instead of `<< 24` keeps lengths >= 2^31 positive.
    const value = b[this.pos]! * 0x1000000 + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
    this.pos += 4;
    return value;
  }

  /** A variable-length quantity: 7 bits per byte, high bit set on all but the last, at most 4 bytes. */
  vlq(what: string): number {
    const start = this.pos;
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8(what);
      value = (value << 7) | (byte & 0x7f);
      if ((byte & 0x80) === 0) return value;
    }
    throw new MidiFormatError(`${what} is a variable-length quantity longer than 4 bytes`, start);
  }

  /** A copy, so that events never keep a large input file alive. */
  take(count: number, what: string): Uint8Array {
    this.need(count, what);
    const out = this.bytes.slice(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }
}

export class ByteWriter {
  private buffer = new Uint8Array(256);
  private used = 0;

  get length(): number {
    return this.used;
  }

  private grow(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.used + extra) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer.subarray(0, this.used));
    this.buffer = bigger;
  }

  u8(value: number): void {
    this.grow(1);
    this.buffer[this.used++] = value & 0xff;
  }

  u16(value: number): void {
    this.u8(value >>> 8);
    this.u8(value);
  }

  u32(value: number): void {
    this.u8(value >>> 24);
    this.u8(value >>> 16);
    this.u8(value >>> 8);
    this.u8(value);
  }

  vlq(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > MAX_VLQ) {
      throw new RangeError(`a variable-length quantity must be an integer from 0 to ${MAX_VLQ}, got ${value}`);
    }
    // Collect 7-bit groups least significant first, then emit them most significant first.
    const groups = [value & 0x7f];
    for (let rest = value >>> 7; rest > 0; rest >>>= 7) groups.push((rest & 0x7f) | 0x80);
    for (let i = groups.length - 1; i >= 0; i--) this.u8(groups[i]!);
  }

  bytes(data: ArrayLike<number>): void {
    this.grow(data.length);
    this.buffer.set(data, this.used);
    this.used += data.length;
  }

  /** Overwrites a 32-bit value written earlier (a chunk length known only after its body). */
  patchU32(at: number, value: number): void {
    this.buffer[at] = value >>> 24;
    this.buffer[at + 1] = (value >>> 16) & 0xff;
    this.buffer[at + 2] = (value >>> 8) & 0xff;
    this.buffer[at + 3] = value & 0xff;
  }

  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }
}
