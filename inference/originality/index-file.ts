/**
 * The originality index as the model ships it (models/<id>/originality.bin): per checked role,
 * the window length it was built with and the fingerprints of the training data's windows
 * (fingerprint.ts), sorted and stored as varint gaps. The header names the windowing, so a
 * checker meant for other windows refuses the file instead of finding nothing.
 *
 *   "RRIX" · u8 version · u8 minPitches · per role (drums, bass, keys, lead): u8 size · varint count
 *   · then each role's count gaps
 */
import { CHECKED_ROLES, type CheckedRole } from './fingerprint.ts';

export const INDEX_MAGIC = 'RRIX';
export const INDEX_VERSION = 2;

export interface RoleIndex {
  /** Notes per line window, bars per drum window. */
  size: number;
  /** Sorted, distinct. */
  fingerprints: Uint32Array;
}

export interface OriginalityIndex {
  minPitches: number;
  roles: Record<CheckedRole, RoleIndex>;
}

export class IndexFileError extends Error {
  override name = 'IndexFileError';
}

export function roleIndex(size: number, fingerprints: Iterable<number>): RoleIndex {
  return { size, fingerprints: Uint32Array.from(new Set(fingerprints)).sort() };
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export function encodeIndex(index: OriginalityIndex): Uint8Array {
  const out: number[] = [...INDEX_MAGIC].map((c) => c.charCodeAt(0));
  out.push(INDEX_VERSION, index.minPitches);
  for (const role of CHECKED_ROLES) {
    out.push(index.roles[role].size);
    writeVarint(out, index.roles[role].fingerprints.length);
  }
  for (const role of CHECKED_ROLES) {
    let previous = 0;
    for (const value of index.roles[role].fingerprints) {
      writeVarint(out, value - previous);
      previous = value;
    }
  }
  return Uint8Array.from(out);
}

export function decodeIndex(bytes: Uint8Array): OriginalityIndex {
  let pos = 0;
  const fail = (why: string): never => {
    throw new IndexFileError(`not an originality index: ${why}`);
  };
  const u8 = () => (pos < bytes.length ? bytes[pos++]! : fail('it ends early'));
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = u8();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return fail('a number is too long');
  };
  const magic = String.fromCharCode(u8(), u8(), u8(), u8());
  if (magic !== INDEX_MAGIC) fail(`it starts with ${JSON.stringify(magic)}, not ${INDEX_MAGIC}`);
  const version = u8();
  if (version !== INDEX_VERSION) fail(`version ${version}, this app reads ${INDEX_VERSION}`);
  const minPitches = u8();
  const heads = CHECKED_ROLES.map((role) => ({ role, size: u8(), count: varint() }));
  if (heads.reduce((n, h) => n + h.count, 0) > bytes.length) fail('its counts are larger than the file');
  const roles = {} as Record<CheckedRole, RoleIndex>;
  for (const { role, size, count } of heads) {
    if (size < 1) fail(`${role} windows of size 0`);
    const fingerprints = new Uint32Array(count);
    let value = 0;
    for (let i = 0; i < count; i++) {
      value += varint();
      if (value > 0xffffffff || (i > 0 && value <= fingerprints[i - 1]!)) fail('its fingerprints are not sorted 32-bit values');
      fingerprints[i] = value;
    }
    roles[role] = { size, fingerprints };
  }
  if (pos !== bytes.length) fail(`${bytes.length - pos} bytes are left over`);
  return { minPitches, roles };
}

/** Binary search in a sorted set. */
export function holds(set: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = set[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
