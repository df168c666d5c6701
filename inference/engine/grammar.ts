/**
 * The grammar of the part the model writes after SEP, as a state machine that says which tokens
 * may come next. Sampling only ever picks an allowed token, so every result parses and has exactly
 * the bars asked: BAR opens each bar, positions rise inside a bar, pitches rise at one position
 * and stay in the role's range (and the scale, when locked), a note is PITCH VEL DUR (drums: PITCH
 * VEL), a chord CROOT CQUAL, and EOS comes exactly after the last bar.
 *
 * On top of that, anchors: events that must appear, at their place, before the model may go past
 * them. Inline chords (what the model was trained with), locked notes (kept exactly) and rhythm
 * slots ("keep rhythm, new notes": position, velocity and length fixed, pitch chosen by the model)
 * are all anchors. A closed bar holds its anchors and nothing else (a locked bar; every bar under
 * "keep rhythm"). A pitch sequence ("keep notes, new rhythm") forces each note's pitch in turn and
 * leaves positions and lengths to the model, never letting it run out of room for the rest.
 * The token budget reserves what must still be written; near it, free notes stop.
 */
import type { NoteInput } from '../../core/song/types.ts';
import { chordPitchClasses } from '../../core/theory/chords.ts';
import { ticksPerBeat, type Meter } from '../../core/time.ts';
import { chordEvents, noteEvents, type TokenChord } from '../tokenizer/events.ts';
import { MAX_LEAP_DAMPING, type LeapBias } from './line-leaps.ts';
import type { RepeatBias } from './line-repeats.ts';
import {
  DRUM_PITCHES,
  MAX_DURATION_STEPS,
  PITCH_RANGES,
  TICKS_PER_STEP,
  VOCAB,
  barSteps,
  type ModelRole,
} from '../tokenizer/vocabulary.ts';

export interface GrammarOptions {
  role: ModelRole;
  meter: Meter;
  /** Bars to write. */
  bars: number;
  /** Most tokens the part may take (EOS included). */
  maxTokens: number;
  /** Chords to write inline in a pitched part, ticks from its first bar. */
  chords?: readonly TokenChord[] | null;
  /** Pitch classes free pitches must belong to (scale lock); null = any. */
  scale?: ReadonlySet<number> | null;
  /**
   * Follow the chords, 0..1: how strongly a pitched part's notes on a beat keep to the tones of
   * the chord sounding there (chordBias; follow-chords.ts applies it). 0 or absent: not at all.
   */
  followChords?: number;
  /**
   * Keep register: a pitched part's free pitches stay within this many semitones of every note it
   * has so far (given and locked notes included), so its range never grows past it; where that
   * leaves no pitch (a given start wider than the span), the range and scale alone decide.
   * Absent: no limit.
   */
  span?: number;
  /**
   * Fewer repeated notes, 0..1: at the lowest pitch of a new position of a pitched part, the
   * line's last pitch is made less likely by the factor (1 - strength) (line-repeats.ts). 0 or
   * absent: not at all.
   */
  repeatDamping?: number;
  /**
   * Fewer repeated top notes, 0..1: at every free pitch choice of a new position of a pitched part,
   * the previous position's top pitch is made less likely by the factor (1 - strength), its share
   * going to the other pitches (line-repeats.ts, dampTopRepeat). 0 or absent: not at all.
   */
  topRepeatDamping?: number;
  /**
   * Fewer leaps, 0..MAX_LEAP_DAMPING: at the first pitch of a new position of a pitched part, a
   * pitch d semitones from the previous position's top note gets a logit shift of
   * -strength × sqrt(d - 2) when d > 2 (line-leaps.ts). 0 or absent: not at all.
   */
  leapDamping?: number;
  /** Notes that must appear exactly (locks, a given start), ticks from the first bar. */
  fixedNotes?: readonly NoteInput[];
  /** Notes whose position, velocity and length are kept and whose pitch the model picks. */
  rhythmSlots?: readonly NoteInput[];
  /** Bars (0-based) that hold their anchors and nothing else. */
  closedBars?: Iterable<number>;
  /** Pitches the notes must have, in order ("keep notes, new rhythm"); no other notes appear. */
  pitchSequence?: readonly number[];
}

