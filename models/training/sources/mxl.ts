/**
 * Compressed MusicXML (.mxl): a zip whose META-INF/container.xml names the score inside it.
 */
import { readMusicXml, MusicXmlError, type LeadSheet, type MusicXmlOptions } from './musicxml.ts';
import { childElements, parseXml, XmlParseError, type XmlElement } from './musicxml-xml.ts';
import { listZipEntries, readZipEntry, type ZipEntry } from './zip.ts';

const CONTAINER = 'META-INF/container.xml';

/** Reads the score of an .mxl archive. Throws ZipFormatError, XmlParseError or MusicXmlError. */
export function readMxl(bytes: Uint8Array, options: MusicXmlOptions = {}): LeadSheet {
  return readMusicXml(mxlScoreText(bytes), options);
}

/** The text of the score an .mxl archive holds. */
export function mxlScoreText(bytes: Uint8Array): string {
  const entries = listZipEntries(bytes);
  const entry = findRootfile(bytes, entries);
  return decodeXmlBytes(readZipEntry(bytes, entry));
}

/**
 * The container's first MusicXML rootfile; when the container is missing or names nothing that
 * exists, the first .xml/.musicxml outside META-INF (what older writers relied on).
 */
function findRootfile(bytes: Uint8Array, entries: ZipEntry[]): ZipEntry {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const container = byName.get(CONTAINER);
  // Some writers emit a malformed container (Wikifonia: full-path='That's a Plenty.xml', an
  // apostrophe inside single quotes), so a container that does not parse means the search below.
  const root = container ? parseContainer(readZipEntry(bytes, container)) : null;
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
    // A container with no usable rootfile falls through to the search below.
  }
  const fallback = entries.find((e) => !e.name.startsWith('META-INF/') && /\.(xml|musicxml)$/i.test(e.name));
  if (!fallback) throw new MusicXmlError('the archive holds no MusicXML file');
  return fallback;
}

function parseContainer(bytes: Uint8Array): XmlElement | null {
  try {
    return parseXml(decodeXmlBytes(bytes));
  } catch (error) {
    if (error instanceof XmlParseError) return null;
    throw error;
  }
}

const utf8 = new TextDecoder('utf-8');
const utf16le = new TextDecoder('utf-16le');
const utf16be = new TextDecoder('utf-16be');

/** MusicXML is UTF-8 unless a byte-order mark says UTF-16 (the only encodings the spec allows). */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16le.decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16be.decode(bytes.subarray(2));
  return utf8.decode(bytes); // strips a UTF-8 byte-order mark itself
}
