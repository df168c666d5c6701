/**
 * Reads a partwise MusicXML score into what a song holds: every part's sounding notes (all voices
 * and staves, chords, ties merged, tuplets by their durations, drums through their instruments'
 * MIDI keys), the chord symbols, and the first title, meter, key and tempo. Grace and cue notes
 * take no time and are dropped; repeats are read as written. Measures are laid end to end; a
 * first measure shorter than its bar is a pickup, placed at the end of bar 1 so every downbeat
 * after it lands on a bar line. Anything malformed throws MusicXmlFormatError or XmlParseError
 * before a caller writes anything. The training pipeline's lead-sheet reader
 * (models/training/sources/musicxml.ts) is a view of this one: the first voice of the first part
 * under the chord symbols.
 */
import { TICKS_PER_QUARTER, ticksPerBar, ticksPerBeat, type Meter, type Ticks } from '../time.ts';
import type { Key, NoteInput } from '../song/types.ts';
import { chordSymbol, parseChordSymbol, pitchClassName, type ChordName } from '../theory/chords.ts';
import { MusicXmlFormatError } from './errors.ts';
import { harmonyQuality, spreadStackedSymbols, type PlacedSymbol } from './harmony.ts';
import { keyOfFifths, pitchOf } from './spelling.ts';
import { childElements, childText, firstChild, parseXml, textOf, type XmlElement } from './xml.ts';
import { DYNAMICS_VELOCITY } from './write.ts';

export interface ScorePart {
  name: string;
  /** General MIDI program (0-based) of its first instrument, null when the file names none. */
  program: number | null;
  /** A percussion part: unpitched notes or a percussion clef. */
  percussion: boolean;
  /** Sounding notes from the score's start (tick 0 = the start of bar 1), sorted by tick then pitch. */
  notes: NoteInput[];
}

/** A chord symbol as read, at its tick; `chord` is null for N.C. (kind "none"). */
export interface ScoreHarmony {
  tick: Ticks;
  chord: ChordName | null;
}

export interface ScoreChord {
  tick: Ticks;
  /** Until the next symbol, an N.C. or the score's end. */
  duration: Ticks;
  symbol: string;
}

/** A rehearsal mark: a section's name where it starts. */
export interface ScoreSection {
  tick: Ticks;
  name: string;
}

export interface ReadScore {
  title: string;
  /** The first <time>; the fallback meter (default 4/4) when there is none. */
  meter: Meter;
  /** Whether the score has a <time>, i.e. `meter` is not the fallback. */
  meterInScore: boolean;
  key: Key | null;
  /** Quarter notes per minute from the first <sound tempo> or <metronome>; null when neither. */
  bpm: number | null;
  parts: ScorePart[];
  chords: ScoreChord[];
  /**
   * The chord symbols of every part before they become the chord lane's: one per tick (the last
   * written wins), N.C. included, sorted by tick.
   */
  harmonies: ScoreHarmony[];
  /** Rehearsal marks of every part, one per tick (the first written wins), sorted by tick. */
  sections: ScoreSection[];
  /** Measures of the longest part (a pickup counts as one). */
  measures: number;
  lengthTicks: Ticks;
  pickupTicks: Ticks;
  /** What was read but cannot be kept (meter or key changes...), in words for the user. */
  warnings: string[];
}

export interface ReadScoreOptions {
  /** Meter for a score without <time> (e.g. from a dataset's metadata). Default 4/4. */
  fallbackMeter?: Meter;
  /**
   * Keep only the notes of each part's first voice (the first <voice> of a note or rest; other
   * voices still take their time). A lead sheet's melody is one line.
   */
  firstVoiceOnly?: boolean;
  /**
   * In a stack of symbols at one position (harmony.ts spreadStackedSymbols), drop a repeat of the
   * same chord (root, quality, bass) even when written differently ("E7" then "E9"): one chord for
   * a reader that keeps only the quality. By default the stack keeps both, as written.
   */
  stackRepeatsByChord?: boolean;
}

const DEFAULT_METER: Meter = { numerator: 4, denominator: 4 };
/** Tied notes whose ends meet within this many ticks (rounding) are merged. */
const TIE_SLACK = 2;

