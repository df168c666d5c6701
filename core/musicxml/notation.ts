/**
 * Notes as a notation program spells them: the song's free tick positions quantized to a grid,
 * laid into measures and voices, every gap filled with rests and every duration split into note
 * values (ties across bar lines and wherever one value does not fit), with triplets where the
 * notes sit on a triplet grid. Pure and independent of the XML (write.ts turns it into MusicXML).
 *
 * The grid is decided per quarter note ("segment"): a 32nd-note grid, or an eighth-triplet grid
 * subdivided once (16th triplets) when the notes in that quarter sit clearly closer to it. Meters
 * counted in eighths or sixteenths (6/8, 7/8...) stay on the straight grid.
 */
import { TICKS_PER_QUARTER, ticksPerBar, type Meter, type Ticks } from '../time.ts';

/** MusicXML <divisions>: 24 per quarter holds both a 32nd (3) and a 16th triplet (4). */
export const DIVISIONS = 24;
const TICKS_PER_DIVISION = TICKS_PER_QUARTER / DIVISIONS;
const STRAIGHT_GRID = TICKS_PER_QUARTER / 8; // a 32nd note
const TRIPLET_GRID = TICKS_PER_QUARTER / 6; // a 16th-note triplet
const SEGMENT = TICKS_PER_QUARTER;
/** At most this many voices per part; a denser pile-up is shortened to fit (see assignVoices). */
export const MAX_VOICES = 4;

export interface SourceNote {
  pitch: number;
  /** From the start of the exported range. */
  tick: Ticks;
  duration: Ticks;
  velocity: number;
}

/** Notes that start and end together: one notated chord (a single note is a chord of one). */
export interface NotatedChord {
  start: Ticks;
  end: Ticks;
  notes: SourceNote[];
}

export type NoteType = 'whole' | 'half' | 'quarter' | 'eighth' | '16th' | '32nd';

/** One written note, chord or rest: a piece of a chord between two ties, or of a gap. */
export interface NotationEvent {
  /** Ticks from the measure start. */
  start: Ticks;
  /** Sounding length in <divisions>. */
  divisions: number;
  type: NoteType;
  dots: 0 | 1;
  /** The chord this piece belongs to; null for a rest. */
  chord: NotatedChord | null;
  /** Tied from the previous piece / into the next one. */
  tieStop: boolean;
  tieStart: boolean;
  /** Inside a triplet (3 in the time of 2); tuplet brackets start/stop on these pieces. */
  triplet: boolean;
  tupletStart: boolean;
  tupletStop: boolean;
  /** A rest filling an otherwise empty measure. */
  measureRest: boolean;
}

export interface NotatedMeasure {
  /** Events per voice (index 0 = voice 1), each voice covering the whole measure; empty voices are []. */
  voices: NotationEvent[][];
}

export interface NotatedPart {
  measures: NotatedMeasure[];
  /** Notes the notation had to change beyond quantizing (a pile-up beyond MAX_VOICES). */
  shortened: number;
}

export interface NotationOptions {
  meter: Meter;
  bars: number;
  /**
   * Drums: each hit lasts until the next hit (at most a quarter), the way drum parts are written;
   * the notes' own lengths mean nothing on a drum kit.
   */
  percussion?: boolean;
}

/** Quantizes and lays out one part's notes. */
export function notatePart(notes: SourceNote[], options: NotationOptions): NotatedPart {
  const barTicks = ticksPerBar(options.meter);
  const total = barTicks * options.bars;
  const beat = beatDivisions(options.meter);
  const triplets = tripletSegments(notes, options.meter, total);
  const quantized = quantizeNotes(notes, triplets, total, options.percussion ?? false);
  dropPlainTriplets(triplets, quantized);
  const chords = groupChords(quantized);
  const { voices, shortened } = assignVoices(chords);
  const measures: NotatedMeasure[] = [];
  // Each voice's chords are in order and do not overlap: one cursor per voice walks the bars.
  const cursors = voices.map(() => 0);
  for (let bar = 0; bar < options.bars; bar++) {
    const from = bar * barTicks;
    const to = from + barTicks;
    const measureVoices = voices.map((voice, v) => {
      while (cursors[v]! < voice.length && voice[cursors[v]!]!.end <= from) cursors[v]!++;
      const inside: NotatedChord[] = [];
      for (let i = cursors[v]!; i < voice.length && voice[i]!.start < to; i++) inside.push(voice[i]!);
      if (!inside.length && v > 0) return [];
      return spellVoice(inside, from, to, triplets, beat);
    });
    measures.push({ voices: measureVoices.length ? measureVoices : [spellVoice([], from, to, triplets, beat)] });
  }
  return { measures, shortened };
}

