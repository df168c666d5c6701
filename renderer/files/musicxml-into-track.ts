/**
 * "Import MusicXML into a track": a score's notes (every part merged) as one new clip on a track
 * of the song or a new one (into-track.ts), with its chord symbols on the chord lane over the
 * clip, in one history entry. Reading and writing are core/musicxml's; a malformed score throws
 * (isMusicXmlFileError) and one the song cannot hold throws EditError, both before the first
 * write. The score's text comes from the file's bytes through musicXmlFileText (.mxl or plain).
 */
import { analyseScore, type MusicMetadata } from '../../core/analysis/metadata.ts';
import { readScore } from '../../core/musicxml/read.ts';
import type * as Y from 'yjs';
import { importMusicXmlIntoTrack, summarizeMusicXml, type MusicXmlSummary } from '../../core/musicxml/musicxml.ts';
import { baseName } from './file-names.ts';
import { importIntoTarget, type ImportTarget, type IntoTrackResult } from './into-track.ts';

/** The score summed up for the dialog; its name falls back to the file's. Throws on a malformed score. */
export function summarizeScore(text: string, fileName: string): MusicXmlSummary & { metadata: MusicMetadata } {
  const summary = summarizeMusicXml(text);
  return { ...summary, suggestedName: summary.suggestedName || baseName(fileName).slice(0, 100), metadata: analyseScore(readScore(text)) };
}

export function importMusicXmlIntoSong(
  doc: Y.Doc,
  text: string,
  target: ImportTarget,
  startBar: number,
  fileName: string,
): IntoTrackResult {
  const summary = summarizeScore(text, fileName);
  const options = { fileName, name: summary.suggestedName };
  const notes = `${summary.noteCount} note${summary.noteCount === 1 ? '' : 's'}`;
  const label = 'newTrack' in target ? `imported ${notes} from MusicXML into new track ${target.newTrack.name}` : '';
  return importIntoTarget(doc, target, (d, trackId) => importMusicXmlIntoTrack(d, trackId, text, startBar, options), label);
}
