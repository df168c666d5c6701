/**
 * The last seq of a page of at most `maxBytes` (at least the first entry), or null when there are none.
 * Both stores read a page by size in two steps: the entries' sizes without their bytes, then the
 * rows up to the seq this picks.
 */
export function pageEnd(sizes: readonly { seq: number; bytes: number }[], maxBytes: number): number | null {
  if (!sizes.length) return null;
  let last = sizes[0]!.seq;
  let total = 0;
  for (const row of sizes) {
    if (total > 0 && total + row.bytes > maxBytes) break;
    total += row.bytes;
    last = row.seq;
  }
  return last;
}
