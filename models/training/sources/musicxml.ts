/**
 * A partwise MusicXML lead sheet (one melody plus chord symbols) for the training pipeline: a view
 * of the app's score reader (core/musicxml/read.ts), which reads pitches, durations, ties, chord
 * symbols, key, meter, tempo and the pickup. The melody is the first voice of the first part (the
 * other parts are reported and dropped); the chord symbols are every part's, N.C. included.
 * Repeats are read as written (not unrolled), grace notes are dropped (they take no notated time),
 * and a pickup is placed at the END of bar 0, so the first full measure starts at bar 1 and every
 * downbeat lands on a bar line of the piece's meter.
 */
import type { Meter, Ticks } from '../../../core/time.ts';
import type { Key, NoteInput } from '../../../core/song/types.ts';
import type { PieceChord } from '../piece.ts';
import type { XmlElement } from '../../../core/musicxml/xml.ts';
import { readScore } from '../../../core/musicxml/read.ts';
import { MusicXmlFormatError } from '../../../core/musicxml/errors.ts';

/** One error class for unreadable scores, whichever reader (this one or the app's) found it. */
export { MusicXmlFormatError as MusicXmlError };

export interface LeadSheetChord extends PieceChord {
  /** Pitch class of a slash bass (<bass>) other than the root, or null. */
  bass: number | null;
}

export interface LeadSheet {
  /** The first <time> of the score; `options.fallbackMeter` or 4/4 when it has none (see meterSource). */
  meter: Meter;
  meterSource: 'score' | 'fallback' | 'default';
  /** From the first <key> (fifths + mode); null when the score has none. */
  key: Key | null;
  /** Quarter notes per minute from the first <sound tempo> or <metronome>; null when neither. */
  bpm: number | null;
  /** Melody notes, sorted by tick then pitch, ties merged. */
  notes: NoteInput[];
  /**
   * Chord symbols sorted by tick; at most one per tick (the last written wins). Symbols stacked at
   * one position are spread over the note they sit on (core/musicxml/harmony.ts spreadStackedSymbols).
   */
  chords: LeadSheetChord[];
  /** Number of <measure> elements (a pickup counts as one). */
  measures: number;
  /** Where the last measure ends. */
  lengthTicks: Ticks;
  /** Length of the pickup measure, 0 when the score starts on a downbeat. */
  pickupTicks: Ticks;
  /** Things read but not representable (meter or key changes, unknown chord kinds...). */
  warnings: string[];
}

export interface MusicXmlOptions {
  /** Meter to lay measures out with when the score has no <time> (e.g. from dataset metadata). */
  fallbackMeter?: Meter;
  /** Velocity given to every note; lead sheets carry no usable dynamics. Default 90. */
  velocity?: number;
}

const DEFAULT_VELOCITY = 90;

/** Parses MusicXML text (or an already parsed document) into a lead sheet. */
export function readMusicXml(xml: string | XmlElement, options: MusicXmlOptions = {}): LeadSheet {
  const score = readScore(xml, { fallbackMeter: options.fallbackMeter, firstVoiceOnly: true, stackRepeatsByChord: true });
  const velocity = options.velocity ?? DEFAULT_VELOCITY;
  // The app reads unpitched notes as drums; a drum part holds no melody.
  const first = score.parts[0];
  const melody = first && !first.percussion ? first.notes : [];
  const warnings = [...score.warnings];
  if (score.parts.length > 1) warnings.unshift(`${score.parts.length} parts: only the first is read`);
  return {
    meter: score.meter,
    meterSource: score.meterInScore ? 'score' : options.fallbackMeter ? 'fallback' : 'default',
    key: score.key,
    bpm: score.bpm,
    notes: melody.map((n) => ({ ...n, velocity })),
    // N.C. keeps its place as a chord without a root: it ends the chord before it.
    chords: score.harmonies.map(({ tick, chord }) =>
      chord ? { tick, root: chord.root, quality: chord.quality, bass: chord.bass } : { tick, root: null, quality: 'maj', bass: null },
    ),
    measures: score.measures,
    lengthTicks: score.lengthTicks,
    pickupTicks: score.pickupTicks,
    warnings,
  };
}
