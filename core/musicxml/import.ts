/**
 * MusicXML scores into the arrangement, the way core/midi/midi-import.ts brings MIDI files in:
 * through the typed edits of core/song, one labelled history entry per import, and every value
 * checked before the first write. A malformed score throws MusicXmlFormatError or XmlParseError,
 * a score the song cannot hold throws EditError; either way the document is left unchanged.
 * These take the score's text: musicXmlFileText (mxl.ts) gets it from .musicxml or .mxl bytes.
 */
import type * as Y from 'yjs';
import { ticksPerBar, type Meter, type Ticks } from '../time.ts';
import { roleForProgram } from '../midi/general-midi.ts';
import {
  addBookmark,
  addClip,
  addTrack,
  labelledEdit,
  setChords,
  setKey,
  setMeter,
  setTempo,
  setTitle,
  type EditOptions,
} from '../song/edits.ts';
import { readMeta } from '../song/schema.ts';
import type { Provenance, TrackRole } from '../song/types.ts';
import { EditError, MAX_BARS, checkMeter, checkNote } from '../song/validate.ts';
import { barsCovering, checkLength, fitNote, plural } from '../song/import-fit.ts';
import { readScore, type ReadScore, type ScoreChord, type ScorePart } from './read.ts';

export interface MusicXmlImportOptions extends EditOptions {
  /** Kept in each clip's provenance so the user can tell where it came from. */
  fileName?: string;
}

export interface MusicXmlIntoTrackOptions extends MusicXmlImportOptions {
  /** Clip name; defaults to the score's title, or its only part's name. */
  name?: string;
  /** Also write the score's chord symbols onto the chord lane over the clip's bars (default true). */
  chords?: boolean;
}

export interface MusicXmlSongImport {
  trackIds: string[];
  clipIds: string[];
  chordCount: number;
  /** What the score holds that the song leaves out or had to change, in words for the user. */
  warnings: string[];
}

const MIN_BPM = 20;
const MAX_BPM = 400;
const MAX_NAME_LENGTH = 100;
const MAX_TITLE_LENGTH = 200;
const DEFAULT_METER: Meter = { numerator: 4, denominator: 4 };

/** The track role a part suggests: drums by its staff, else its MIDI program, else its name. */
export function roleForPart(part: ScorePart): TrackRole {
  if (part.percussion) return 'drums';
  if (part.program !== null) return roleForProgram(part.program, 0);
  const name = part.name.toLowerCase();
  if (/bass(?!oon)/.test(name)) return 'bass';
  if (/drum|perc|kit/.test(name)) return 'drums';
  if (/piano|keys|keyboard|organ|guitar|harp/.test(name)) return 'keys';
  if (/pad|string/.test(name)) return 'other';
  return 'lead'; // a lead sheet's melody, a voice, a horn
}

/**
 * A lead sheet (one pitched part under chord symbols) holds a melody, whatever instrument its
 * editor left in it (OpenEWLD's are mostly "Piano" or "Electric Piano" with no name at all).
 */
function isLeadSheet(score: ReadScore): boolean {
  const withNotes = score.parts.filter((p) => p.notes.length);
  return withNotes.length === 1 && !withNotes[0]!.percussion && score.chords.length > 0;
}

function partRole(score: ReadScore, part: ScorePart): TrackRole {
  return isLeadSheet(score) ? 'lead' : roleForPart(part);
}

function partName(score: ReadScore, part: ScorePart, index: number): string {
  return (part.name || (isLeadSheet(score) ? 'Melody' : `Part ${index + 1}`)).slice(0, MAX_NAME_LENGTH);
}

function provenance(parts: string[], options: MusicXmlImportOptions): Provenance {
  const detail: Record<string, unknown> = { format: 'musicxml', parts };
  if (options.fileName !== undefined) detail.fileName = options.fileName;
  return { source: 'import', detail };
}

function songMeter(meter: Meter, warnings: string[]): Meter {
  try {
    return checkMeter(meter);
  } catch (error) {
    if (!(error instanceof EditError)) throw error;
    warnings.push(`the score's meter ${meter.numerator}/${meter.denominator} is not supported; 4/4 is used`);
    return { ...DEFAULT_METER };
  }
}

/** The score's chord symbols moved by `offset`, those before `end` (the last one cut there). */
function chordsFrom(score: ReadScore, offset: Ticks, end: Ticks): { tick: Ticks; duration: Ticks; symbol: string }[] {
  return score.chords
    .map((c: ScoreChord) => ({ tick: c.tick + offset, duration: Math.min(c.duration, end - c.tick - offset), symbol: c.symbol }))
    .filter((c) => c.tick < end && c.duration > 0);
}

/** A summary for a dialog, before anything is written. Throws on a malformed score. */
export interface MusicXmlSummary {
  title: string;
  noteCount: number;
  chordCount: number;
  partNames: string[];
  suggestedRole: TrackRole;
  suggestedName: string;
  warnings: string[];
}

export function summarizeMusicXml(text: string): MusicXmlSummary {
  const score = readScore(text);
  const busiest = [...score.parts].sort((a, b) => b.notes.length - a.notes.length)[0];
  return {
    title: score.title,
    noteCount: score.parts.reduce((n, p) => n + p.notes.length, 0),
    chordCount: score.chords.length,
    partNames: score.parts.map((p) => p.name),
    suggestedRole: busiest ? partRole(score, busiest) : 'lead',
    suggestedName: (score.title || (score.parts.length === 1 ? score.parts[0]!.name : '')).slice(0, MAX_NAME_LENGTH),
    warnings: score.warnings,
  };
}

