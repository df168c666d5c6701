/**
 * A part (a track's notes, or the chord track) over whole bars ⇄ its event tokens:
 *   BAR (POS PITCH VEL DUR ...)* per bar; drums leave out DUR (a hit has no length);
 *   chords: BAR (POS CROOT CQUAL | POS CROOT_none)* per bar.
 * POS is written only when the position changes; notes at one position go up in pitch.
 * A pitched part the model writes over known chords carries them inline: each chord change is a
 * chord event at its position, before the notes there. The model then sees the chord sounding a
 * few tokens back instead of counting bars into the prompt's chord section; generation writes
 * those events itself (they are given, not sampled).
 * Lossless on the grid: notes on 12-steps-per-quarter positions, durations up to 16 quarters and
 * velocities at a level's centre (velocityOfLevel) come back exactly.
 */
import type { NoteInput } from '../../core/song/types.ts';
import type { ChordQuality } from '../../core/theory/chords.ts';
import type { Meter } from '../../core/time.ts';
import {
  MAX_DURATION_STEPS,
  TICKS_PER_STEP,
  VOCAB,
  barSteps,
  velocityLevel,
  velocityOfLevel,
  type ModelRole,
  type NoteRole,
} from './vocabulary.ts';

export interface TokenChord {
  /** Ticks from the part's first bar. */
  tick: number;
  /** Pitch class of the root; null = no chord. */
  root: number | null;
  quality: ChordQuality;
}

export type Part = { role: NoteRole; notes: NoteInput[] } | { role: 'chords'; chords: TokenChord[] };

/** A bar range [from, to) of a part to be left out of a context track (the bars to infill). */
export interface MaskedBars {
  from: number;
  to: number;
}

/** Drum hits decode with this length: a 16th note. */
export const DRUM_HIT_TICKS = 120;

export class TokenParseError extends Error {
  readonly index: number;
  constructor(message: string, index: number) {
    super(`${message} (token ${index})`);
    this.name = 'TokenParseError';
    this.index = index;
  }
}

export interface GridEvent {
  bar: number;
  pos: number;
  order: number;
  tokens: number[];
}

/**
 * Tokens of bars [fromBar, fromBar + bars) of the part; events outside are left out. Bars in
 * `masked` (absolute bar numbers) are written as BAR MASK. `inlineChords` (ticks from `fromBar`)
 * are written inline in a pitched part.
 */
export function encodePart(
  part: Part,
  meter: Meter,
  fromBar: number,
  bars: number,
  masked?: MaskedBars,
  inlineChords?: readonly TokenChord[] | null,
): number[] {
  const steps = barSteps(meter);
  const events = part.role === 'chords' ? chordEvents(part.chords, steps) : noteEvents(part.role, part.notes, steps);
  if (inlineChords && part.role !== 'chords' && part.role !== 'drums') {
    for (const chord of chordEvents(inlineChords, steps)) events.push({ ...chord, bar: chord.bar + fromBar });
  }
  const byBar = new Map<number, GridEvent[]>();
  for (const event of events) {
    if (event.bar < fromBar || event.bar >= fromBar + bars) continue;
    let list = byBar.get(event.bar);
    if (!list) byBar.set(event.bar, (list = []));
    list.push(event);
  }
  const out: number[] = [];
  const BAR = VOCAB.id('BAR');
  for (let bar = fromBar; bar < fromBar + bars; bar++) {
    out.push(BAR);
    if (masked && bar >= masked.from && bar < masked.to) {
      out.push(VOCAB.id('MASK'));
      continue;
    }
    const list = (byBar.get(bar) ?? []).sort((a, b) => a.pos - b.pos || a.order - b.order);
    let lastPos = -1;
    for (const event of list) {
      if (event.pos !== lastPos) out.push(VOCAB.id(`POS_${event.pos}`));
      lastPos = event.pos;
      out.push(...event.tokens);
    }
  }
  return out;
}

/** Notes as grid events: one per (step, pitch), ordered by pitch at a position. */
export function noteEvents(role: NoteRole, notes: readonly NoteInput[], steps: number): GridEvent[] {
  // One note per (step, pitch): a duplicate keeps the longer one.
  const byKey = new Map<string, { step: number; pitch: number; dur: number; vel: number }>();
  for (const note of notes) {
    const step = Math.round(note.tick / TICKS_PER_STEP);
    if (step < 0) continue;
    const dur = Math.max(1, Math.min(MAX_DURATION_STEPS, Math.round(note.duration / TICKS_PER_STEP)));
    const key = `${step}:${note.pitch}`;
    const seen = byKey.get(key);
    if (!seen || seen.dur < dur) byKey.set(key, { step, pitch: note.pitch, dur, vel: velocityLevel(note.velocity) });
  }
  return [...byKey.values()].map((n) => {
    const tokens = [VOCAB.id(`PITCH_${n.pitch}`), VOCAB.id(`VEL_${n.vel}`)];
    if (role !== 'drums') tokens.push(VOCAB.id(`DUR_${n.dur}`));
    return { bar: Math.floor(n.step / steps), pos: n.step % steps, order: n.pitch, tokens };
  });
}