/** An event that must be written at its place: `tokens` in order; a slot's pitch comes first, free. */
interface Anchor {
  bar: number;
  pos: number;
  order: number;
  tokens: number[];
  kind: 'chord' | 'note' | 'slot';
  /** note: its pitch. */
  pitch: number;
}

type Phase = 'start' | 'open' | 'pos' | 'pitch' | 'vel' | 'croot' | 'done';

/** Token id ranges of each kind, looked up once. */
const ID = {
  BAR: VOCAB.id('BAR'),
  EOS: VOCAB.id('EOS'),
  POS0: VOCAB.id('POS_0'),
  PITCH0: VOCAB.id('PITCH_0'),
  VEL0: VOCAB.id('VEL_0'),
  VELS: 16,
  DUR1: VOCAB.id('DUR_1'),
  CROOT0: VOCAB.id('CROOT_0'),
  CROOT_NONE: VOCAB.id('CROOT_none'),
  CQUAL0: VOCAB.id('CQUAL_maj'),
  CQUALS: VOCAB.size - VOCAB.id('CQUAL_maj'),
};

export class GrammarError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'GrammarError';
  }
}

const ANY_PITCH = new Uint8Array(128).fill(1);

/** What follow-the-chords asks at the current position: pitches that are chord tones, and how strongly. */
export interface ChordBias {
  /** 128 entries: 1 for a pitch whose class is a tone of the chord sounding here. */
  tones: Uint8Array;
  strength: number;
}

export class EventGrammar {
  readonly role: ModelRole;
  readonly bars: number;
  private readonly steps: number;
  private readonly maxTokens: number;
  /** Free pitches: the role's range, less what the scale lock rules out. */
  private pitchAllowed = new Uint8Array(128);
  private readonly anchors: Anchor[];
  private readonly closed: Set<number>;
  private readonly sequence: number[];
  private phase: Phase = 'start';
  private barsDone = 0;
  private pos = -1;
  private lastPitch = -1;
  private used = 0;
  private nextAnchor = 0;
  /** Tokens that must come next, and whether they finish an anchor. */
  private forced: number[] = [];
  private writingAnchor = false;
  /** reserveFrom[i]: tokens anchors i.. still need (their POS, pitch and forced tokens). */
  private readonly reserveFrom: number[];
  /** "Keep notes": no notes but the sequence's. */
  private readonly keepNotes: boolean;
  private readonly scratch = new Uint8Array(VOCAB.size);
  /** Chord changes by absolute step, with their tones as a pitch mask (null: no chord); for chordBias. */
  private readonly chordSteps: { step: number; tones: Uint8Array | null }[] = [];
  private readonly followChords: number;
  private readonly beatSteps: number;
  private readonly span: number | null;
  /** True while a given start is accepted: the player's notes are not held to the span. */
  private given = false;
  /** The lowest pitch at the latest position with notes: the line's last note (fewer repeats). */
  private onsetLow = -1;
  private readonly repeatDamping: number;
  /**
   * The highest pitch at the latest position with notes (topHere) and at the one before it
   * (topBefore): the line's last top note, before and after the current position has a note.
   */
  private topHere = -1;
  private topBefore = -1;
  private readonly topRepeatDamping: number;
  private readonly leapDamping: number;
  /** Lowest and highest pitch the part has so far (keep register). */
  private lowest = 128;
  private highest = -1;