interface RawNote {
  start: number;
  end: number;
  pitch: number;
  velocity: number;
  voice: string;
  tieStart: boolean;
  tieStop: boolean;
}

/** A chord symbol read; the flags keep a root or bass written flat spelled flat ("Db", not "C#"). */
type Harmony = { chord: ChordName; text: string | null; rootFlat: boolean; bassFlat: boolean } | 'none';

interface RawMeasure {
  notes: RawNote[];
  harmonies: PlacedSymbol<Harmony>[];
  rehearsals: { at: number; name: string }[];
  length: number;
  nominal: number;
}

interface PartState {
  divisions: number | null;
  transpose: number;
  meter: Meter | null;
  /** score-instrument id -> MIDI key (0-based) of a drum. */
  unpitched: Map<string, number>;
  percussion: boolean;
  /** The voice of the part's first note or rest. */
  firstVoice: string | null;
}

interface ScoreState {
  meter: Meter | null;
  key: Key | null;
  bpm: number | null;
  warnings: Set<string>;
  fallbackMeter: Meter;
  firstVoiceOnly: boolean;
  stackRepeatsByChord: boolean;
}

/** Parses MusicXML text (or an already parsed document). */
export function readScore(xml: string | XmlElement, options: ReadScoreOptions = {}): ReadScore {
  const root = typeof xml === 'string' ? parseXml(xml) : xml;
  if (root.name === 'score-timewise') throw new MusicXmlFormatError('timewise MusicXML is not supported (only partwise)');
  if (root.name !== 'score-partwise') throw new MusicXmlFormatError(`not a MusicXML score (its root is <${root.name}>)`);
  const partElements = childElements(root, 'part');
  if (!partElements.length) throw new MusicXmlFormatError('the score has no <part>');
  const partList = readPartList(root);
  const score: ScoreState = {
    meter: null,
    key: null,
    bpm: null,
    warnings: new Set(),
    fallbackMeter: options.fallbackMeter ?? DEFAULT_METER,
    firstVoiceOnly: options.firstVoiceOnly ?? false,
    stackRepeatsByChord: options.stackRepeatsByChord ?? false,
  };

  const read = partElements.map((part) => {
    const info = partList.get(part.attributes.id ?? '');
    const state: PartState = {
      divisions: null,
      transpose: 0,
      meter: null,
      unpitched: info?.unpitched ?? new Map(),
      percussion: false,
      firstVoice: null,
    };
    const measures = childElements(part, 'measure').map((m) => readMeasure(m, state, score));
    return { info, state, measures };
  });
  if (read.every((p) => !p.measures.length)) throw new MusicXmlFormatError('the score has no measures');
  const meter = score.meter ?? score.fallbackMeter;
  const layout = layOut(read.map((p) => p.measures));

  const parts: ScorePart[] = read.map((p, i) => ({
    name: p.info?.name ?? `Part ${i + 1}`,
    program: p.info?.program ?? null,
    percussion: p.state.percussion || p.state.unpitched.size > 0,
    notes: mergeTies(p.measures, layout.starts),
  }));
  const harmonies = placeHarmonies(
    read.map((p) => p.measures),
    layout.starts,
  );
  const sections = new Map<number, string>();
  read.forEach((p) =>
    p.measures.forEach((m, i) => {
      for (const r of m.rehearsals) {
        const tick = Math.round(layout.starts[i]! + r.at);
        if (!sections.has(tick)) sections.set(tick, r.name);
      }
    }),
  );
  return {
    title: readTitle(root),
    meter,
    meterInScore: score.meter !== null,
    key: score.key,
    bpm: score.bpm,
    parts,
    chords: chordLane(harmonies, Math.round(layout.end)),
    harmonies: harmonies.map(({ tick, harmony }) => ({ tick, chord: harmony === 'none' ? null : harmony.chord })),
    sections: [...sections].sort((a, b) => a[0] - b[0]).map(([tick, name]) => ({ tick, name })),
    measures: layout.starts.length,
    lengthTicks: Math.round(layout.end),
    pickupTicks: layout.pickup,
    warnings: [...score.warnings],
  };
}

