/**
 * Compressed MusicXML (.mxl): a zip whose META-INF/container.xml names the score inside it.
 * Finding the score and decoding its bytes are shared with the training pipeline's synchronous
 * reader (models/training/sources/mxl.ts); reading and writing whole archives here are
 * asynchronous because inflating goes through the platform's streams (zip.ts).
 */
import { decodeMetaText, encodeUtf8 } from '../midi/text.ts';
import { MusicXmlFormatError } from './errors.ts';
import { childElements, parseXml, XmlParseError, type XmlElement } from './xml.ts';
import { listZipEntries, readZipEntryAsync, readZipEntrySync, writeZip, type ZipEntry } from './zip.ts';

export const CONTAINER_PATH = 'META-INF/container.xml';
/** The media type of MusicXML 4.0's "mimetype" entry and of the container's rootfile. */
export const MXL_MIME_TYPE = 'application/vnd.recordare.musicxml';
const SCORE_PATH = 'score.musicxml';

/**
 * The container's first MusicXML rootfile; when the container is missing, does not parse or names
 * nothing that exists, the first .xml/.musicxml outside META-INF (what older writers relied on).
 * `container` is the container's text, or null when the archive has none.
 */
export function findScoreEntry(entries: ZipEntry[], container: string | null): ZipEntry {
  const byName = new Map(entries.map((e) => [e.name, e]));
  // Some writers emit a malformed container (Wikifonia: full-path='That's a Plenty.xml', an
  // apostrophe inside single quotes), so a container that does not parse means the search below.
  const root = container === null ? null : parseContainer(container);
  if (root) {
    for (const rootfiles of childElements(root, 'rootfiles')) {
      for (const rootfile of childElements(rootfiles, 'rootfile')) {
        const type = rootfile.attributes['media-type'];
        // Later rootfiles may be PDFs or images of the same score; only MusicXML is wanted.
        if (type && !type.includes('musicxml')) continue;
        const entry = byName.get(rootfile.attributes['full-path'] ?? '');
        if (entry) return entry;
      }
    }
  }
  const fallback = entries.find((e) => !e.name.startsWith('META-INF/') && /\.(xml|musicxml)$/i.test(e.name));
  if (!fallback) throw new MusicXmlFormatError('the archive holds no MusicXML file');
  return fallback;
}

function parseContainer(text: string): XmlElement | null {
  try {
    return parseXml(text);
  } catch (error) {
    if (error instanceof XmlParseError) return null;
    throw error;
  }
}

/**
 * MusicXML is UTF-8 unless a byte-order mark says UTF-16 (the only encodings the spec allows).
 * Bytes that are not UTF-8 after all are read as Latin-1 rather than refused: old editors wrote it.
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes.subarray(2), true);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes.subarray(2), false);
  const utf8 = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  return decodeMetaText(utf8);
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  let text = '';
  const units: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    units.push(littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!);
    if (units.length === 4096) text += String.fromCharCode(...units.splice(0));
  }
  return text + String.fromCharCode(...units);
}

/** True when the bytes start like a zip archive (an .mxl), whatever the file is called. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The text of the score an .mxl archive holds. Throws ZipFormatError or MusicXmlFormatError. */
export async function readMxlScoreText(bytes: Uint8Array): Promise<string> {
  const entries = listZipEntries(bytes);
  const container = entries.find((e) => e.name === CONTAINER_PATH);
  const containerText = container ? decodeXmlBytes(await readZipEntryAsync(bytes, container)) : null;
  return decodeXmlBytes(await readZipEntryAsync(bytes, findScoreEntry(entries, containerText)));
}

/** The same, synchronously (the file check: core/provenance/read-file.ts). */
export function readMxlScoreTextSync(bytes: Uint8Array): string {
  const entries = listZipEntries(bytes);
  const container = entries.find((e) => e.name === CONTAINER_PATH);
  const containerText = container ? decodeXmlBytes(readZipEntrySync(bytes, container)) : null;
  return decodeXmlBytes(readZipEntrySync(bytes, findScoreEntry(entries, containerText)));
}

/** The MusicXML text of a file's bytes: an .mxl archive's score, or the (UTF-8/16) text itself. */
export async function musicXmlFileText(bytes: Uint8Array): Promise<string> {
  return isZip(bytes) ? readMxlScoreText(bytes) : decodeXmlBytes(bytes);
}

/** Packs a MusicXML score as .mxl: the stored "mimetype" entry first, the container, the score. */
export async function writeMxl(scoreXml: string): Promise<Uint8Array> {
  const container = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<container>',
    '  <rootfiles>',
    `    <rootfile full-path="${SCORE_PATH}" media-type="${MXL_MIME_TYPE}+xml"/>`,
    '  </rootfiles>',
    '</container>',
    '',
  ].join('\n');
  return writeZip([
    { name: 'mimetype', data: encodeUtf8(MXL_MIME_TYPE), method: 'store' },
    { name: CONTAINER_PATH, data: encodeUtf8(container) },
    { name: SCORE_PATH, data: encodeUtf8(scoreXml) },
  ]);
}
