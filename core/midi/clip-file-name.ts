/**
 * The file name of a clip dragged out of the window: "<track> - <clip>.mid", safe on every
 * platform whatever a bandmate typed as the track's or the clip's name. Pure (no Node, no DOM):
 * the desktop's main process names the temp file with it (electron/main/drag-files.ts) and a browser tab names the
 * DownloadURL drag with it (renderer/platform/browser-files.ts), so both give the same name.
 */

/** Characters of each part of the name (track, clip). */
const PART_CHARS = 80;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/**
 * One part of a file name made safe on every platform: path syntax, control characters and
 * characters Windows refuses become spaces; runs of spaces collapse; leading and trailing dots
 * and spaces, and words of dots alone, go (no "..", no hidden files, no Windows trailing dot); reserved device names get an
 * underscore (CON → CON_, con.txt → con_.txt); at most PART_CHARS characters (whole code points).
 * Empty → `fallback`.
 */
export function safeNamePart(text: string, fallback: string): string {
  let out = String(text)
    .normalize('NFC')
    .replace(/[\p{Cc}/\\:*?"<>|\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu, ' ')
    .replace(/(^|\s)\.+(?=\s|$)/g, ' ') // what is left of "../": no word of dots alone
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  out = Array.from(out)
    .slice(0, PART_CHARS)
    .join('')
    .replace(/[\s.]+$/, '');
  if (!out) return fallback;
  const stem = out.split('.')[0]!;
  if (WINDOWS_RESERVED.test(stem.trim())) out = `${stem}_${out.slice(stem.length)}`;
  return out;
}

/** "<track> - <clip>.mid", or just "<track>.mid" when the clip has no name of its own (or the same). */
export function dragFileName(trackName: string, clipName: string): string {
  const track = safeNamePart(trackName, 'Track');
  const clip = safeNamePart(clipName, '');
  return `${clip && clip !== track ? `${track} - ${clip}` : track}.mid`;
}