function readTitle(root: XmlElement): string {
  const work = firstChild(root, 'work');
  return (work && childText(work, 'work-title')) || childText(root, 'movement-title') || '';
}

interface PartInfo {
  name: string;
  program: number | null;
  unpitched: Map<string, number>;
}

function readPartList(root: XmlElement): Map<string, PartInfo> {
  const out = new Map<string, PartInfo>();
  const list = firstChild(root, 'part-list');
  if (!list) throw new MusicXmlFormatError('the score has no <part-list>');
  for (const scorePart of childElements(list, 'score-part')) {
    const unpitched = new Map<string, number>();
    let program: number | null = null;
    for (const midi of childElements(scorePart, 'midi-instrument')) {
      const key = Number(childText(midi, 'midi-unpitched'));
      if (Number.isInteger(key) && key >= 1 && key <= 128) unpitched.set(midi.attributes.id ?? '', key - 1);
      const p = Number(childText(midi, 'midi-program'));
      if (program === null && Number.isInteger(p) && p >= 1 && p <= 128) program = p - 1;
    }
    out.set(scorePart.attributes.id ?? '', {
      name: childText(scorePart, 'part-name') || childText(scorePart, 'part-abbreviation') || '',
      program,
      unpitched,
    });
  }
  return out;
}

function readMeasure(measure: XmlElement, state: PartState, score: ScoreState): RawMeasure {
  const out: RawMeasure = { notes: [], harmonies: [], rehearsals: [], length: 0, nominal: 0 };
  let pos = 0;
  let lastStart = 0;
  const onsets: number[] = [];
  const toTicks = (el: XmlElement, name: string): number => {
    const text = childText(el, name);
    const value = Number(text ?? 0);
    if (!Number.isFinite(value) || (value < 0 && name !== 'offset')) throw new MusicXmlFormatError(`bad <${name}> "${text}"`);
    if (value && !state.divisions) throw new MusicXmlFormatError('a duration comes before any <divisions>');
    return value ? (value * TICKS_PER_QUARTER) / state.divisions! : 0;
  };
  for (const child of measure.children) {
    if (typeof child === 'string') continue;
    switch (child.name) {
      case 'attributes':
        readAttributes(child, state, score);
        break;
      case 'note': {
        if (firstChild(child, 'grace')) break;
        const duration = toTicks(child, 'duration');
        const isChord = firstChild(child, 'chord') !== undefined;
        const start = isChord ? lastStart : pos;
        if (!isChord) {
          onsets.push(pos);
          pos += duration;
        }
        lastStart = start;
        out.length = Math.max(out.length, pos);
        const voice = childText(child, 'voice') ?? '1';
        state.firstVoice ??= voice;
        if (firstChild(child, 'cue') || duration <= 0 || (score.firstVoiceOnly && voice !== state.firstVoice)) break;
        const pitch = readNotePitch(child, state, score);
        if (pitch === null) break;
        out.notes.push({
          start,
          end: start + duration,
          pitch,
          velocity: readVelocity(child),
          voice,
          ...readTie(child),
        });
        break;
      }
      case 'backup':
        pos -= toTicks(child, 'duration');
        if (pos < -1e-6) {
          score.warnings.add('a <backup> goes past the start of its measure');
          pos = 0;
        }
        break;
      case 'forward':
        pos += toTicks(child, 'duration');
        out.length = Math.max(out.length, pos);
        break;
      case 'harmony': {
        const harmony = readHarmony(child, state, score);
        const exact = firstChild(child, 'offset') !== undefined;
        const offset = exact ? toTicks(child, 'offset') : 0;
        if (harmony) out.harmonies.push({ at: Math.max(0, pos + offset), chord: harmony, exact });
        break;
      }
      case 'direction':
        readTempo(child, score);
        for (const type of childElements(child, 'direction-type')) {
          for (const mark of childElements(type, 'rehearsal')) if (textOf(mark)) out.rehearsals.push({ at: pos, name: textOf(mark) });
        }
        break;
      case 'sound':
        readSoundTempo(child, score);
        break;
    }
  }
  const meter = state.meter ?? score.meter ?? score.fallbackMeter;
  out.nominal = ticksPerBar(meter);
  out.harmonies = spreadStackedSymbols(
    out.harmonies,
    onsets,
    out.length || out.nominal,
    ticksPerBeat(meter),
    score.stackRepeatsByChord ? sameChord : sameHarmony,
  );
  return out;
}

