/**
 * A past state as the app shows it: the server's `GET /state?at=<seq>` answer (one Yjs update)
 * applied to a temporary document and read with core's readSong, so the past is drawn by the
 * same code as the present. The document is thrown away at once; the Song is plain data.
 */
import * as Y from 'yjs';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';

export function songFromState(state: Uint8Array): Song {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return readSong(doc);
  } finally {
    doc.destroy();
  }
}
