/** File names inside a stems folder or zip: numbered, safe on every file system, unique. Pure. */

function safe(text: string): string {
  return text
    .replace(/[^\p{L}\p{N}_\- ]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "03 Lead guitar.wav"; a repeated name gets " (2)"; `used` collects the names given so far. */
export function stemFileName(index: number, trackName: string, used: Set<string>, extension = 'wav'): string {
  const base = `${String(index).padStart(2, '0')} ${safe(trackName) || 'Track'}`;
  let name = `${base}.${extension}`;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base} (${n}).${extension}`;
  used.add(name.toLowerCase());
  return name;
}