  constructor(options: GrammarOptions) {
    this.role = options.role;
    this.bars = options.bars;
    this.steps = barSteps(options.meter);
    this.maxTokens = options.maxTokens;
    const pitched = options.role !== 'drums' && options.role !== 'chords';
    if (options.role === 'drums') for (const p of DRUM_PITCHES) this.pitchAllowed[p] = 1;
    else if (pitched) {
      const { low, high } = PITCH_RANGES[options.role as 'bass' | 'keys' | 'lead'];
      for (let p = low; p <= high; p++) if (!options.scale || options.scale.has(p % 12)) this.pitchAllowed[p] = 1;
    }
    const anchors: Anchor[] = [];
    if (pitched && options.chords) {
      for (const c of chordEvents(options.chords, this.steps)) anchors.push({ ...c, kind: 'chord', pitch: -1 });
    }
    const follow = options.followChords ?? 0;
    if (!(follow >= 0 && follow <= 1)) throw new GrammarError(`followChords must be 0..1, got ${follow}`);
    this.followChords = pitched ? follow : 0;
    if (options.span !== undefined && !(Number.isInteger(options.span) && options.span >= 0))
      throw new GrammarError(`span must be a whole number of semitones >= 0, got ${options.span}`);
    this.span = pitched ? (options.span ?? null) : null;
    const damping = options.repeatDamping ?? 0;
    if (!(damping >= 0 && damping <= 1)) throw new GrammarError(`repeatDamping must be 0..1, got ${damping}`);
    this.repeatDamping = pitched ? damping : 0;
    const topDamping = options.topRepeatDamping ?? 0;
    if (!(topDamping >= 0 && topDamping <= 1)) throw new GrammarError(`topRepeatDamping must be 0..1, got ${topDamping}`);
    this.topRepeatDamping = pitched ? topDamping : 0;
    const leaps = options.leapDamping ?? 0;
    if (!(leaps >= 0 && leaps <= MAX_LEAP_DAMPING)) throw new GrammarError(`leapDamping must be 0..${MAX_LEAP_DAMPING}, got ${leaps}`);
    this.leapDamping = pitched ? leaps : 0;
    this.beatSteps = Math.max(1, Math.round(ticksPerBeat(options.meter) / TICKS_PER_STEP));
    if (this.followChords > 0 && options.chords) {
      const byStep = new Map<number, Uint8Array | null>();
      for (const c of options.chords) {
        const step = Math.round(c.tick / TICKS_PER_STEP); // as chordEvents places them
        if (step < 0) continue;
        let tones: Uint8Array | null = null;
        if (c.root !== null) {
          const pcs = chordPitchClasses({ root: c.root, quality: c.quality });
          tones = new Uint8Array(128);
          for (let p = 0; p < 128; p++) if (pcs.has(p % 12)) tones[p] = 1;
        }
        byStep.set(step, tones);
      }
      for (const [step, tones] of [...byStep.entries()].sort((a, b) => a[0] - b[0])) this.chordSteps.push({ step, tones });
    }
    if (options.role !== 'chords') {
      for (const n of noteEvents(options.role, options.fixedNotes ?? [], this.steps)) anchors.push({ ...n, kind: 'note', pitch: n.order });
      for (const n of noteEvents(options.role, options.rhythmSlots ?? [], this.steps))
        anchors.push({ ...n, tokens: n.tokens.slice(1), kind: 'slot', pitch: -1 });
    }
    this.anchors = anchors.filter((a) => a.bar < this.bars).sort((a, b) => a.bar - b.bar || a.pos - b.pos || a.order - b.order);
    this.closed = new Set(options.closedBars ?? []);
    this.sequence = [...(options.pitchSequence ?? [])];
    this.keepNotes = options.pitchSequence !== undefined;
    if (this.sequence.length > this.bars * this.steps)
      throw new GrammarError(`${this.sequence.length} notes do not fit in ${this.bars} bars`);
    this.reserveFrom = new Array<number>(this.anchors.length + 1).fill(0);
    for (let i = this.anchors.length - 1; i >= 0; i--) {
      const a = this.anchors[i]!;
      this.reserveFrom[i] = this.reserveFrom[i + 1]! + 1 + (a.kind === 'slot' ? 1 : 0) + a.tokens.length;
    }
    const least = this.bars + 1 + this.reserved();
    if (this.maxTokens < least) throw new GrammarError(`${this.bars} bars need at least ${least} tokens; the budget is ${this.maxTokens}`);
  }

