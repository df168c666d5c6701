/**
 * What "Export MusicXML" writes: the whole song, its loop range or the selected clip, as plain
 * .musicxml or compressed .mxl, under a file name that says which. Pure (the bytes of an .mxl are
 * packed by the caller with core's writeMxl), so the dialog and the tests agree.
 */
import { clipToMusicXml, songToMusicXml, type MusicXmlExport } from '../../core/musicxml/musicxml.ts';
import type { Song } from '../../core/song/types.ts';
import { baseName, clipFileName, songFileName } from './file-names.ts';
import { describeRange, loopRange } from './wav-range.ts';

export type ScoreRange = 'song' | 'loop' | 'clip';
export type ScoreFormat = 'musicxml' | 'mxl';

export const SCORE_MIME: Record<ScoreFormat, string> = {
  musicxml: 'application/vnd.recordare.musicxml+xml',
  mxl: 'application/vnd.recordare.musicxml',
};

/** The score and its file name; null when the range is not there (no loop set, no clip selected). */
export function scoreExport(
  song: Song,
  range: ScoreRange,
  format: ScoreFormat,
  clipId: string | null,
): { fileName: string; exported: MusicXmlExport } | null {
  if (range === 'clip') {
    const clip = song.clips.find((c) => c.id === clipId);
    return clip ? { fileName: clipFileName(song, clip, format), exported: clipToMusicXml(song, clip.id) } : null;
  }
  if (range === 'loop') {
    const loop = loopRange(song);
    if (!loop) return null;
    return {
      fileName: `${baseName(songFileName(song.meta.title, format))} (${describeRange(loop)}).${format}`,
      exported: songToMusicXml(song, loop),
    };
  }
  return { fileName: songFileName(song.meta.title, format), exported: songToMusicXml(song) };
}