/** Which quarter-note segments use the triplet grid. */
function tripletSegments(notes: SourceNote[], meter: Meter, total: Ticks): Set<number> {
  const out = new Set<number>();
  // Only meters whose bars are whole quarters: a triplet quarter in 6/8 or 7/8 means nothing.
  if (meter.denominator > 4 || ticksPerBar(meter) % SEGMENT !== 0) return out;
  const errors = new Map<number, { straight: number; triplet: number }>();
  const add = (t: Ticks): void => {
    if (t <= 0 || t >= total || t % SEGMENT === 0) return;
    const segment = Math.floor(t / SEGMENT);
    const inSegment = t - segment * SEGMENT;
    const e = errors.get(segment) ?? { straight: 0, triplet: 0 };
    e.straight += distanceToGrid(inSegment, STRAIGHT_GRID);
    e.triplet += distanceToGrid(inSegment, TRIPLET_GRID);
    errors.set(segment, e);
  };
  for (const n of notes) {
    add(n.tick);
    add(n.tick + n.duration);
  }
  // Clearly closer, not merely closer: loosely played straight notes must not turn into triplets.
  for (const [segment, e] of errors) if (e.triplet * 2 < e.straight) out.add(segment);
  return out;
}

/**
 * A quarter quantized to the triplet grid whose notes all landed where straight notes sit too (its
 * start or its middle) needs no triplet: written straight, as the same notes read when exported again.
 */
function dropPlainTriplets(triplets: Set<number>, notes: SourceNote[]): void {
  const needed = new Set<number>();
  for (const n of notes) {
    for (const t of [n.tick, n.tick + n.duration]) if (t % STRAIGHT_GRID !== 0) needed.add(Math.floor(t / SEGMENT));
  }
  for (const segment of triplets) if (!needed.has(segment)) triplets.delete(segment);
}

function distanceToGrid(t: number, grid: number): number {
  const r = t % grid;
  return Math.min(r, grid - r);
}

function gridAt(t: Ticks, triplets: Set<number>): number {
  return triplets.has(Math.floor(t / SEGMENT)) ? TRIPLET_GRID : STRAIGHT_GRID;
}

function snap(t: Ticks, triplets: Set<number>): Ticks {
  const segment = Math.floor(t / SEGMENT) * SEGMENT;
  const grid = gridAt(t, triplets);
  return segment + Math.round((t - segment) / grid) * grid;
}

function quantizeNotes(notes: SourceNote[], triplets: Set<number>, total: Ticks, percussion: boolean): SourceNote[] {
  const out: SourceNote[] = [];
  for (const n of notes) {
    const start = snap(n.tick, triplets);
    if (start >= total) continue;
    let end = Math.min(total, snap(n.tick + n.duration, triplets));
    if (end <= start) end = Math.min(total, start + gridAt(start, triplets));
    if (end <= start) continue;
    out.push({ ...n, tick: start, duration: end - start });
  }
  // One pitch sounds once at a time in notation: a repeated pitch cuts the earlier note short.
  out.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  if (percussion) {
    // Sorted by start: the next onset after a group of hits is the first later start.
    let next = 0;
    for (let i = 0; i < out.length; i++) {
      const n = out[i]!;
      if (next <= i) {
        next = i + 1;
        while (next < out.length && out[next]!.tick === n.tick) next++;
      }
      const until = next < out.length ? out[next]!.tick : total;
      // A quarter later may fall between grid points when the next quarter has the other grid.
      n.duration = Math.min(until, snap(n.tick + TICKS_PER_QUARTER, triplets), total) - n.tick;
    }
  }
  const lastOfPitch = new Map<number, SourceNote>();
  const kept: SourceNote[] = [];
  for (const n of out) {
    const previous = lastOfPitch.get(n.pitch);
    if (previous && previous.tick === n.tick) {
      previous.duration = Math.max(previous.duration, n.duration);
      continue;
    }
    if (previous && previous.tick + previous.duration > n.tick) previous.duration = n.tick - previous.tick;
    lastOfPitch.set(n.pitch, n);
    kept.push(n);
  }
  return kept;
}

