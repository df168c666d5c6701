/**
 * Whole model sequences: the conditioning prefix, the chord section, context tracks, SEP, and
 * the part the model writes.
 *
 *   BOS ROLE STYLE KEY METER TEMPO BARS ENERGY TASK
 *   [CHORDS (BAR chord events)*bars]              the song's chords, for pitched roles
 *   (CTX ROLE (BAR events | BAR MASK)*)*          other tracks (accompany), the clip around the
 *                                                 bars to fill (infill), the clip to vary (vary)
 *   SEP (BAR events)*target bars EOS             pitched targets carry the chords inline
 */
import type { Key } from '../../core/song/types.ts';
import type { Meter } from '../../core/time.ts';
import { ticksPerBar } from '../../core/time.ts';
import { encodePart, sliceChords, type MaskedBars, type Part, type TokenChord } from './events.ts';
import {
  ENERGY_LEVELS,
  MAX_BARS,
  STYLES,
  VOCAB,
  isSupportedMeter,
  keyTokenName,
  meterName,
  tempoBucket,
  type ModelRole,
  type Task,
} from './vocabulary.ts';

/**
 * Names this sequence layout; a model card records the layout its model was trained on and the
 * loader refuses another. 2: pitched targets carry their chords inline.
 */
export const SEQUENCE_LAYOUT = 2;

export interface Conditions {
  role: ModelRole;
  task: Task;
  /** One of STYLES; anything else is written as 'any'. */
  style: string;
  /** null for drums and for parts without a key. */
  key: Key | null;
  meter: Meter;
  bpm: number;
  /** Bars the whole passage spans, 1..16 (for infill: the context's bars). */
  bars: number;
  /** 0 (sparse) .. 4 (busy). */
  energy: number;
}

export interface ContextTrack {
  part: Part;
  /** First bar of the part that the context shows (it shows `Conditions.bars` bars). */
  fromBar: number;
  /** Bars written as MASK (infill), absolute bar numbers of the part. */
  masked?: MaskedBars;
}

export interface Prompt {
  conditions: Conditions;
  /** The song's chords over the passage (ticks from its first bar), for pitched roles. */
  chords?: TokenChord[] | null;
  context?: ContextTrack[];
}

export class PromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

/** BOS ... SEP for the prompt. Throws PromptError on conditions the vocabulary cannot say. */
export function encodePrompt(prompt: Prompt): number[] {
  const c = prompt.conditions;
  if (!Number.isInteger(c.bars) || c.bars < 1 || c.bars > MAX_BARS) throw new PromptError(`bars must be 1..${MAX_BARS}, got ${c.bars}`);
  if (!Number.isInteger(c.energy) || c.energy < 0 || c.energy >= ENERGY_LEVELS)
    throw new PromptError(`energy must be 0..${ENERGY_LEVELS - 1}, got ${c.energy}`);
  if (!isSupportedMeter(c.meter)) throw new PromptError(`meter ${meterName(c.meter)} is not one the model knows`);
  if (!(c.bpm > 0)) throw new PromptError(`tempo must be positive, got ${c.bpm}`);
  const style = (STYLES as readonly string[]).includes(c.style) ? c.style : 'any';
  const out = [
    VOCAB.id('BOS'),
    VOCAB.id(`ROLE_${c.role}`),
    VOCAB.id(`STYLE_${style}`),
    VOCAB.id(keyTokenName(c.role === 'drums' ? null : c.key)),
    VOCAB.id(`METER_${meterName(c.meter)}`),
    VOCAB.id(`TEMPO_${tempoBucket(c.bpm)}`),
    VOCAB.id(`BARS_${c.bars}`),
    VOCAB.id(`ENERGY_${c.energy}`),
    VOCAB.id(`TASK_${c.task}`),
  ];
  if (prompt.chords && c.role !== 'chords' && c.role !== 'drums') {
    out.push(VOCAB.id('CHORDS'), ...encodePart({ role: 'chords', chords: prompt.chords }, c.meter, 0, c.bars));
  }
  for (const track of prompt.context ?? []) {
    out.push(VOCAB.id('CTX'), VOCAB.id(`ROLE_${track.part.role}`));
    out.push(...encodePart(track.part, c.meter, track.fromBar, c.bars, track.masked));
  }
  out.push(VOCAB.id('SEP'));
  return out;
}

/**
 * The chords a target written `offsetBars` into the passage carries inline (ticks from its first
 * bar): those of the prompt for a pitched role, none otherwise.
 */
export function targetChords(prompt: Prompt, offsetBars: number, bars: number): TokenChord[] | null {
  const { role, meter } = prompt.conditions;
  if (!prompt.chords || role === 'drums' || role === 'chords') return null;
  const bar = ticksPerBar(meter);
  return sliceChords(prompt.chords, offsetBars * bar, bars * bar);
}

/**
 * A full training or scoring sequence: the prompt, the target bars [fromBar, fromBar + bars) of
 * `target`, EOS. `offsetBars`: where the target starts inside the prompt's passage (infill).
 */
export function encodeExample(prompt: Prompt, target: Part, fromBar: number, bars: number, offsetBars = 0): number[] {
  const inline = targetChords(prompt, offsetBars, bars);
  return [...encodePrompt(prompt), ...encodePart(target, prompt.conditions.meter, fromBar, bars, undefined, inline), VOCAB.id('EOS')];
}

/** Index of SEP in a sequence (the model writes everything after it); -1 when absent. */
export function sepIndex(tokens: ArrayLike<number>): number {
  const sep = VOCAB.id('SEP');
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === sep) return i;
  return -1;
}
