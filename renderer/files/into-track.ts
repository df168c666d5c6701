/**
 * "Import into a track", whatever the file format: the file's notes as one new clip, on a track
 * of the song or on a new one, in one history entry. Core validates before it writes, so an import
 * into an existing track either happens whole or not at all; adding a new track is a write,
 * though, so that case is first rehearsed on a scratch document with the song's meter: a refusal
 * then comes before the track exists, never leaving an empty track behind.
 */
import * as Y from 'yjs';
import { addTrack, initSong, labelledEdit } from '../../core/song/edits.ts';
import { readMeta } from '../../core/song/schema.ts';
import type { TrackRole } from '../../core/song/types.ts';

export type ImportTarget = { trackId: string } | { newTrack: { role: TrackRole; name: string } };

export interface IntoTrackResult {
  clipId: string;
  trackId: string;
}

/**
 * Runs `importInto(doc, trackId)` (which adds the clip and returns its id) on the target track.
 * `newTrackLabel` is the history entry's label when a new track is made.
 */
export function importIntoTarget(
  doc: Y.Doc,
  target: ImportTarget,
  importInto: (doc: Y.Doc, trackId: string) => string,
  newTrackLabel: string,
): IntoTrackResult {
  if ('trackId' in target) return { clipId: importInto(doc, target.trackId), trackId: target.trackId };
  const scratch = new Y.Doc();
  try {
    initSong(scratch, { meter: readMeta(doc).meter });
    importInto(scratch, addTrack(scratch, target.newTrack));
  } finally {
    scratch.destroy();
  }
  let result!: IntoTrackResult;
  labelledEdit(doc, newTrackLabel, () => {
    const trackId = addTrack(doc, target.newTrack);
    result = { trackId, clipId: importInto(doc, trackId) };
  });
  return result;
}
