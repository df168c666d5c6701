/**
 * MIDI files into the arrangement, through the typed edits of core/song so every import is a
 * labelled history entry. Each import validates the whole file and every resulting value before
 * its first write: a malformed file throws MidiFormatError, a file the song cannot hold throws
 * EditError, and in both cases the document is left unchanged.
 */
import type * as Y from 'yjs';
import { ticksPerBar, type Meter } from '../time.ts';
import { addClip, addTrack, labelledEdit, setKey, setMeter, setTempo, setTitle, type EditOptions } from '../song/edits.ts';
import { readMeta } from '../song/schema.ts';
import type { Key, NoteInput, Provenance, TrackRole } from '../song/types.ts';
import { EditError, checkMeter, checkNote } from '../song/validate.ts';
import { barsCovering, checkLength, fitNote, plural } from '../song/import-fit.ts';
import { detectKey, type KeyEstimate } from '../analysis/key.ts';
import { detectTrackRole } from '../analysis/track-role.ts';
import { DEFAULT_METER, readMidi } from './midi-read.ts';

export interface MidiSongImportOptions extends EditOptions {
  /** Kept in each clip's provenance so the user can tell where it came from. */
  fileName?: string;
}

export interface MidiImportOptions extends MidiSongImportOptions {
  /** Clip name; defaults to the file's title, or its only track's name. */
  name?: string;
}

const MIN_BPM = 20;
const MAX_BPM = 400;
const MAX_NAME_LENGTH = 100;
const MAX_TITLE_LENGTH = 200;

function provenance(fileTrackNames: string[], options: MidiSongImportOptions): Provenance {
  const detail: Record<string, unknown> = { format: 'midi', tracks: fileTrackNames };
  if (options.fileName !== undefined) detail.fileName = options.fileName;
  return { source: 'import', detail };
}

/**
 * Imports all notes of a MIDI file (every track merged) as one new clip on an existing track,
 * starting at `startBar`, in the song's current meter. Returns the new clip's id.
 */
export function importMidiIntoTrack(
  doc: Y.Doc,
  trackId: string,
  bytes: Uint8Array,
  startBar: number,
  options: MidiImportOptions = {},
): string {
  const midi = readMidi(bytes);
  const notes = midi.tracks.flatMap((t) => t.notes.map(fitNote)).sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  const lengthBars = barsCovering(notes, ticksPerBar(readMeta(doc).meter));
  checkLength(lengthBars, startBar, 'the MIDI file');
  const name = (options.name ?? (midi.title || (midi.tracks.length === 1 ? midi.tracks[0]!.name : ''))).slice(0, MAX_NAME_LENGTH);
  // addClip validates everything before it writes; the outer edit only gives the entry a clearer label.
  return labelledEdit(
    doc,
    `imported ${plural(notes.length, 'note')} from MIDI`,
    () =>
      addClip(
        doc,
        {
          trackId,
          startBar,
          lengthBars,
          name,
          notes,
          provenance: provenance(
            midi.tracks.map((t) => t.name),
            options,
          ),
        },
        options,
      ),
    options,
  );
}

export interface MidiSongImport {
  trackIds: string[];
  clipIds: string[];
  /** What the file holds that the song leaves out or had to change, in words for the user. */
  warnings: string[];
  /**
   * When the file names no key: the key its notes sound in (null: no pitched notes). The song
   * takes it unless the estimate's confidence is 'low'; the user is told either way.
   */
  detectedKey: KeyEstimate | null;
  /** The key the song was given: the file's, the detected one, or null (the song's key was left as it was). */
  key: Key | null;
}

interface PlannedTrack {
  name: string;
  role: TrackRole;
  notes: NoteInput[];
  lengthBars: number;
}

function songMeter(meter: Meter, warnings: string[]): Meter {
  try {
    return checkMeter(meter);
  } catch (error) {
    if (!(error instanceof EditError)) throw error;
    warnings.push(`the file's meter ${meter.numerator}/${meter.denominator} is not supported; 4/4 is used`);
    return { ...DEFAULT_METER };
  }
}

function songTempo(bpm: number, warnings: string[]): number {
  const fitted = Math.min(MAX_BPM, Math.max(MIN_BPM, bpm));
  if (fitted !== bpm) warnings.push(`the file's tempo of ${bpm} BPM is outside ${MIN_BPM}..${MAX_BPM}; ${fitted} BPM is used`);
  return fitted;
}

/**
 * Imports a whole MIDI file into the song: tempo, meter, key and title from the file, and one new
 * track (with one clip from bar 1) per file track that has notes, in the role its channel, program
 * and notes suggest (core/analysis/track-role.ts). A file without a key signature gets the key
 * its notes sound in, when that is clear enough. One history entry.
 */
export function importMidiSong(doc: Y.Doc, bytes: Uint8Array, options: MidiSongImportOptions = {}): MidiSongImport {
  const midi = readMidi(bytes);
  const warnings = [...midi.warnings];
  const meter = songMeter(midi.meter, warnings);
  const bpm = songTempo(midi.bpm, warnings);
  const title = midi.title.slice(0, MAX_TITLE_LENGTH);
  const barTicks = ticksPerBar(meter);
  const planned: PlannedTrack[] = midi.tracks.map((t) => {
    const notes = t.notes.map(fitNote);
    const lengthBars = barsCovering(notes, barTicks);
    checkLength(lengthBars, 0, `track "${t.name}"`);
    // The same checks addClip makes, done now so that no edit below can fail halfway through.
    for (const n of notes) checkNote(n, lengthBars * barTicks);
    return { name: t.name.slice(0, MAX_NAME_LENGTH), role: detectTrackRole(t, meter).role, notes, lengthBars };
  });
  // Drum notes are kit pieces, not pitches: the key is heard in the other tracks.
  const detectedKey = midi.key ? null : detectKey(planned.filter((t) => t.role !== 'drums').flatMap((t) => t.notes));
  const key = midi.key ?? (detectedKey && detectedKey.confidence !== 'low' ? detectedKey.key : null);

  const trackIds: string[] = [];
  const clipIds: string[] = [];
  const label = `imported MIDI${title ? ` "${title}"` : ''} with ${plural(planned.length, 'track')}`;
  labelledEdit(
    doc,
    label,
    () => {
      setTempo(doc, bpm, options);
      setMeter(doc, meter, options);
      if (key) setKey(doc, key, options);
      if (title) setTitle(doc, title, options);
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
  return { trackIds, clipIds, warnings, detectedKey, key };
}
