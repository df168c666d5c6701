/**
 * Inflating what a log stores (room states and snapshots, deflated) with a ceiling: a few hundred
 * KB in a file can inflate to gigabytes (a decompression bomb), so zlib stops at `maxBytes`
 * (maxOutputLength) and the caller gets a RoomLogError instead of the process running out of memory.
 */
import { inflateRawSync } from 'node:zlib';
import { RoomLogError } from './log-error.ts';

export function inflateBounded(packed: Uint8Array, maxBytes: number, path: string, what: string): Uint8Array {
  try {
    const out = inflateRawSync(packed, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength); // a view, not a second copy
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RoomLogError(
        path,
        'too-large',
        `its ${what} inflates to more than ${formatBytes(maxBytes)}, the most a Riffroom project stores (a decompression bomb, or a damaged file)`,
      );
    }
    throw new RoomLogError(path, 'damaged', `its ${what} cannot be inflated (${(err as Error).message})`);
  }
}

/**
 * The most a state or snapshot at some entry may inflate to, given the bytes of the updates it is
 * made of (entries 1..seq): never less than `floorBytes` (LIMITS.projectFile.maxInflatedBytes), and
 * for big rooms a multiple of their updates. A state is those updates merged; deletes can split
 * items so it outgrows them somewhat, never four times over. A bomb is a few KB of log inflating to
 * gigabytes, so it is still stopped at the floor; a room that honestly grew past the floor (a
 * 160 MiB history) still opens.
 */
export function stateCeiling(updateBytes: number, floorBytes: number): number {
  return Math.max(floorBytes, 4 * updateBytes + 1024 * 1024);
}

/** "64 MiB" for round sizes, "8,388,609 bytes" otherwise (a limit plus one must not read as the limit). */
export function formatBytes(n: number): string {
  if (n > 0 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n > 0 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n.toLocaleString('en-US')} bytes`;
}
