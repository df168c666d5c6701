/**
 * The grammar of the part the model writes after SEP, as a state machine that says which tokens
 * may come next. Sampling only ever picks an allowed token, so every result parses and has exactly
 * the bars asked: BAR opens each bar, positions rise inside a bar, pitches rise at one position
 * and stay in the role's range, a note is PITCH VEL DUR (drums: PITCH VEL), a chord CROOT CQUAL,
 * and EOS comes exactly after the last bar. Near the token budget only BAR/EOS remain allowed.
 */
import type { Meter } from '../../core/time.ts';
import {
  DRUM_PITCHES, MAX_DURATION_STEPS, PITCH_RANGES, VOCAB, barSteps, type ModelRole,
} from '../tokenizer/vocabulary.ts';

type Phase = 'start' | 'open' | 'pos' | 'pitch' | 'vel' | 'croot' | 'done';

export interface GrammarOptions {
  role: ModelRole;
  meter: Meter;
  /** Bars to write. */
  bars: number;
  /** Most tokens the part may take (EOS included); the grammar closes bars early to respect it. */
  maxTokens: number;
}

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

export class EventGrammar {
  readonly role: ModelRole;
  readonly bars: number;
  private readonly steps: number;
  private readonly maxTokens: number;
  private readonly pitchAllowed: Uint8Array;
  private phase: Phase = 'start';
  private barsDone = 0;
  private pos = -1;
  private lastPitch = -1;
  private used = 0;
  private readonly scratch = new Uint8Array(VOCAB.size);

  constructor(options: GrammarOptions) {
    this.role = options.role;
    this.bars = options.bars;
    this.steps = barSteps(options.meter);
    this.maxTokens = options.maxTokens;
    this.pitchAllowed = new Uint8Array(128);
    if (options.role === 'drums') for (const p of DRUM_PITCHES) this.pitchAllowed[p] = 1;
    else if (options.role !== 'chords') {
      const { low, high } = PITCH_RANGES[options.role];
      this.pitchAllowed.fill(1, low, high + 1);
    }
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Fills `out` (vocabulary-sized) with 1 for every token allowed next, 0 elsewhere. */
  allowed(out: Uint8Array): Uint8Array {
    out.fill(0);
    switch (this.phase) {
      case 'start':
        out[ID.BAR] = 1;
        break;
      case 'open': {
        const barsLeft = this.bars - this.barsDone;
        if (barsLeft > 0) out[ID.BAR] = 1;
        else out[ID.EOS] = 1;
        // Close out when the budget only just covers the remaining BARs and EOS.
        if (this.maxTokens - this.used <= barsLeft + 4) break;
        for (let p = this.pos + 1; p < this.steps; p++) out[ID.POS0 + p] = 1;
        if (this.pos >= 0 && this.role !== 'chords') this.allowPitches(out, this.lastPitch + 1);
        break;
      }
      case 'pos':
        if (this.role === 'chords') {
          out.fill(1, ID.CROOT0, ID.CROOT0 + 12);
          out[ID.CROOT_NONE] = 1;
        } else this.allowPitches(out, 0);
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

  /** Moves past `token`; throws when it is not allowed (a caller bug, never a model's choice). */
  accept(token: number): void {
    if (!this.allowed(this.scratch)[token]) throw new Error(`token ${VOCAB.token(token)} is not allowed here (${this.phase}, bar ${this.barsDone}/${this.bars})`);
    this.used++;
    if (token === ID.BAR) {
      this.barsDone++;
      this.pos = -1;
      this.lastPitch = -1;
      this.phase = 'open';
    } else if (token === ID.EOS) this.phase = 'done';
    else if (token >= ID.POS0 && token < ID.POS0 + this.steps) {
      this.pos = token - ID.POS0;
      this.lastPitch = -1;
      this.phase = 'pos';
    } else if (token >= ID.PITCH0 && token < ID.PITCH0 + 128) {
      this.lastPitch = token - ID.PITCH0;
      this.phase = 'pitch';
    } else if (token >= ID.VEL0 && token < ID.VEL0 + ID.VELS) this.phase = this.role === 'drums' ? 'open' : 'vel';
    else if (token >= ID.DUR1 && token < ID.DUR1 + MAX_DURATION_STEPS) this.phase = 'open';
    else if (token === ID.CROOT_NONE) this.phase = 'open';
    else if (token >= ID.CROOT0 && token < ID.CROOT0 + 12) this.phase = 'croot';
    else this.phase = 'open'; // CQUAL
  }

  private allowPitches(out: Uint8Array, from: number): void {
    for (let p = from; p < 128; p++) if (this.pitchAllowed[p]) out[ID.PITCH0 + p] = 1;
  }
}