function sameHarmony(a: Harmony, b: Harmony): boolean {
  return sameChord(a, b) && (a === 'none' || b === 'none' || a.text === b.text);
}

function sameChord(a: Harmony, b: Harmony): boolean {
  if (a === 'none' || b === 'none') return a === b;
  return a.chord.root === b.chord.root && a.chord.quality === b.chord.quality && a.chord.bass === b.chord.bass;
}

function readAttributes(attributes: XmlElement, state: PartState, score: ScoreState): void {
  const divisions = childText(attributes, 'divisions');
  if (divisions !== undefined) {
    const value = Number(divisions);
    if (!(value > 0) || !Number.isFinite(value)) throw new MusicXmlFormatError(`bad <divisions> "${divisions}"`);
    state.divisions = value;
  }
  const time = firstChild(attributes, 'time');
  const meter = time ? readTime(time) : null;
  if (meter) {
    state.meter = meter;
    if (!score.meter) score.meter = meter;
    else if (meter.numerator !== score.meter.numerator || meter.denominator !== score.meter.denominator) {
      score.warnings.add(`the meter changes from ${score.meter.numerator}/${score.meter.denominator}; the song keeps the first`);
    }
  }
  const transpose = firstChild(attributes, 'transpose');
  if (transpose) {
    state.transpose = Number(childText(transpose, 'chromatic') ?? 0) + 12 * Number(childText(transpose, 'octave-change') ?? 0) || 0;
  }
  for (const clef of childElements(attributes, 'clef')) {
    if (childText(clef, 'sign') === 'percussion') state.percussion = true;
  }
  const keyElement = firstChild(attributes, 'key');
  const fifthsText = keyElement && childText(keyElement, 'fifths');
  if (keyElement && fifthsText !== undefined && !state.percussion) {
    const fifths = Number(fifthsText);
    if (!Number.isInteger(fifths)) throw new MusicXmlFormatError(`bad <fifths> "${fifthsText}"`);
    const mode = childText(keyElement, 'mode')?.toLowerCase();
    const written = keyOfFifths(fifths, mode === 'minor' || mode === 'aeolian');
    const key: Key = { tonic: mod12(written.tonic + state.transpose), mode: written.mode };
    if (!score.key) score.key = key;
    else if (score.key.tonic !== key.tonic || score.key.mode !== key.mode) score.warnings.add('the key changes; the song keeps the first');
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

/** Sounding MIDI pitch of a <note>: its <pitch>, or for <unpitched> its instrument's MIDI key. */
function readNotePitch(note: XmlElement, state: PartState, score: ScoreState): number | null {
  const pitch = firstChild(note, 'pitch');
  let midi: number | null = null;
  if (pitch) {
    midi = pitchOf(childText(pitch, 'step') ?? '', Number(childText(pitch, 'alter') ?? 0) || 0, Number(childText(pitch, 'octave')));
    if (midi === null) throw new MusicXmlFormatError('a note has a bad <pitch>');
    midi += state.transpose;
  } else {
    const unpitched = firstChild(note, 'unpitched');
    if (!unpitched) return null; // a rest
    state.percussion = true;
    const instrument = firstChild(note, 'instrument')?.attributes.id;
    const key =
      instrument !== undefined
        ? state.unpitched.get(instrument)
        : state.unpitched.size === 1
          ? [...state.unpitched.values()][0]
          : undefined;
    if (key !== undefined) return key;
    // No MIDI key: the staff position is all there is; the written pitch stands in for the drum.
    score.warnings.add('some drum notes name no MIDI instrument; their staff position is used as the pitch');
    midi = pitchOf(childText(unpitched, 'display-step') ?? '', 0, Number(childText(unpitched, 'display-octave')));
    if (midi === null) throw new MusicXmlFormatError('a note has a bad <unpitched>');
  }
  if (midi < 0 || midi > 127) {
    score.warnings.add('notes outside the MIDI range were dropped');
    return null;
  }
  return midi;
}

/** `dynamics` is a percentage of forte (velocity 90); absent, a mezzo-forte-ish 90 stands in. */
function readVelocity(note: XmlElement): number {
  const dynamics = Number(note.attributes.dynamics);
  if (!(dynamics > 0) || !Number.isFinite(dynamics)) return DYNAMICS_VELOCITY;
  return Math.max(1, Math.min(127, Math.round((dynamics * DYNAMICS_VELOCITY) / 100)));
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

const STEP_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

function readHarmony(harmony: XmlElement, state: PartState, score: ScoreState): Harmony | null {
  const kindElement = firstChild(harmony, 'kind');
  const kind = kindElement ? textOf(kindElement) : '';
  if (kind === 'none') return 'none';
  const root = firstChild(harmony, 'root');
  const rootPc = root ? stepPitchClass(root, 'root-step', 'root-alter', state) : null;
  if (rootPc === null) {
    // A <function> or <numeral> (roman numerals) names no pitch the chord lane can use.
    score.warnings.add('chord symbols without a root were dropped');
    return null;
  }
  const mapped = harmonyQuality(kind, kindElement?.attributes.text);
  if (mapped.warning) score.warnings.add(mapped.warning);
  const bass = firstChild(harmony, 'bass');
  const bassPc = bass ? stepPitchClass(bass, 'bass-step', 'bass-alter', state) : null;
  return {
    chord: { root: rootPc, quality: mapped.quality, bass: bassPc === rootPc ? null : bassPc },
    text: kindElement?.attributes.text ?? null,
    rootFlat: Number(childText(root!, 'root-alter') ?? 0) < 0,
    bassFlat: bass !== undefined && Number(childText(bass, 'bass-alter') ?? 0) < 0,
  };
}

function stepPitchClass(element: XmlElement, stepName: string, alterName: string, state: PartState): number | null {
  const step = STEP_PC[childText(element, stepName)?.toUpperCase() ?? ''];
  if (step === undefined) return null;
  return mod12(step + Math.round(Number(childText(element, alterName) ?? 0) || 0) + state.transpose);
}

/** The first tempo wins: <sound tempo> (quarters per minute by definition) before <metronome>. */
function readTempo(direction: XmlElement, score: ScoreState): void {
  if (score.bpm !== null) return;
  const sound = firstChild(direction, 'sound');
  if (sound) readSoundTempo(sound, score);
  if (score.bpm !== null) return;
  for (const type of childElements(direction, 'direction-type')) {
    const metronome = firstChild(type, 'metronome');
    if (!metronome) continue;
    const perMinute = Number(childText(metronome, 'per-minute'));
    const unit = BEAT_UNIT_QUARTERS[childText(metronome, 'beat-unit') ?? ''];
    if (!(perMinute > 0) || unit === undefined) continue;
    score.bpm = perMinute * unit * (firstChild(metronome, 'beat-unit-dot') ? 1.5 : 1);
    return;
  }
}

const BEAT_UNIT_QUARTERS: Record<string, number> = { whole: 4, half: 2, quarter: 1, eighth: 0.5, '16th': 0.25, '32nd': 0.125 };

function readSoundTempo(sound: XmlElement, score: ScoreState): void {
  const tempo = Number(sound.attributes.tempo);
  if (score.bpm === null && tempo > 0 && Number.isFinite(tempo)) score.bpm = tempo;
}

/**
 * Measure start ticks, shared by all parts (measure i of every part starts together): each
 * measure is as long as the longest part's content there, an empty one its meter's bar. A first
 * measure shorter than its bar is a pickup, padded at its start so it ends where bar 2 begins.
 */
function layOut(parts: RawMeasure[][]): { starts: number[]; end: number; pickup: Ticks } {
  const count = Math.max(...parts.map((p) => p.length));
  const starts: number[] = [];
  let at = 0;
  let pickup = 0;
  for (let i = 0; i < count; i++) {
    const here = parts.map((p) => p[i]).filter((m): m is RawMeasure => m !== undefined);
    const content = Math.max(0, ...here.map((m) => m.length));
    const nominal = Math.max(...here.map((m) => m.nominal));
    const length = content > 1e-6 ? content : nominal;
    if (i === 0 && length < nominal - 1e-6) {
      pickup = Math.round(length);
      starts.push(nominal - length);
      at = nominal;
      continue;
    }
    starts.push(at);
    at += length;
  }
  return { starts, end: at, pickup };
}

/** Places notes, then joins each tie chain (same voice and pitch, end meets start) into one note. */
function mergeTies(measures: RawMeasure[], starts: number[]): NoteInput[] {
  const placed = measures.flatMap((m, i) =>
    m.notes.map((n) => ({ ...n, tick: Math.round(starts[i]! + n.start), end: Math.round(starts[i]! + n.end) })),
  );
  placed.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  const notes: NoteInput[] = [];
  const open = new Map<string, NoteInput>();
  for (const n of placed) {
    // Some writers change voice across a bar line inside a tie: try the voice, then any voice.
    const key = `${n.voice}:${n.pitch}`;
    const anyKey = [...open.keys()].find((k) => k.endsWith(`:${n.pitch}`));
    const tiedKey = open.has(key) ? key : anyKey;
    const tied = tiedKey ? open.get(tiedKey) : undefined;
    if (n.tieStop && tied && Math.abs(tied.tick + tied.duration - n.tick) <= TIE_SLACK) {
      tied.duration = n.end - tied.tick;
      open.delete(tiedKey!);
      if (n.tieStart) open.set(key, tied);
      continue;
    }
    if (n.end <= n.tick) continue; // rounded away
    const note: NoteInput = { pitch: n.pitch, tick: n.tick, duration: n.end - n.tick, velocity: n.velocity };
    notes.push(note);
    if (n.tieStart) open.set(key, note);
    else open.delete(key);
  }
  return notes.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

/** Chord symbols of every part at their ticks (the last written at a tick wins), sorted by tick. */
function placeHarmonies(parts: RawMeasure[][], starts: number[]): { tick: Ticks; harmony: Harmony }[] {
  const byTick = new Map<number, Harmony>();
  for (const measures of parts) {
    measures.forEach((m, i) => {
      for (const { at, chord } of m.harmonies) {
        const tick = Math.round(starts[i]! + at);
        byTick.delete(tick);
        byTick.set(tick, chord);
      }
    });
  }
  return [...byTick].sort((a, b) => a[0] - b[0]).map(([tick, harmony]) => ({ tick, harmony }));
}

/** The chord lane: each symbol until the next one, an N.C. or the score's end. */
function chordLane(harmonies: { tick: Ticks; harmony: Harmony }[], end: Ticks): ScoreChord[] {
  const out: ScoreChord[] = [];
  harmonies.forEach(({ tick, harmony }, i) => {
    const next = harmonies[i + 1]?.tick ?? Math.max(end, tick + 1);
    if (harmony === 'none' || next <= tick) return;
    out.push({ tick, duration: next - tick, symbol: symbolOf(harmony) });
  });
  return out;
}

/** Symbol allowed on the song's chord lane (core/song/edits.ts setChords). */
const LANE_SYMBOL = /^[A-G](#|b)?[A-Za-z0-9+#b()°ø^-]*(\/[A-G](#|b)?)?$/;

/**
 * The kind's display text, when it reads as the same chord, keeps the symbol as it was written
 * ("C9", "Cmaj7"); otherwise the canonical symbol of root, quality and bass.
 */
function symbolOf(harmony: Exclude<Harmony, 'none'>): string {
  const root = pitchClassName(harmony.chord.root, harmony.rootFlat);
  const bass = harmony.chord.bass === null ? '' : `/${pitchClassName(harmony.chord.bass, harmony.bassFlat)}`;
  const canonical = `${root}${chordSymbol({ ...harmony.chord, root: 0, bass: null }).slice(1)}${bass}`;
  if (harmony.text === null) return canonical;
  const written = `${root}${harmony.text.trim()}${bass}`;
  const parsed = parseChordSymbol(written);
  return parsed && parsed.quality === harmony.chord.quality && LANE_SYMBOL.test(written) ? written : canonical;
}

function mod12(n: number): number {
  return ((n % 12) + 12) % 12;
}
