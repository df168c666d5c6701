/**
 * Grammar-constrained, seeded generation of one part: the prompt runs once, then every row of
 * the batch (N variations of one request) decodes one token per step over the KV cache until
 * all rows have written EOS. Row r draws from its own generator seeded by (seed, r), so a seed
 * gives the same notes on the same provider.
 */
import { seededRandom } from '../../core/random.ts';
import type { Meter } from '../../core/time.ts';
import type { TokenChord } from '../tokenizer/events.ts';
import { VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';
import type { CausalLm } from './causal-lm.ts';
import { followChords } from './follow-chords.ts';
import { dampLeaps } from './line-leaps.ts';
import { dampRepeat, dampTopRepeat } from './line-repeats.ts';
import { EventGrammar, type GrammarOptions } from './grammar.ts';
import { samplingByChoice, sampleToken, type SamplingSettings } from './sampler.ts';

export interface PartRequest {
  /** BOS ... SEP (encodePrompt). */
  prompt: readonly number[];
  role: ModelRole;
  meter: Meter;
  /** Bars the model writes. */
  bars: number;
  /** Variations to write at once. */
  batch: number;
  seed: number;
  sampling: SamplingSettings;
  /** Cap on tokens written (EOS included); default: what the model's positions allow. */
  maxTokens?: number;
  /**
   * Event tokens every row starts with (to continue a clip: its first bars, encodePart). They are
   * checked against the grammar and returned as part of each row.
   */
  prefix?: readonly number[];
  /**
   * Chords the part is written over, ticks from its first bar (targetChords), written inline in
   * a pitched part as the model was trained; the prefix must carry them too.
   */
  chords?: readonly TokenChord[] | null;
  /** Follow the chords, 0..1 (GrammarOptions.followChords); default 0. */
  followChords?: number;
  /** Keep register, semitones (GrammarOptions.span); default: no limit. */
  span?: number;
  /** Fewer repeated notes, 0..1 (GrammarOptions.repeatDamping); default 0. */
  repeatDamping?: number;
  /** Fewer repeated top notes, 0..1 (GrammarOptions.topRepeatDamping); default 0. */
  topRepeatDamping?: number;
  /** Fewer leaps, 0..MAX_LEAP_DAMPING (GrammarOptions.leapDamping); default 0. */
  leapDamping?: number;
}

/** Generated event tokens (after SEP, EOS included) per row. */
export async function generatePart(lm: CausalLm, request: PartRequest): Promise<number[][]> {
  const room = lm.shape.maxPositions - request.prompt.length;
  const maxTokens = Math.min(request.maxTokens ?? room, room);
  if (maxTokens < request.bars + 1) throw new Error(`the prompt leaves room for ${maxTokens} tokens, too few for ${request.bars} bars`);
  return decode(lm, {
    prompt: request.prompt,
    prefix: request.prefix ?? [],
    batch: request.batch,
    seed: request.seed,
    sampling: request.sampling,
    grammar: {
      role: request.role,
      meter: request.meter,
      bars: request.bars,
      maxTokens,
      chords: request.chords,
      followChords: request.followChords,
      span: request.span,
      repeatDamping: request.repeatDamping,
      topRepeatDamping: request.topRepeatDamping,
      leapDamping: request.leapDamping,
    },
  });
}

export interface DecodeRequest {
  prompt: readonly number[];
  prefix: readonly number[];
  grammar: GrammarOptions;
  batch: number;
  seed: number;
  sampling: SamplingSettings;
}

export interface DecodeHooks {
  /** Called with each token a row writes (the prefix excluded), right after it is chosen. */
  onToken?: (row: number, token: number) => void;
  /** Stops decoding before the next forward pass; decode rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The decoding loop: the prompt and the shared prefix run once for all rows, then each step
 * feeds every unfinished row's last token over the KV cache. A row that finishes leaves the batch
 * (its cache rows are dropped): a pass costs about the same for each row, so finished rows riding
 * along cost 12-15% of a 3-variation riff. Each row's numbers are its own, so the notes are the
 * same either way.
 */
export async function decode(lm: CausalLm, request: DecodeRequest, hooks: DecodeHooks = {}): Promise<number[][]> {
  const { batch } = request;
  const grammars = Array.from({ length: batch }, () => new EventGrammar(request.grammar));
  const randoms = Array.from({ length: batch }, (_, row) => seededRandom((request.seed * 1_000_003 + row * 7919) >>> 0));
  const rows: number[][] = Array.from({ length: batch }, () => []);
  const allowed = new Uint8Array(VOCAB.size);
  const vocab = lm.shape.vocabSize;
  const shifted = new Float32Array(vocab);
  const settings = samplingByChoice(request.grammar.role, request.sampling);
  for (let row = 0; row < batch; row++) {
    for (const token of request.prefix) grammars[row]!.acceptGiven(token);
    rows[row]!.push(...request.prefix);
  }
  if (grammars[0]!.done) return rows;
  hooks.signal?.throwIfAborted();
  const start = [...request.prompt, ...request.prefix];
  let step = await lm.forward(
    Array.from({ length: batch }, () => start),
    lm.emptyCache(batch),
  );
  // Rows still decoding, in the order of the batch the model sees (the cache's rows).
  let live = Array.from({ length: batch }, (_, row) => row);
  for (;;) {
    const next: number[][] = [];
    const staying: number[] = [];
    for (let slot = 0; slot < live.length; slot++) {
      const row = live[slot]!;
      const grammar = grammars[row]!;
      const offset = (slot * step.seq + step.seq - 1) * vocab;
      const logits = step.logits.subarray(offset, offset + vocab);
      grammar.allowed(allowed);
      const bias = grammar.chordBias();
      const choice = onlyPitches(allowed) ? settings.pitch : settings.rhythm;
      let shaped = bias ? followChords(logits, allowed, bias, shifted) : logits;
      const repeat = grammar.repeatBias();
      if (repeat) shaped = dampRepeat(shaped, allowed, repeat, shifted);
      const topRepeat = grammar.topRepeatBias();
      if (topRepeat) shaped = dampTopRepeat(shaped, allowed, topRepeat, shifted);
      const leap = grammar.leapBias();
      if (leap) shaped = dampLeaps(shaped, allowed, leap, shifted);
      const token = sampleToken(shaped, allowed, choice, randoms[row]!);
      grammar.accept(token);
      rows[row]!.push(token);
      hooks.onToken?.(row, token);
      if (grammar.done) continue;
      next.push([token]);
      staying.push(slot);
    }
    if (!next.length) break;
    hooks.signal?.throwIfAborted();
    const cache = staying.length < live.length ? lm.keepRows(step.cache, staying) : step.cache;
    live = staying.map((slot) => live[slot]!);
    step = await lm.forward(next, cache);
  }
  return rows;
}

const PITCH0 = VOCAB.id('PITCH_0');

/**
 * Whether this step picks a note's pitch and nothing else (after its position). A step that may
 * also move on (a later position, the next bar) is a timing choice, even where a note may stack.
 */
function onlyPitches(allowed: Uint8Array): boolean {
  let any = false;
  for (let i = 0; i < allowed.length; i++) {
    if (!allowed[i]) continue;
    if (i < PITCH0 || i >= PITCH0 + 128) return false;
    any = true;
  }
  return any;
}