/**
 * Imports a whole score into the song: tempo, meter, key and title from it, one new track (with
 * one clip from bar 1) per part that has notes, its chord symbols on the chord lane (replacing
 * the lane's chords over the score's length) and its rehearsal marks as bookmarks. One history entry.
 */
export function importMusicXmlSong(doc: Y.Doc, text: string, options: MusicXmlImportOptions = {}): MusicXmlSongImport {
  const score = readScore(text);
  const warnings = [...score.warnings];
  const meter = songMeter(score.meter, warnings);
  const barTicks = ticksPerBar(meter);
  let bpm: number | null = null;
  if (score.bpm !== null) {
    bpm = Math.min(MAX_BPM, Math.max(MIN_BPM, Math.round(score.bpm * 100) / 100));
    if (bpm !== score.bpm) warnings.push(`the score's tempo of ${score.bpm} BPM is outside ${MIN_BPM}..${MAX_BPM}; ${bpm} BPM is used`);
  }
  const title = score.title.slice(0, MAX_TITLE_LENGTH);
  const planned = score.parts
    .filter((p) => p.notes.length)
    .map((p, i) => {
      const notes = p.notes.map(fitNote);
      const lengthBars = barsCovering(notes, barTicks, score.lengthTicks);
      const name = partName(score, p, i);
      checkLength(lengthBars, 0, `part "${name}"`);
      for (const n of notes) checkNote(n, lengthBars * barTicks);
      return { name, role: partRole(score, p), notes, lengthBars };
    });
  const emptyParts = score.parts.length - planned.length;
  if (emptyParts) warnings.push(`${plural(emptyParts, 'part')} without notes left out`);
  const endBars = Math.max(1, ...planned.map((p) => p.lengthBars), Math.ceil(score.lengthTicks / barTicks));
  checkLength(endBars, 0, 'the score');
  const chords = chordsFrom(score, 0, endBars * barTicks);
  // Rehearsal marks become section bookmarks at their bar (one per bar, the first written).
  const sections: { name: string; bar: number }[] = [];
  for (const s of score.sections) {
    const bar = Math.floor(s.tick / barTicks);
    if (bar < MAX_BARS && !sections.some((x) => x.bar === bar)) sections.push({ name: s.name.slice(0, MAX_NAME_LENGTH), bar });
  }
  if (!planned.length && !chords.length) throw new EditError('the score has no notes and no chord symbols to import');

  const trackIds: string[] = [];
  const clipIds: string[] = [];
  const label = `imported MusicXML${title ? ` "${title}"` : ''} with ${plural(planned.length, 'track')}`;
  labelledEdit(
    doc,
    label,
    () => {
      if (bpm !== null) setTempo(doc, bpm, options);
      setMeter(doc, meter, options);
      if (score.key) setKey(doc, score.key, options);
      if (title) setTitle(doc, title, options);
      if (chords.length) setChords(doc, 0, endBars * barTicks, chords, options);
      for (const s of sections) addBookmark(doc, s.name, s.bar, options);
      for (const t of planned) {
        const trackId = addTrack(doc, { name: t.name, role: t.role }, options);
        const source = provenance([t.name], options);
        clipIds.push(
          addClip(doc, { trackId, startBar: 0, lengthBars: t.lengthBars, name: t.name, notes: t.notes, provenance: source }, options),
        );
        trackIds.push(trackId);
      }
    },
    options,
  );
  return { trackIds, clipIds, chordCount: chords.length, warnings };
}

/**
 * Imports every part's notes (merged) as one new clip on an existing track from `startBar`, in the
 * song's meter, and (unless options.chords is false) the score's chord symbols over that clip.
 * Returns the new clip's id.
 */
export function importMusicXmlIntoTrack(
  doc: Y.Doc,
  trackId: string,
  text: string,
  startBar: number,
  options: MusicXmlIntoTrackOptions = {},
): string {
  const score = readScore(text);
  const barTicks = ticksPerBar(readMeta(doc).meter);
  const notes = score.parts.flatMap((p) => p.notes.map(fitNote)).sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  const lengthBars = barsCovering(notes, barTicks, score.lengthTicks);
  checkLength(lengthBars, startBar, 'the score');
  const from = startBar * barTicks;
  const to = from + lengthBars * barTicks;
  const chords = options.chords === false ? [] : chordsFrom(score, from, to);
  const name = (options.name ?? (score.title || (score.parts.length === 1 ? score.parts[0]!.name : ''))).slice(0, MAX_NAME_LENGTH);
  for (const n of notes) checkNote(n, lengthBars * barTicks);
  return labelledEdit(
    doc,
    `imported ${plural(notes.length, 'note')}${chords.length ? ` and ${plural(chords.length, 'chord')}` : ''} from MusicXML`,
    () => {
      // The clip first: addClip checks the track before it writes, and the chords cannot fail after.
      const clipId = addClip(
        doc,
        {
          trackId,
          startBar,
          lengthBars,
          name,
          notes,
          provenance: provenance(
            score.parts.map((p) => p.name),
            options,
          ),
        },
        options,
      );
      if (chords.length) setChords(doc, from, to, chords, options);
      return clipId;
    },
    options,
  );
}
