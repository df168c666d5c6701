/**
 * The web worker's warm-up: riffs decoded and thrown away while the guest has asked for nothing,
 * so that later riffs run on optimised code.
 *
 * Why: Chromium's V8 starts onnxruntime-web's wasm kernels in its baseline compiler (Liftoff) and
 * recompiles a function optimised only after it has executed a budget of code (13 MB of "bytes
 * executed" per function in Chromium 156, `--wasm-tiering-budget`). A page cannot change that
 * budget, so in a fresh tab the first twenty-odd riffs run 20-40% slower than the same tab later
 * (inference/README.md, "Fourth round"). Spending that execution while the guest reads or types
 * moves the slow riffs out of their way. It starts after the guest's first riff (a guest who never
 * asks for one costs nothing), each warm-up riff is stopped between two decode steps as soon as a
 * real request comes (service.ts IdleWork), and the whole warm-up is bounded by a time budget,
 * after which the worker sits idle again.
 */
import type { GenerationRequest } from '../engine/request.ts';
import type { TokenChord } from '../tokenizer/events.ts';
import type { ModelRole } from '../tokenizer/vocabulary.ts';
import type { IdleWork } from './service.ts';

/**
 * Eight seconds of decoding: on the 2-core machine the drums and keys riffs reach their settled
 * speed after 6-8 s of riffs (inference/README.md, "Fourth round"); more buys nothing.
 */
export const WARM_UP_BUDGET_MS = 8000;

/**
 * The riff the AI panel asks for most, in a common setting: 4 bars of pop/rock in 4/4 at 112 BPM,
 * middle energy, a I-V-vi-IV progression under pitched parts. bench:inference times the same.
 */
export function commonRiffRequest(role: ModelRole, seed: number, variations: number): GenerationRequest {
  const drums = role === 'drums';
  return {
    task: 'generate',
    role,
    style: drums ? 'rock' : 'pop',
    key: drums ? null : { tonic: 0, mode: 'major' },
    meter: { numerator: 4, denominator: 4 },
    bpm: 112,
    energy: 2,
    bars: 4,
    chords: drums || role === 'chords' ? null : CHORDS,
    variations,
    seed,
    sampling: { temperature: 1, topK: 0, topP: 0.95 },
  };
}

/** The roles with the longest decodes, taken in turn. */
const ROLES: readonly ModelRole[] = ['drums', 'keys', 'bass', 'lead'];
const CHORDS: TokenChord[] = [0, 7, 9, 5].map((root, bar) => ({ tick: bar * 1920, root, quality: bar === 2 ? 'min' : 'maj' }));

export function warmUpRequest(index: number): GenerationRequest {
  return commonRiffRequest(ROLES[index % ROLES.length]!, 7919 + index, 3);
}

/** Warm-up riffs until `budgetMs` of decoding has been spent (stopped riffs count what they ran). */
export class WarmUp implements IdleWork {
  private spentMs = 0;
  private issued = 0;
  private readonly budgetMs: number;

  constructor(budgetMs = WARM_UP_BUDGET_MS) {
    this.budgetMs = budgetMs;
  }

  next(): GenerationRequest | null {
    if (this.spentMs >= this.budgetMs) return null;
    return warmUpRequest(this.issued++);
  }

  ran(ms: number, _finished: boolean): void {
    this.spentMs += ms;
  }

  /** Milliseconds of warm-up decoding so far. */
  get spent(): number {
    return this.spentMs;
  }
}
