/**
 * The generation engine: one loaded model, requests in, clips out. Plans the request, decodes all
 * variations in one batch, streams each note as it is decoded, checks each variation against the
 * training data's fingerprints (inference/originality/) when the model ships them, and stamps
 * every result with its provenance (model, task, conditions, seed, sampling, provider, timing). Runtime-neutral: the
 * node and web hosts give it a CausalLm over their onnxruntime.
 */
import { ticksPerBar } from '../../core/time.ts';
import { decodePart } from '../tokenizer/events.ts';
import type { CausalLm } from './causal-lm.ts';
import { decode } from './generate.ts';
import { samplingByChoice } from './sampler.ts';
import { assembleResult, planRequest } from './plan.ts';
import type { GeneratedPart, GenerationRequest, GenerationResult, StreamedEvent } from './request.ts';
import { checkPart } from '../originality/check.ts';
import type { OriginalityIndex } from '../originality/index-file.ts';
import { TokenStream } from './stream.ts';

export const ENGINE_VERSION = 'riffroom-engine/1';

export interface EngineModel {
  id: string;
  sha256: string;
}

export interface GenerateHooks {
  /** Each note (or chord) of each variation, in result ticks, as soon as it is decoded. */
  onNote?: (event: StreamedEvent) => void;
  signal?: AbortSignal;
}

export class Engine {
  readonly lm: CausalLm;
  readonly model: EngineModel;
  readonly provider: string;
  /** The training data's fingerprints: each variation is checked against them (null: not checked). */
  readonly originality: OriginalityIndex | null;
  private readonly now: () => number;

  constructor(
    lm: CausalLm,
    model: EngineModel,
    provider: string,
    now: () => number = () => performance.now(),
    originality: OriginalityIndex | null = null,
  ) {
    this.lm = lm;
    this.model = model;
    this.provider = provider;
    this.now = now;
    this.originality = originality;
  }

  async generate(request: GenerationRequest, hooks: GenerateHooks = {}): Promise<GenerationResult> {
    const started = this.now();
    const plan = planRequest(request, this.lm.shape.maxPositions);
    const barTicks = ticksPerBar(request.meter);
    const offset = plan.answerBar * barTicks;
    const newFrom = plan.firstNewAnswerBar * barTicks;
    const streams = Array.from({ length: request.variations }, () => new TokenStream(request.role, request.meter));
    for (const stream of streams) for (const token of plan.prefix) stream.push(token);
    let firstNote: number | null = null;
    let decoded = 0;
    const rows = await decode(
      this.lm,
      {
        prompt: plan.prompt,
        prefix: plan.prefix,
        batch: request.variations,
        seed: request.seed,
        sampling: request.sampling,
        grammar: { ...plan.grammar, maxTokens: plan.maxTokens },
      },
      {
        signal: hooks.signal,
        onToken: (row, token) => {
          decoded++;
          // Rows after the one whose note triggered a cancel still finish this step: stay silent.
          if (hooks.signal?.aborted) return;
          const event = streams[row]!.push(token);
          if (!event) return;
          const tick = 'note' in event ? event.note.tick : event.chord.tick;
          if (tick < newFrom) return;
          firstNote ??= this.now() - started;
          if (!hooks.onNote) return;
          if ('note' in event) hooks.onNote({ variation: row, note: { ...event.note, tick: event.note.tick + offset } });
          else hooks.onNote({ variation: row, chord: { ...event.chord, tick: event.chord.tick + offset } });
        },
      },
    );
    const variations = rows.map((tokens) => {
      const { part } = decodePart(tokens, request.role, request.meter);
      const answer = part.role === 'chords' ? { notes: [], chords: part.chords } : { notes: part.notes, chords: [] };
      const result = assembleResult(plan, barTicks, answer);
      const variation: GeneratedPart = {
        bars: plan.resultBars,
        notes: result.notes,
        chords: result.chords,
        tokens: tokens.length - plan.prefix.length,
      };
      // Checked before anyone sees it: does it repeat a training song past its role's window?
      if (this.originality && request.role !== 'chords') {
        variation.copy = checkPart(this.originality, {
          role: request.role,
          notes: result.notes,
          meter: request.meter,
          bars: plan.resultBars,
        });
      }
      return variation;
    });
    const totalMs = this.now() - started;
    const mode = request.mode ?? 'free';
    return {
      variations,
      provenance: {
        model: { ...this.model },
        engine: ENGINE_VERSION,
        task: request.task,
        role: request.role,
        conditions: {
          style: request.style,
          key: request.key,
          meter: request.meter,
          bpm: request.bpm,
          energy: request.energy,
          bars: plan.resultBars,
          mode,
          scaleLock: request.scaleLock ?? false,
          chords: Boolean(request.chords?.length),
          locks: plan.locked.length,
          followChords: plan.grammar.followChords ?? 0,
          ...(plan.grammar.span !== undefined ? { span: plan.grammar.span } : {}),
          ...(plan.grammar.repeatDamping ? { repeatDamping: plan.grammar.repeatDamping } : {}),
          ...(plan.grammar.topRepeatDamping ? { topRepeatDamping: plan.grammar.topRepeatDamping } : {}),
          ...(plan.grammar.leapDamping ? { leapDamping: plan.grammar.leapDamping } : {}),
        },
        seed: request.seed,
        sampling: { ...samplingByChoice(request.role, request.sampling).resolved },
        provider: this.provider,
        timing: {
          firstNoteMs: firstNote,
          totalMs,
          promptTokens: plan.prompt.length + plan.prefix.length,
          decodedTokens: decoded,
          tokensPerSecond: decoded / (totalMs / 1000),
        },
      },
    };
  }
}
