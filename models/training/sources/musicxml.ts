/**
 * Reads a partwise MusicXML lead sheet (one melody plus chord symbols) into core ticks.
 * Only what a lead sheet needs: the first part, its first voice, ties merged into single notes,
 * <harmony> symbols, the first time and key signature and the first tempo. Repeats are read as
 * written (not unrolled), grace notes are dropped (they take no notated time).
 *
 * It works in two steps: each <measure> is read into events at positions inside the measure,
 * then measures are laid end to end. The second step is where a pickup (anacrusis) is handled:
 * it is placed at the END of bar 0, so the first full measure starts at bar 1 and every downbeat
 * lands on a bar line of the piece's meter.
 */
import { TICKS_PER_QUARTER, ticksPerBar, ticksPerBeat, type Meter, type Ticks } from '../../../core/time.ts';
import type { Key, NoteInput } from '../../../core/song/types.ts';
import type { PieceChord } from '../piece.ts';
import { childElements, childText, firstChild, parseXml, textOf, type XmlElement } from '../../../core/musicxml/xml.ts';
import { harmonyQuality, spreadStackedSymbols, type PlacedSymbol } from '../../../core/musicxml/harmony.ts';
import { MusicXmlFormatError } from '../../../core/musicxml/errors.ts';

/** One error class for unreadable scores, whichever reader (this one or the app's) found it. */
export { MusicXmlFormatError as MusicXmlError };

export interface LeadSheetChord extends PieceChord {
  /** Pitch class of a slash bass (<bass>), or null. */
  bass: number | null;
}

