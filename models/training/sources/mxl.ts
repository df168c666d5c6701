/**
 * Compressed MusicXML (.mxl) for the training pipeline, read synchronously: the archive is listed
 * and its score found by core/musicxml (shared with the app's import), inflated by ./zip.ts.
 */
import { CONTAINER_PATH, decodeXmlBytes, findScoreEntry } from '../../../core/musicxml/mxl.ts';
import { listZipEntries, readZipEntry } from './zip.ts';
import { readMusicXml, type LeadSheet, type MusicXmlOptions } from './musicxml.ts';

export { decodeXmlBytes };

/** Reads the score of an .mxl archive. Throws ZipFormatError, XmlParseError or MusicXmlError. */
export function readMxl(bytes: Uint8Array, options: MusicXmlOptions = {}): LeadSheet {
  return readMusicXml(mxlScoreText(bytes), options);
}

/** The text of the score an .mxl archive holds. */
export function mxlScoreText(bytes: Uint8Array): string {
  const entries = listZipEntries(bytes);
  const container = entries.find((e) => e.name === CONTAINER_PATH);
  const containerText = container ? decodeXmlBytes(readZipEntry(bytes, container)) : null;
  return decodeXmlBytes(readZipEntry(bytes, findScoreEntry(entries, containerText)));
}
