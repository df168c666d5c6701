/**
 * Dragging a clip out of the window into a DAW as a .mid file. The page makes the clip's MIDI
 * bytes (core/midi clipToMidi) and sends them with the track's and the clip's names; the main
 * process writes them here, then calls webContents.startDrag({ file, icon }) with the path.
 *
 * Each drag gets a fresh folder of its own under the app's temp folder, so the file keeps a clean
 * name ("Bass - Groove.mid": DAWs name the imported clip after the file) and no two drags ever
 * share a file. Folders of old drags are removed (a DAW that references the file in place has
 * long copied or loaded it by then). The names come from the song, which any bandmate may edit:
 * they are made into one safe file name (no path syntax, no reserved device names, bounded), and
 * the written path is checked to lie inside the drag folder.
 *
 * Plain Node (no Electron import): tested under Node in drag-files.test.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { LIMITS } from '../contract.ts';
import { dragFileName } from '../../core/midi/clip-file-name.ts';

export { dragFileName, safeNamePart } from '../../core/midi/clip-file-name.ts';

/** The folder under the app's temp folder that holds the drags. */
export const DRAG_FOLDER_NAME = 'riffroom-drag';
/** Drags older than this are removed (on the next drag and at start). */
export const DRAG_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Whether `bytes` look like a Standard MIDI File (header chunk "MThd", length 6). */
export function isMidiFile(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= 14 &&
    bytes[0] === 0x4d &&
    bytes[1] === 0x54 &&
    bytes[2] === 0x68 &&
    bytes[3] === 0x64 &&
    bytes[4] === 0 &&
    bytes[5] === 0 &&
    bytes[6] === 0 &&
    bytes[7] === 6
  );
}

export interface DragFiles {
  /** The folder that holds the drags: <temp>/riffroom-drag. */
  readonly folder: string;
  /** Writes one drag's file in a fresh folder of its own; returns its absolute path. */
  write(trackName: string, clipName: string, bytes: Uint8Array): string;
  /** Removes drags older than DRAG_MAX_AGE_MS; returns how many folders were removed. */
  cleanup(): number;
}

export interface DragFilesOptions {
  now?: () => number;
  maxAgeMs?: number;
  maxBytes?: number;
}

/** Drag files under `tempDir` (Electron: app.getPath('temp')). */
export function dragFiles(tempDir: string, options: DragFilesOptions = {}): DragFiles {
  const folder = resolve(tempDir, DRAG_FOLDER_NAME);
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? DRAG_MAX_AGE_MS;
  const maxBytes = options.maxBytes ?? LIMITS.dragBytes;

  const inside = (path: string): boolean => {
    const rel = relative(folder, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };

  const cleanup = (): number => {
    let removed = 0;
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return 0; // no drags yet
    }
    for (const entry of entries) {
      if (!entry.startsWith('drag-')) continue;
      const path = join(folder, entry);
      try {
        if (now() - statSync(path).mtimeMs < maxAgeMs) continue;
        rmSync(path, { recursive: true, force: true });
        removed++;
      } catch {
        // gone already, or in use (Windows): next time
      }
    }
    return removed;
  };

  return {
    folder,
    cleanup,
    write(trackName, clipName, bytes) {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('drag file: expected bytes');
      if (bytes.byteLength > maxBytes) throw new RangeError(`drag file: larger than ${maxBytes} bytes`);
      if (!isMidiFile(bytes)) throw new TypeError('drag file: not a MIDI file');
      cleanup();
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const dir = mkdtempSync(join(folder, 'drag-'));
      const path = join(dir, dragFileName(trackName, clipName));
      if (!inside(path) || path.slice(dir.length + 1).includes(sep)) throw new Error('drag file: the name left the drag folder');
      writeFileSync(path, bytes, { flag: 'wx', mode: 0o600 });
      return path;
    },
  };
}

/**
 * The picture under the pointer while dragging (startDrag needs one; macOS refuses an empty
 * image): a 32×32 PNG of a small sheet with three notes, drawn here so no image file has to be
 * shipped and found.
 */
export function dragIconPng(size = 32): Buffer {
  const pixels = Buffer.alloc(size * (size * 4 + 1));
  const set = (x: number, y: number, [r, g, b, a]: readonly number[]): void => {
    const at = y * (size * 4 + 1) + 1 + x * 4;
    pixels[at] = r!;
    pixels[at + 1] = g!;
    pixels[at + 2] = b!;
    pixels[at + 3] = a!;
  };
  const s = size / 32;
  const paper = [250, 247, 240, 255];
  const edge = [60, 60, 70, 255];
  const note = [224, 96, 64, 255];
  for (let y = Math.round(3 * s); y < Math.round(29 * s); y++) {
    for (let x = Math.round(6 * s); x < Math.round(26 * s); x++) {
      const border = y === Math.round(3 * s) || y === Math.round(29 * s) - 1 || x === Math.round(6 * s) || x === Math.round(26 * s) - 1;
      set(x, y, border ? edge : paper);
    }
  }
  // Three notes rising, as in a piano roll.
  for (const [x0, y0, w] of [
    [9, 21, 5],
    [14, 16, 4],
    [18, 10, 5],
  ] as const) {
    for (let y = Math.round(y0 * s); y < Math.round((y0 + 3) * s); y++) {
      for (let x = Math.round(x0 * s); x < Math.round((x0 + w) * s); x++) set(x, y, note);
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