export interface LeadSheet {
  /** The first <time> of the part; `options.fallbackMeter` or 4/4 when it has none (see meterSource). */
  meter: Meter;
  meterSource: 'score' | 'fallback' | 'default';
  /** From the first <key> (fifths + mode); null when the part has none. */
  key: Key | null;
  /** Quarter notes per minute from the first <sound tempo> or <metronome>; null when neither. */
  bpm: number | null;
  /** Melody notes, sorted by tick then pitch, ties merged. */
  notes: NoteInput[];
  /**
   * Chord symbols sorted by tick; at most one per tick (the last written wins). Symbols stacked at
   * one position are spread over the note they sit on (see spreadStackedSymbols).
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
const STEP_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
/** Tied notes whose ends meet within this many ticks (rounding) are merged. */
const TIE_SLACK = 2;

/** A note as read inside one measure: positions in unrounded ticks from the measure start. */
interface RawNote {
  start: number;
  end: number;
  pitch: number;
  tieStart: boolean;
  tieStop: boolean;
}

interface RawMeasure {
  notes: RawNote[];
  chords: PlacedSymbol<LeadSheetChord>[];
  /** How far the measure's content reaches (ticks). 0 for an empty measure. */
  length: number;
  /** Bar length of the meter in force (ticks). */
  nominal: number;
}

/** Everything that carries over from one measure to the next while reading. */
interface ReadState {
  divisions: number | null;
  /** The first <time>: the piece's meter. */
  meter: Meter | null;
  /** The <time> in force, for the bar length of empty measures after a meter change. */
  currentMeter: Meter | null;
  key: Key | null;
  /** Semitones from written to sounding pitch (<transpose>). */
  transpose: number;
  bpm: number | null;
  melodyVoice: string | null;
  warnings: Set<string>;
}

/** Parses MusicXML text (or an already parsed document) into a lead sheet. */
export function readMusicXml(xml: string | XmlElement, options: MusicXmlOptions = {}): LeadSheet {
  const root = typeof xml === 'string' ? parseXml(xml) : xml;
  if (root.name === 'score-timewise') throw new MusicXmlFormatError('timewise MusicXML is not supported');
  if (root.name !== 'score-partwise') throw new MusicXmlFormatError(`not a MusicXML score (root <${root.name}>)`);
  const parts = childElements(root, 'part');
  const part = parts[0];
  if (!part) throw new MusicXmlFormatError('the score has no <part>');

  const state: ReadState = {
    divisions: null,
    meter: null,
    currentMeter: null,
    key: null,
    transpose: 0,
    bpm: null,
    melodyVoice: null,
    warnings: new Set(),
  };
  if (parts.length > 1) state.warnings.add(`${parts.length} parts: only the first is read`);
  const fallbackMeter = options.fallbackMeter ?? { numerator: 4, denominator: 4 };
  const measures = childElements(part, 'measure').map((m) => readMeasure(m, state, fallbackMeter));
  if (!measures.length) throw new MusicXmlFormatError('the first part has no measures');

  const meter = state.meter ?? fallbackMeter;
  const layout = layOut(measures);
  const velocity = options.velocity ?? DEFAULT_VELOCITY;
  return {
    meter,
    meterSource: state.meter ? 'score' : options.fallbackMeter ? 'fallback' : 'default',
    key: state.key,
    bpm: state.bpm,
    notes: mergeTies(measures, layout.starts, velocity),
    chords: placeChords(measures, layout.starts),
    measures: measures.length,
    lengthTicks: Math.round(layout.end),
    pickupTicks: layout.pickup,
    warnings: [...state.warnings],
  };
}

function readMeasure(measure: XmlElement, state: ReadState, fallbackMeter: Meter): RawMeasure {
  const out: RawMeasure = { notes: [], chords: [], length: 0, nominal: 0 };
  let pos = 0; // ticks from the measure start, unrounded
  let lastStart = 0; // where the previous note began, for <chord/> notes
  const onsets: number[] = []; // note and rest starts in any voice, for spreading stacked symbols
  const toTicks = (el: XmlElement, name: string): number => {
    const value = Number(childText(el, name) ?? 0);
    // Negative values are legal only for <offset>; elsewhere they would run time backwards.
    if (!Number.isFinite(value) || (value < 0 && name !== 'offset'))
      throw new MusicXmlFormatError(`bad <${name}> "${childText(el, name)}"`);
    if (value && !state.divisions) throw new MusicXmlFormatError('a duration comes before any <divisions>');
    return value ? (value * TICKS_PER_QUARTER) / state.divisions! : 0;
  };

  for (const child of measure.children) {
    if (typeof child === 'string') continue;
    switch (child.name) {
      case 'attributes':
        readAttributes(child, state);
        break;
      case 'note': {
        if (firstChild(child, 'grace')) break;
        const duration = toTicks(child, 'duration');
        const start = firstChild(child, 'chord') ? lastStart : pos;
        if (!firstChild(child, 'chord')) {
          onsets.push(pos);
          pos += duration;
        }
        lastStart = start;
        out.length = Math.max(out.length, pos);
        const voice = childText(child, 'voice') ?? '1';
        state.melodyVoice ??= voice;
        if (voice !== state.melodyVoice || firstChild(child, 'cue')) break;
        const pitch = readPitch(child, state);
        if (pitch === null || duration <= 0) break;
        out.notes.push({ start, end: start + duration, pitch, ...readTie(child) });
        break;
      }
      case 'backup':
        pos -= toTicks(child, 'duration');
        if (pos < -1e-6) {
          state.warnings.add('<backup> past the start of a measure');
          pos = 0;
        }
        break;
      case 'forward':
        pos += toTicks(child, 'duration');
        out.length = Math.max(out.length, pos);
        break;
      case 'harmony': {
        const chord = readHarmony(child, state);
        const exact = firstChild(child, 'offset') !== undefined;
        const offset = exact ? toTicks(child, 'offset') : 0;
        if (chord) out.chords.push({ at: Math.max(0, pos + offset), chord, exact });
        break;
      }
      case 'direction':
        readTempo(child, state);
        break;
      case 'sound':
        readSoundTempo(child, state);
        break;
    }
  }
  const meter = state.currentMeter ?? fallbackMeter;
  out.nominal = ticksPerBar(meter);
  out.chords = spreadStackedSymbols(out.chords, onsets, out.length || out.nominal, beatTicks(meter), sameChord);
  return out;
}

function readAttributes(attributes: XmlElement, state: ReadState): void {
  const divisions = childText(attributes, 'divisions');
  if (divisions !== undefined) {
    const value = Number(divisions);
    if (!(value > 0) || !Number.isFinite(value)) throw new MusicXmlFormatError(`bad <divisions> "${divisions}"`);
    state.divisions = value;
  }
  const time = firstChild(attributes, 'time');
  if (time) {
    const meter = readTime(time);
    if (meter) state.currentMeter = meter;
    if (meter && !state.meter) state.meter = meter;
    else if (meter && (meter.numerator !== state.meter!.numerator || meter.denominator !== state.meter!.denominator)) {
      state.warnings.add(`meter changes from ${state.meter!.numerator}/${state.meter!.denominator} (the first is kept)`);
    }
  }
  const transpose = firstChild(attributes, 'transpose');
  if (transpose) {
    state.transpose = Number(childText(transpose, 'chromatic') ?? 0) + 12 * Number(childText(transpose, 'octave-change') ?? 0) || 0;
  }
  const keyElement = firstChild(attributes, 'key');
  const fifthsText = keyElement && childText(keyElement, 'fifths');
  if (keyElement && fifthsText !== undefined) {
    const fifths = Number(fifthsText);
    if (!Number.isInteger(fifths)) throw new MusicXmlFormatError(`bad <fifths> "${fifthsText}"`);
    const mode = childText(keyElement, 'mode')?.toLowerCase();
    const minor = mode === 'minor' || mode === 'aeolian';
    // The major key with this signature is `fifths` steps round the circle of fifths from C;
    // its relative minor is a minor third below. Written pitch, so the transposition applies.
    const tonic = mod12(fifths * 7 + (minor ? 9 : 0) + state.transpose);
    const key: Key = { tonic, mode: minor ? 'minor' : 'major' };
    if (!state.key) state.key = key;
    else if (state.key.tonic !== key.tonic || state.key.mode !== key.mode) state.warnings.add('key changes (the first is kept)');
  }
}

/** "3/4", "6/8"; compound beats like "3+2" are summed; a senza-misura time gives null. */
function readTime(time: XmlElement): Meter | null {
  const beats = childText(time, 'beats');
  const beatType = Number(childText(time, 'beat-type'));
  if (beats === undefined || !Number.isInteger(beatType) || beatType <= 0) return null;
  const numerator = beats.split('+').reduce((sum, b) => sum + Number(b), 0);
  return Number.isInteger(numerator) && numerator > 0 ? { numerator, denominator: beatType } : null;
}

function readPitch(note: XmlElement, state: ReadState): number | null {
  const pitch = firstChild(note, 'pitch');
  if (!pitch) return null; // rests and unpitched (percussion) notes
  const step = STEP_PC[childText(pitch, 'step')?.toUpperCase() ?? ''];
  const octave = Number(childText(pitch, 'octave'));
  if (step === undefined || !Number.isInteger(octave)) throw new MusicXmlFormatError(`bad <pitch> in a note`);
  // Microtonal alters (0.5) round to the nearest semitone.
  const midi = (octave + 1) * 12 + step + Math.round(Number(childText(pitch, 'alter') ?? 0) || 0) + state.transpose;
  if (midi < 0 || midi > 127) {
    state.warnings.add('notes outside the MIDI range were dropped');
    return null;
  }
  return midi;
}

/** <tie> is the sounding tie; <notations><tied> the drawn one. Editors write both; trust either. */
function readTie(note: XmlElement): { tieStart: boolean; tieStop: boolean } {
  const types: string[] = childElements(note, 'tie').map((t) => t.attributes.type ?? '');
  for (const notations of childElements(note, 'notations')) {
    for (const tied of childElements(notations, 'tied')) types.push(tied.attributes.type ?? '');
  }
  return {
    tieStart: types.includes('start') || types.includes('continue'),
    tieStop: types.includes('stop') || types.includes('continue'),
  };
}

function readHarmony(harmony: XmlElement, state: ReadState): LeadSheetChord | null {
  const kindElement = firstChild(harmony, 'kind');
  const kind = kindElement ? textOf(kindElement) : '';
  const root = firstChild(harmony, 'root');
  const rootPc = root ? stepPitchClass(root, 'root-step', 'root-alter', state) : null;
  const mapped = harmonyQuality(kind, kindElement?.attributes.text);
  if (mapped.warning) state.warnings.add(mapped.warning);
  if (kind === 'none') return { tick: 0, root: null, quality: 'maj', bass: null };
  if (rootPc === null) {
    // A <function> (roman numeral) with no <root> names no pitch we can use.
    state.warnings.add('chord symbols without a <root> were dropped');
    return null;
  }
  const bass = firstChild(harmony, 'bass');
  return { tick: 0, root: rootPc, quality: mapped.quality, bass: bass ? stepPitchClass(bass, 'bass-step', 'bass-alter', state) : null };
}

function stepPitchClass(element: XmlElement, stepName: string, alterName: string, state: ReadState): number | null {
  const step = STEP_PC[childText(element, stepName)?.toUpperCase() ?? ''];
  if (step === undefined) return null;
  return mod12(step + Math.round(Number(childText(element, alterName) ?? 0) || 0) + state.transpose);
}

/** The first tempo wins: <sound tempo> (quarters per minute by definition) before <metronome>. */
function readTempo(direction: XmlElement, state: ReadState): void {
  if (state.bpm !== null) return;
  const sound = firstChild(direction, 'sound');
  if (sound) readSoundTempo(sound, state);
  if (state.bpm !== null) return;
  for (const type of childElements(direction, 'direction-type')) {
    const metronome = firstChild(type, 'metronome');
    if (!metronome) continue;
    const perMinute = Number(childText(metronome, 'per-minute'));
    const unit = BEAT_UNIT_QUARTERS[childText(metronome, 'beat-unit') ?? ''];
    if (!(perMinute > 0) || unit === undefined) continue;
    const dotted = firstChild(metronome, 'beat-unit-dot') ? 1.5 : 1;
    state.bpm = perMinute * unit * dotted;
    return;
  }
}

const BEAT_UNIT_QUARTERS: Record<string, number> = {
  whole: 4,
  half: 2,
  quarter: 1,
  eighth: 0.5,
  '16th': 0.25,
  '32nd': 0.125,
};

function readSoundTempo(sound: XmlElement, state: ReadState): void {
  const tempo = Number(sound.attributes.tempo);
  if (state.bpm === null && tempo > 0) state.bpm = tempo;
}

/**
 * Measure start ticks. Measures follow one another as written (a short measure is not padded,
 * so a bar split in two around a repeat sign still adds up to one bar); an empty measure takes
 * its meter's full bar. A first measure shorter than its bar is a pickup: it is padded at its
 * start so it ends where bar 1 begins. (implicit="yes" adds nothing: an implicit measure that is
 * not short needs no padding, and a short one is found by its length.)
 */
function layOut(measures: RawMeasure[]): { starts: number[]; end: number; pickup: Ticks } {
  const starts: number[] = [];
  let at = 0;
  let pickup = 0;
  measures.forEach((m, i) => {
    const length = m.length > 1e-6 ? m.length : m.nominal;
    if (i === 0 && length < m.nominal - 1e-6) {
      pickup = Math.round(length);
      starts.push(m.nominal - length);
      at = m.nominal;
      return;
    }
    starts.push(at);
    at += length;
  });
  return { starts, end: at, pickup };
}

/** Places notes, then joins each tie chain (same pitch, end meets start) into one note. */
function mergeTies(measures: RawMeasure[], starts: number[], velocity: number): NoteInput[] {
  const placed = measures.flatMap((m, i) =>
    m.notes.map((n) => ({ ...n, tick: Math.round(starts[i]! + n.start), end: Math.round(starts[i]! + n.end) })),
  );
  placed.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  const notes: NoteInput[] = [];
  const open = new Map<number, NoteInput>(); // pitch -> note whose tie is still open
  for (const n of placed) {
    const tied = open.get(n.pitch);
    if (n.tieStop && tied && Math.abs(tied.tick + tied.duration - n.tick) <= TIE_SLACK) {
      tied.duration = n.end - tied.tick;
      if (!n.tieStart) open.delete(n.pitch);
      continue;
    }
    if (n.end <= n.tick) continue; // rounded away
    const note: NoteInput = { pitch: n.pitch, tick: n.tick, duration: n.end - n.tick, velocity };
    notes.push(note);
    if (n.tieStart) open.set(n.pitch, note);
    else open.delete(n.pitch);
  }
  return notes;
}

function placeChords(measures: RawMeasure[], starts: number[]): LeadSheetChord[] {
  const byTick = new Map<number, LeadSheetChord>();
  measures.forEach((m, i) => {
    for (const { at, chord } of m.chords) {
      const tick = Math.round(starts[i]! + at);
      byTick.delete(tick); // re-insert so the last symbol written at a tick wins
      byTick.set(tick, { ...chord, tick });
    }
  });
  return [...byTick.values()].sort((a, b) => a.tick - b.tick);
}

/** The felt beat: a dotted quarter in compound meters (6/8, 9/8, 12/8), else the denominator. */
function beatTicks(meter: Meter): number {
  const compound = meter.denominator === 8 && meter.numerator % 3 === 0 && meter.numerator > 3;
  return compound ? 3 * ticksPerBeat(meter) : ticksPerBeat(meter);
}

function sameChord(a: LeadSheetChord, b: LeadSheetChord): boolean {
  return a.root === b.root && a.quality === b.quality && a.bass === b.bass;
}

function mod12(n: number): number {
  return ((n % 12) + 12) % 12;
}
