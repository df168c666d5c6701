/**
 * Reads an answer's tokens one at a time, as the model writes them, and says when a note (or a
 * chord of the chord track) is complete, so it can be shown and heard at once. It trusts the
 * grammar: tokens arrive in grammar order.
 */
import type { NoteInput } from '../../core/song/types.ts';
import type { Meter } from '../../core/time.ts';
import { DRUM_HIT_TICKS, type TokenChord } from '../tokenizer/events.ts';
import { TICKS_PER_STEP, VOCAB, barSteps, velocityOfLevel, type ModelRole } from '../tokenizer/vocabulary.ts';

const ID = {
  BAR: VOCAB.id('BAR'),
  POS0: VOCAB.id('POS_0'),
  PITCH0: VOCAB.id('PITCH_0'),
  VEL0: VOCAB.id('VEL_0'),
  DUR1: VOCAB.id('DUR_1'),
  CROOT0: VOCAB.id('CROOT_0'),
  CROOT_NONE: VOCAB.id('CROOT_none'),
  CQUAL0: VOCAB.id('CQUAL_maj'),
};

export type StreamEvent = { note: NoteInput } | { chord: TokenChord };

export class TokenStream {
  private readonly role: ModelRole;
  private readonly steps: number;
  private bar = -1;
  private pos = 0;
  private pitch = 0;
  private velocity = 0;
  private root = -1;

  constructor(role: ModelRole, meter: Meter) {
    this.role = role;
    this.steps = barSteps(meter);
  }

  /** The note or chord `token` completes, if any (answer ticks). */
  push(token: number): StreamEvent | null {
    const tick = (this.bar * this.steps + this.pos) * TICKS_PER_STEP;
    if (token === ID.BAR) {
      this.bar++;
      this.pos = 0;
    } else if (token >= ID.POS0 && token < ID.PITCH0) this.pos = token - ID.POS0;
    else if (token >= ID.PITCH0 && token < ID.VEL0) this.pitch = token - ID.PITCH0;
    else if (token >= ID.VEL0 && token < ID.DUR1) {
      this.velocity = velocityOfLevel(token - ID.VEL0);
      if (this.role === 'drums') return { note: { pitch: this.pitch, tick, duration: DRUM_HIT_TICKS, velocity: this.velocity } };
    } else if (token >= ID.DUR1 && token < ID.CROOT0) {
      return { note: { pitch: this.pitch, tick, duration: (token - ID.DUR1 + 1) * TICKS_PER_STEP, velocity: this.velocity } };
    } else if (token === ID.CROOT_NONE) {
      if (this.role === 'chords') return { chord: { tick, root: null, quality: 'maj' } };
    } else if (token >= ID.CROOT0 && token < ID.CROOT_NONE) this.root = token - ID.CROOT0;
    else if (token >= ID.CQUAL0 && this.role === 'chords') {
      return { chord: { tick, root: this.root, quality: VOCAB.token(token).slice('CQUAL_'.length) as TokenChord['quality'] } };
    }
    return null;
  }
}