/** Chord changes as grid events (a chord sorts before notes at its position). */
export function chordEvents(chords: readonly TokenChord[], steps: number): GridEvent[] {
  const byStep = new Map<number, TokenChord>();
  for (const chord of chords) {
    const step = Math.round(chord.tick / TICKS_PER_STEP);
    if (step >= 0) byStep.set(step, chord); // a later chord at the same step wins
  }
  return [...byStep.entries()].map(([step, chord]) => ({
    bar: Math.floor(step / steps),
    pos: step % steps,
    order: -1,
    tokens: chord.root === null ? [VOCAB.id('CROOT_none')] : [VOCAB.id(`CROOT_${chord.root}`), VOCAB.id(`CQUAL_${chord.quality}`)],
  }));
}

/**
 * What decodePart returns: the part, with ticks from its first bar, and how many bars it held;
 * a pitched part also gives back the chords written inline in it.
 */
export interface DecodedPart {
  part: Part;
  bars: number;
  inlineChords: TokenChord[];
}

/**
 * The chords sounding in [from, from + length) ticks, with ticks from `from`; the one already
 * sounding at `from` is restated at 0.
 */
export function sliceChords(chords: readonly TokenChord[], from: number, length: number): TokenChord[] {
  const out: TokenChord[] = [];
  let sounding: TokenChord | undefined;
  for (const chord of chords) {
    if (chord.tick <= from) sounding = chord;
    else if (chord.tick < from + length) out.push({ tick: chord.tick - from, root: chord.root, quality: chord.quality });
  }
  if (sounding && (out.length === 0 || out[0]!.tick > 0)) out.unshift({ tick: 0, root: sounding.root, quality: sounding.quality });
  return out;
}

/**
 * Reads event tokens (BAR groups, as encodePart writes them, without MASK) back into a part.
 * Stops at EOS or the end of the array. Throws TokenParseError on anything out of grammar.
 */
export function decodePart(tokens: ArrayLike<number>, role: ModelRole, meter: Meter): DecodedPart {
  const steps = barSteps(meter);
  const notes: NoteInput[] = [];
  const chords: TokenChord[] = [];
  let bar = -1;
  let pos = -1;
  let i = 0;
  const next = (): [string, string] => {
    const name = VOCAB.token(tokens[i]!);
    const cut = name.indexOf('_');
    return cut < 0 ? [name, ''] : [name.slice(0, cut), name.slice(cut + 1)];
  };
  const expect = (kind: string): string => {
    if (i >= tokens.length) throw new TokenParseError(`expected ${kind}, found the end`, i);
    const [k, value] = next();
    if (k !== kind) throw new TokenParseError(`expected ${kind}, found ${VOCAB.token(tokens[i]!)}`, i);
    i++;
    return value;
  };
  while (i < tokens.length) {
    const [kind, value] = next();
    if (kind === 'EOS') break;
    if (kind === 'BAR') {
      bar++;
      pos = -1;
      i++;
      continue;
    }
    if (bar < 0) throw new TokenParseError(`expected BAR, found ${VOCAB.token(tokens[i]!)}`, i);
    if (kind === 'POS') {
      const p = Number(value);
      if (p <= pos || p >= steps) throw new TokenParseError(`position ${p} is not after ${pos} inside a bar of ${steps} steps`, i);
      pos = p;
      i++;
      continue;
    }
    if (pos < 0) throw new TokenParseError(`expected POS, found ${VOCAB.token(tokens[i]!)}`, i);
    const tick = (bar * steps + pos) * TICKS_PER_STEP;
    if (role === 'chords' || (kind === 'CROOT' && role !== 'drums')) {
      const root = expect('CROOT');
      if (root === 'none') chords.push({ tick, root: null, quality: 'maj' });
      else chords.push({ tick, root: Number(root), quality: expect('CQUAL') as ChordQuality });
      continue;
    }
    const pitch = Number(expect('PITCH'));
    const velocity = velocityOfLevel(Number(expect('VEL')));
    const duration = role === 'drums' ? DRUM_HIT_TICKS : Number(expect('DUR')) * TICKS_PER_STEP;
    notes.push({ pitch, tick, duration, velocity });
  }
  const bars = bar + 1;
  return role === 'chords' ? { part: { role, chords }, bars, inlineChords: [] } : { part: { role, notes }, bars, inlineChords: chords };
}