  /** Tokens that what must still be written needs, at least (BARs and EOS aside). */
  private reserved(): number {
    return this.reserveFrom[this.nextAnchor]! + this.sequence.length * (this.role === 'drums' ? 3 : 4);
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /**
   * Follow the chords: at a position on a beat of a pitched part (pitches chosen next are notes
   * starting on that beat), the tones of the chord sounding there and the strength; null where
   * it does not apply (off the beat, no chord, strength 0, drums and the chord track).
   */
  chordBias(): ChordBias | null {
    if (this.followChords === 0 || this.pos < 0 || this.pos % this.beatSteps !== 0) return null;
    const step = (this.barsDone - 1) * this.steps + this.pos;
    let tones: Uint8Array | null = null;
    for (const c of this.chordSteps) {
      if (c.step > step) break;
      tones = c.tones;
    }
    return tones ? { tones, strength: this.followChords } : null;
  }

  /**
   * Fewer repeated notes: when this step picks the lowest pitch at a new position of a pitched
   * part, the line's last note and the strength; null elsewhere, at strength 0 and before any note.
   */
  repeatBias(): RepeatBias | null {
    if (this.repeatDamping === 0 || this.phase !== 'pos' || this.onsetLow < 0 || this.sequence.length > 0) return null;
    return { pitch: this.onsetLow, strength: this.repeatDamping };
  }

  /**
   * Fewer repeated top notes: when this step is a free pitch choice at a new position of a pitched
   * part (its first pitch, or one stacked on it), the previous position's top note and the
   * strength; null elsewhere, at strength 0 and before any note.
   */
  topRepeatBias(): RepeatBias | null {
    if (this.topRepeatDamping === 0 || this.sequence.length > 0 || this.forced.length > 0) return null;
    if (this.phase === 'pos') return this.topHere < 0 ? null : { pitch: this.topHere, strength: this.topRepeatDamping };
    // A note may be stacked on this position's last (a free one: no anchor due here).
    const due = this.due();
    if (this.phase !== 'open' || this.lastPitch < 0 || (due && due.pos === this.pos) || this.topBefore < 0) return null;
    return { pitch: this.topBefore, strength: this.topRepeatDamping };
  }

  /**
   * Fewer wide leaps: when this step picks the first pitch at a new position of a pitched part,
   * the line's last note (the previous position's top) and the strength; null elsewhere.
   */
  leapBias(): LeapBias | null {
    if (this.leapDamping === 0 || this.phase !== 'pos' || this.topHere < 0 || this.sequence.length > 0) return null;
    return { from: this.topHere, strength: this.leapDamping };
  }

  /** The anchor due next in the open bar, if any. */
  private due(): Anchor | undefined {
    const anchor = this.anchors[this.nextAnchor];
    return anchor && anchor.bar === this.barsDone - 1 ? anchor : undefined;
  }

  /** Fills `out` (vocabulary-sized) with 1 for every token allowed next, 0 elsewhere. */
  allowed(out: Uint8Array): Uint8Array {
    out.fill(0);
    if (this.forced.length > 0) {
      out[this.forced[0]!] = 1;
      return out;
    }
    switch (this.phase) {
      case 'start':
        out[ID.BAR] = 1;
        break;
      case 'open':
        this.allowAtEventStart(out);
        break;
      case 'pos':
        if (this.role === 'chords') {
          out.fill(1, ID.CROOT0, ID.CROOT0 + 12);
          out[ID.CROOT_NONE] = 1;
        } else this.allowFreePitches(out, 0);
        break;
      case 'pitch':
        out.fill(1, ID.VEL0, ID.VEL0 + ID.VELS);
        break;
      case 'vel':
        out.fill(1, ID.DUR1, ID.DUR1 + MAX_DURATION_STEPS);
        break;
      case 'croot':
        out.fill(1, ID.CQUAL0, ID.CQUAL0 + ID.CQUALS);
        break;
      case 'done':
        break;
    }
    return out;
  }

  private allowAtEventStart(out: Uint8Array): void {
    const due = this.due();
    // Another anchor at the position just written: it comes next, before anything free.
    if (due && due.pos === this.pos) {
      this.allowAnchorStart(due, out);
      return;
    }
    const barsLeft = this.bars - this.barsDone;
    const open = !this.closed.has(this.barsDone - 1);
    const left = this.sequence.length;
    if (due) out[ID.POS0 + due.pos] = 1;
    else if (barsLeft > 0 && left <= barsLeft * this.steps) out[ID.BAR] = 1;
    else if (barsLeft === 0 && left === 0) out[ID.EOS] = 1;
    const tight = this.maxTokens - this.used <= barsLeft + 1 + this.reserved() + 4;
    if (left > 0) {
      // Keep notes: the next pitch goes at a later position, or stacks here when it is higher.
      const end = due ? due.pos : this.steps;
      for (let p = this.pos + 1; p < end; p++) {
        if (left - 1 <= this.steps - 1 - p + barsLeft * this.steps) out[ID.POS0 + p] = 1;
      }
      if (this.pos >= 0 && this.sequence[0]! > this.lastPitch) out[ID.PITCH0 + this.sequence[0]!] = 1;
      return;
    }
    if (tight || !open || this.keepNotes) return;
    for (let p = this.pos + 1; p < (due ? due.pos : this.steps); p++) out[ID.POS0 + p] = 1;
    if (this.pos >= 0 && this.role !== 'chords') this.allowFreePitches(out, this.lastPitch + 1);
  }

  private allowAnchorStart(anchor: Anchor, out: Uint8Array): void {
    if (anchor.kind !== 'slot') {
      out[anchor.tokens[0]!] = 1;
      return;
    }
    // A slot's pitch: above the last at this position, leaving room for the slots after it and
    // below the next fixed note here.
    let after = 0;
    let ceiling = 128;
    for (let i = this.nextAnchor + 1; i < this.anchors.length; i++) {
      const next = this.anchors[i]!;
      if (next.bar !== anchor.bar || next.pos !== anchor.pos) break;
      if (next.kind === 'note') {
        ceiling = next.pitch;
        break;
      }
      after++;
    }
    const top = ceiling - 1 - after;
    let any = false;
    for (let p = this.lastPitch + 1; p <= top; p++) {
      if (this.pitchAllowed[p]) {
        out[ID.PITCH0 + p] = 1;
        any = true;
      }
    }
    // Scale or range leave nothing: any pitch that keeps the order will do.
    if (!any) for (let p = this.lastPitch + 1; p <= Math.min(127, top); p++) out[ID.PITCH0 + p] = 1;
  }

  /**
   * Moves past a token of a given start (the clip a continue request extends): the player's notes
   * may lie outside the range and scale that the model's own notes keep to.
   */
  acceptGiven(token: number): void {
    const free = this.pitchAllowed;
    this.pitchAllowed = ANY_PITCH;
    this.given = true;
    try {
      this.accept(token);
    } finally {
      this.pitchAllowed = free;
      this.given = false;
    }
  }

  /** Moves past `token`; throws when it is not allowed (a caller bug, never a model's choice). */
  accept(token: number): void {
    if (!this.allowed(this.scratch)[token])
      throw new GrammarError(`token ${VOCAB.token(token)} is not allowed here (${this.phase}, bar ${this.barsDone}/${this.bars})`);
    this.used++;
    if (token >= ID.PITCH0 && token < ID.PITCH0 + 128) {
      // The first (lowest) pitch at a position, free or given: the line's newest note.
      if (this.lastPitch < 0) {
        this.onsetLow = token - ID.PITCH0;
        this.topBefore = this.topHere;
      }
      this.topHere = token - ID.PITCH0; // pitches rise at a position: the newest is its top so far
      this.lowest = Math.min(this.lowest, token - ID.PITCH0);
      this.highest = Math.max(this.highest, token - ID.PITCH0);
    }
    if (this.forced.length > 0) {
      this.forced.shift();
      if (token >= ID.PITCH0 && token < ID.PITCH0 + 128) this.lastPitch = token - ID.PITCH0;
      if (this.forced.length === 0 && this.writingAnchor) this.finishAnchor();
      return;
    }
    const due = this.due();
    if (token === ID.BAR) {
      this.barsDone++;
      this.pos = -1;
      this.lastPitch = -1;
      this.phase = 'open';
    } else if (token === ID.EOS) this.phase = 'done';
    else if (token >= ID.POS0 && token < ID.POS0 + this.steps) {
      this.pos = token - ID.POS0;
      this.lastPitch = -1;
      if (due && due.pos === this.pos) {
        this.startAnchor(due);
      } else this.phase = 'pos';
    } else if (token >= ID.PITCH0 && token < ID.PITCH0 + 128) {
      const pitch = token - ID.PITCH0;
      if (this.phase === 'open' && due && due.pos === this.pos) {
        // The first token of an anchor at the current position (a fixed note, or a slot's pitch).
        this.lastPitch = pitch;
        this.writingAnchor = true;
        this.forced = due.kind === 'slot' ? [...due.tokens] : due.tokens.slice(1);
        if (this.forced.length === 0) this.finishAnchor();
        return;
      }
      this.lastPitch = pitch;
      if (this.sequence.length > 0) this.sequence.shift();
      this.phase = 'pitch';
    } else if (token >= ID.VEL0 && token < ID.VEL0 + ID.VELS) this.phase = this.role === 'drums' ? 'open' : 'vel';
    else if (token >= ID.DUR1 && token < ID.DUR1 + MAX_DURATION_STEPS) this.phase = 'open';
    else if (token === ID.CROOT_NONE) this.phase = 'open';
    else if (token >= ID.CROOT0 && token < ID.CROOT0 + 12) this.phase = 'croot';
    else this.phase = 'open'; // CQUAL
  }

  /** After the anchor's POS: its tokens are forced (a slot's pitch is picked at the open state). */
  private startAnchor(anchor: Anchor): void {
    this.phase = 'open';
    if (anchor.kind === 'slot') return; // allowAtEventStart offers its pitches next
    this.writingAnchor = true;
    this.forced = [...anchor.tokens];
  }

  private finishAnchor(): void {
    this.writingAnchor = false;
    this.nextAnchor++;
    this.phase = 'open';
  }

  private allowFreePitches(out: Uint8Array, from: number): void {
    if (this.sequence.length > 0) {
      if (this.sequence[0]! >= from) out[ID.PITCH0 + this.sequence[0]!] = 1;
      return;
    }
    let low = from;
    let high = 127;
    if (this.span !== null && this.highest >= 0 && !this.given) {
      // Keep register, unless no pitch the range and scale allow is left inside it.
      const inside = (p: number): boolean => this.pitchAllowed[p] === 1;
      const l = Math.max(from, this.highest - this.span);
      const h = Math.min(127, this.lowest + this.span);
      let any = false;
      for (let p = l; p <= h && !any; p++) any = inside(p);
      if (any) {
        low = l;
        high = h;
      }
    }
    for (let p = low; p <= high; p++) if (this.pitchAllowed[p]) out[ID.PITCH0 + p] = 1;
  }
}
