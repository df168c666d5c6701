/**
 * "Check a file": reads the provenance of any file Riffroom exports (MIDI, WAV, Ogg Opus, MusicXML
 * plain or compressed), told apart by their first bytes, and says plainly what it shows: the record in words, "no provenance
 * found" for a file without one, or why the file cannot be read. The app's File ▸ Check a file…
 * (renderer/files/CheckFileDialog.tsx) and `riffroom-server verify <file>` both use it.
 */
import { readSmf } from '../midi/smf-read.ts';
import { MusicXmlFormatError } from '../musicxml/errors.ts';
import { CONTAINER_PATH, decodeXmlBytes, isZip, readMxlScoreTextSync } from '../musicxml/mxl.ts';
import { childElements, childText, firstChild, parseXml, textOf, XmlParseError } from '../musicxml/xml.ts';
import { listZipEntries, ZipFormatError } from '../musicxml/zip.ts';
import { recordFromFields } from './fields.ts';
import { MidiFormatError } from '../midi/smf-types.ts';
import { describeProvenance } from './describe.ts';
import { ProvenanceFormatError } from './json.ts';
import { readMidiProvenance } from './midi.ts';
import { OggFormatError } from './ogg.ts';
import { readOpusProvenance } from './opus-tags.ts';
import type { ProvenanceRecord } from './record.ts';
import { readWavProvenance, WavFormatError } from './wav.ts';

export type CheckedFormat = 'midi' | 'wav' | 'opus' | 'musicxml';

export const FORMAT_NAMES: Record<CheckedFormat, string> = {
  midi: 'MIDI file',
  wav: 'WAV file',
  opus: 'Ogg Opus file',
  musicxml: 'MusicXML file',
};

export type FileCheck =
  /** The file carries a Riffroom provenance record. */
  | { status: 'found'; format: CheckedFormat; record: ProvenanceRecord }
  /** A readable file of a known format without a record; `notes` says what else it carries. */
  | { status: 'none'; format: CheckedFormat; notes: string[] }
  /** Not a format Riffroom writes, or a damaged file, or a damaged record: `reason` says which. */
  | { status: 'unreadable'; format: CheckedFormat | null; reason: string };

export function detectFormat(bytes: Uint8Array): CheckedFormat | null {
  const magic = (at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
  if (magic(0, 'MThd')) return 'midi';
  if (magic(0, 'RIFF') && magic(8, 'WAVE')) return 'wav';
  if (magic(0, 'OggS')) return 'opus';
  // .mxl is a zip holding a score (a zip of anything else, like a stems archive, is not one; a
  // damaged zip is taken for a damaged .mxl, the only zip Riffroom reads); plain MusicXML is XML
  // whose root (within its first few KB) is a score.
  if (isZip(bytes)) return holdsScore(bytes) ? 'musicxml' : null;
  const head = decodeXmlBytes(bytes.subarray(0, 4096));
  if (/^\s*</.test(head) && /<score-(partwise|timewise)[\s>]/.test(head)) return 'musicxml';
  return null;
}

export function checkFile(bytes: Uint8Array): FileCheck {
  const format = detectFormat(bytes);
  if (!format) return { status: 'unreadable', format: null, reason: 'this is not a MIDI, WAV, Ogg Opus or MusicXML file' };
  try {
    if (format === 'musicxml') return checkMusicXml(bytes);
    if (format === 'midi') {
      const { record, text } = readMidiProvenance(readSmf(bytes));
      return record
        ? { status: 'found', format, record }
        : { status: 'none', format, notes: text ? [`Its provenance text says: ${text}`] : [] };
    }
    if (format === 'wav') {
      const { record, bext, info } = readWavProvenance(bytes);
      if (record) return { status: 'found', format, record };
      const notes: string[] = [];
      if (bext) notes.push(`Broadcast Wave description: ${bext.description || '(empty)'}; originator: ${bext.originator || '(none)'}.`);
      if (info.ICMT) notes.push(`Its comment says: ${info.ICMT}`);
      return { status: 'none', format, notes };
    }
    const { record, tags } = readOpusProvenance(bytes);
    if (record) return { status: 'found', format, record };
    return { status: 'none', format, notes: tags.COMMENT ? [`Its comment says: ${tags.COMMENT}`] : [] };
  } catch (error) {
    // The readers' own errors, and a RangeError from a DataView read past a damaged structure
    // that slipped a bounds check: all mean the file is not what it claims to be.
    const known =
      error instanceof MidiFormatError ||
      error instanceof WavFormatError ||
      error instanceof OggFormatError ||
      error instanceof ProvenanceFormatError ||
      error instanceof XmlParseError ||
      error instanceof ZipFormatError ||
      error instanceof MusicXmlFormatError ||
      error instanceof RangeError;
    if (!known) throw error;
    const what = error instanceof ProvenanceFormatError ? 'its provenance cannot be read' : 'the file is damaged';
    return { status: 'unreadable', format, reason: `${what}: ${error.message}` };
  }
}

function holdsScore(zip: Uint8Array): boolean {
  try {
    return listZipEntries(zip).some((e) => e.name === CONTAINER_PATH || /\.(musicxml|xml)$/i.test(e.name));
  } catch (error) {
    if (error instanceof ZipFormatError) return true;
    throw error;
  }
}

/** The fields in <identification><miscellaneous> (core/musicxml/write.ts puts the record there). */
function checkMusicXml(bytes: Uint8Array): FileCheck {
  const root = parseXml(isZip(bytes) ? readMxlScoreTextSync(bytes) : decodeXmlBytes(bytes));
  if (root.name !== 'score-partwise' && root.name !== 'score-timewise') {
    throw new MusicXmlFormatError(`its root is <${root.name}>, not a score`);
  }
  const identification = firstChild(root, 'identification');
  const miscellaneous = identification && firstChild(identification, 'miscellaneous');
  const fields = miscellaneous
    ? childElements(miscellaneous, 'miscellaneous-field').map((f) => ({ name: f.attributes.name ?? '', value: textOf(f) }))
    : [];
  const record = recordFromFields(fields);
  if (record) return { status: 'found', format: 'musicxml', record };
  const encoding = identification && firstChild(identification, 'encoding');
  const software = encoding && childText(encoding, 'software');
  return { status: 'none', format: 'musicxml', notes: software ? [`It was written by ${software}.`] : [] };
}

/** What the check shows, in plain words (the first line is the verdict). */
export function describeCheck(check: FileCheck): string {
  if (check.status === 'unreadable') {
    return `Cannot check this ${check.format ? FORMAT_NAMES[check.format] : 'file'}: ${check.reason}.`;
  }
  const kind = FORMAT_NAMES[check.format];
  if (check.status === 'none') return [`No provenance found in this ${kind}.`, ...check.notes].join('\n');
  return [`Riffroom provenance found in this ${kind}.`, describeProvenance(check.record)].join('\n');
}
