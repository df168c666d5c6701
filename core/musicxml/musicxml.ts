/** MusicXML import and export of songs and clips: the public face of core/musicxml. */
import { MusicXmlFormatError } from './errors.ts';
import { XmlParseError } from './xml.ts';
import { ZipFormatError } from './zip.ts';

export { songToMusicXml, clipToMusicXml, type MusicXmlExport, type MusicXmlExportRange } from './write.ts';
export { readScore, type ReadScore, type ScorePart, type ScoreChord } from './read.ts';
export {
  importMusicXmlSong,
  importMusicXmlIntoTrack,
  summarizeMusicXml,
  roleForPart,
  type MusicXmlImportOptions,
  type MusicXmlIntoTrackOptions,
  type MusicXmlSongImport,
  type MusicXmlSummary,
} from './import.ts';
export { musicXmlFileText, writeMxl, isZip } from './mxl.ts';
export { MusicXmlFormatError } from './errors.ts';
export { XmlParseError } from './xml.ts';
export { ZipFormatError } from './zip.ts';

/** Whether an error means "this file is not a MusicXML score we can read" (say so, change nothing). */
export function isMusicXmlFileError(error: unknown): error is Error {
  return error instanceof MusicXmlFormatError || error instanceof XmlParseError || error instanceof ZipFormatError;
}