function groupChords(notes: SourceNote[]): NotatedChord[] {
  const byKey = new Map<string, NotatedChord>();
  for (const n of notes) {
    const end = n.tick + n.duration;
    const key = `${n.tick}:${end}`;
    const chord = byKey.get(key) ?? { start: n.tick, end, notes: [] };
    chord.notes.push(n);
    byKey.set(key, chord);
  }
  return [...byKey.values()].sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * Each chord goes to the first voice free at its start. When MAX_VOICES are all busy, the voice
 * that frees first is cut short at the new chord's start (or, starting together, the new chord's
 * notes join that voice's chord).
 */
function assignVoices(chords: NotatedChord[]): { voices: NotatedChord[][]; shortened: number } {
  const voices: NotatedChord[][] = [];
  let shortened = 0;
  for (const chord of chords) {
    const free = voices.find((v) => v[v.length - 1]!.end <= chord.start);
    if (free) {
      free.push(chord);
      continue;
    }
    if (voices.length < MAX_VOICES) {
      voices.push([chord]);
      continue;
    }
    const voice = voices.reduce((a, b) => (a[a.length - 1]!.end <= b[b.length - 1]!.end ? a : b));
    const last = voice[voice.length - 1]!;
    shortened += chord.notes.length;
    if (last.start === chord.start) {
      last.notes.push(...chord.notes.filter((n) => !last.notes.some((m) => m.pitch === n.pitch)));
      continue;
    }
    last.end = chord.start;
    voice.push(chord);
  }
  return { voices, shortened };
}

/** Pieces of one voice in one measure: chords and the rests between them, as note values. */
function spellVoice(chords: NotatedChord[], from: Ticks, to: Ticks, triplets: Set<number>, beat: number): NotationEvent[] {
  if (!chords.length) return [measureRest(to - from)];
  const spans: { start: Ticks; end: Ticks; chord: NotatedChord | null }[] = [];
  let at = from;
  for (const c of chords) {
    const start = Math.max(c.start, from);
    if (start > at) spans.push({ start: at, end: start, chord: null });
    const end = Math.min(c.end, to);
    spans.push({ start, end, chord: c });
    at = end;
  }
  if (at < to) spans.push({ start: at, end: to, chord: null });

  // Triplets where this voice needs them: a quarter of the triplet grid in which one of its notes
  // or rests begins or ends off the straight grid (another voice may have triplets there alone).
  const voiceTriplets = new Set<number>();
  for (const span of spans) {
    for (const t of [span.start, span.end]) {
      const segment = Math.floor(t / SEGMENT);
      if (t % STRAIGHT_GRID !== 0 && triplets.has(segment)) voiceTriplets.add(segment);
    }
  }
  const events: NotationEvent[] = [];
  for (const span of spans) {
    const pieces = splitSpan(span.start, span.end, voiceTriplets, from, beat, span.chord === null);
    pieces.forEach((p, i) => {
      const chord = span.chord;
      events.push({
        ...p,
        start: p.start - from,
        chord,
        tieStop: chord !== null && (i > 0 || chord.start < span.start),
        tieStart: chord !== null && (i < pieces.length - 1 || chord.end > span.end),
        tupletStart: false,
        tupletStop: false,
        measureRest: false,
      });
    });
  }
  markTuplets(events, from);
  return events;
}

function measureRest(ticks: Ticks): NotationEvent {
  const divisions = ticks / TICKS_PER_DIVISION;
  const value = VALUES.find((v) => v.divisions === divisions);
  return {
    start: 0,
    divisions,
    type: value?.type ?? 'whole',
    dots: value?.dots ?? 0,
    chord: null,
    tieStop: false,
    tieStart: false,
    triplet: false,
    tupletStart: false,
    tupletStop: false,
    measureRest: true,
  };
}

interface Piece {
  start: Ticks;
  divisions: number;
  type: NoteType;
  dots: 0 | 1;
  triplet: boolean;
}

/** Written lengths (straight, in divisions), longest first. */
const VALUES: { divisions: number; type: NoteType; dots: 0 | 1 }[] = [
  { divisions: 96, type: 'whole', dots: 0 },
  { divisions: 72, type: 'half', dots: 1 },
  { divisions: 48, type: 'half', dots: 0 },
  { divisions: 36, type: 'quarter', dots: 1 },
  { divisions: 24, type: 'quarter', dots: 0 },
  { divisions: 18, type: 'eighth', dots: 1 },
  { divisions: 12, type: 'eighth', dots: 0 },
  { divisions: 9, type: '16th', dots: 1 },
  { divisions: 6, type: '16th', dots: 0 },
  { divisions: 3, type: '32nd', dots: 0 },
];

/**
 * Splits [start, end) at the edges of the voice's triplet segments (a tuplet bracket spans one
 * quarter), then into note values: straight stretches as the beat shows them (onTheBeat), triplet
 * ones greedily from the longest value in written time (3/2 of the sounding).
 */
function splitSpan(start: Ticks, end: Ticks, triplets: Set<number>, measureStart: Ticks, beat: number, rest: boolean): Piece[] {
  const pieces: Piece[] = [];
  let at = start;
  while (at < end) {
    const segment = Math.floor(at / SEGMENT);
    const segmentStart = segment * SEGMENT;
    const segmentEnd = segmentStart + SEGMENT;
    const inTriplet = triplets.has(segment);
    if (inTriplet) {
      const stop = Math.min(end, segmentEnd);
      for (const p of greedy((stop - at) / TICKS_PER_DIVISION, 1.5)) {
        pieces.push({ start: at, divisions: p.divisions, type: p.type, dots: p.dots, triplet: true });
        at += p.divisions * TICKS_PER_DIVISION;
      }
      continue;
    }
    // A straight stretch runs until the next triplet segment (or the span's end).
    let stop = end;
    for (let s = segment + 1; s * SEGMENT < end; s++) {
      if (triplets.has(s)) {
        stop = s * SEGMENT;
        break;
      }
    }
    for (const p of onTheBeat((at - measureStart) / TICKS_PER_DIVISION, (stop - at) / TICKS_PER_DIVISION, beat, rest)) {
      pieces.push({ start: at, divisions: p.divisions, type: p.type, dots: p.dots, triplet: false });
      at += p.divisions * TICKS_PER_DIVISION;
    }
  }
  return pieces;
}

/** Note values summing to `divisions` of sounding time, written `scale` times longer. */
function greedy(divisions: number, scale: number): { divisions: number; type: NoteType; dots: 0 | 1 }[] {
  const out: { divisions: number; type: NoteType; dots: 0 | 1 }[] = [];
  let left = Math.round(divisions * scale);
  while (left > 0) {
    const value = VALUES.find((v) => v.divisions <= left);
    if (!value) throw new Error(`no note value for ${left} divisions`); // cannot happen on the grid
    out.push({ ...value, divisions: value.divisions / scale });
    left -= value.divisions;
  }
  return out;
}

/** The beat notation groups by, in divisions: a dotted quarter in 6/8, 9/8, 12/8, else the denominator. */
function beatDivisions(meter: Meter): number {
  const unit = (DIVISIONS * 4) / meter.denominator;
  return meter.denominator === 8 && meter.numerator % 3 === 0 && meter.numerator > 3 ? 3 * unit : unit;
}

type Value = { divisions: number; type: NoteType; dots: 0 | 1 };

/**
 * Straight note values the way notation shows the beat: a note or rest that starts off the beat
 * first reaches the next beat (in values that start on their own grid), and from a beat on, the
 * longest value that fits; rests only take undotted values on their own grid (a half rest on beat
 * 1 or 3 of 4/4), so "quarter rest, half rest" and never "dotted quarter rest, dotted 8th rest".
 */
function onTheBeat(offset: number, divisions: number, beat: number, rest: boolean): Value[] {
  const out: Value[] = [];
  let at = offset;
  let left = divisions;
  while (left > 0) {
    const toBeat = at % beat === 0 ? left : Math.min(left, beat - (at % beat));
    const fits = (v: Value): boolean => {
      if (v.divisions > toBeat) return false;
      const base = v.dots ? (v.divisions * 2) / 3 : v.divisions;
      if (rest) return v.dots === 0 && at % v.divisions === 0;
      // On a beat any value that fits; off it, one that starts on its own grid (a dotted one on its base's).
      return at % beat === 0 ? at % Math.min(base, beat) === 0 : at % base === 0;
    };
    const value = VALUES.find(fits) ?? VALUES.find((v) => v.divisions <= toBeat && at % v.divisions === 0) ?? VALUES.at(-1)!;
    out.push(value);
    at += value.divisions;
    left -= value.divisions;
  }
  return out;
}

/** Brackets: one per triplet segment, from its first piece to its last. */
function markTuplets(events: NotationEvent[], measureStart: Ticks): void {
  let open: NotationEvent | null = null;
  let openSegment = -1;
  let last: NotationEvent | null = null;
  for (const e of events) {
    if (!e.triplet) continue;
    const segment = Math.floor((measureStart + e.start) / SEGMENT);
    if (segment !== openSegment) {
      if (last) last.tupletStop = true;
      open = e;
      open.tupletStart = true;
      openSegment = segment;
    }
    last = e;
  }
  if (last && open) last.tupletStop = true;
}
