/**
 * One decoder-only model behind the onnxruntime-common API (so onnxruntime-node and
 * onnxruntime-web both drive it): a forward pass over new tokens with a KV cache in and out, as
 * models/training/FORMAT.md specifies.
 *
 * The cache is kept in two blocks per layer: `settled` (long; the model only reads it) and
 * `recent` (the last few positions; the model returns it grown by the new tokens). Every
 * MERGE_AT positions the recent block joins the settled one here, in one copy. A model that
 * returned the whole grown cache every step made each long batched step copy all of it twice
 * (in the graph and out to JavaScript). Models exported before the split (past_key_i in,
 * present_key_i out) still run: for them the recent block is the whole cache.
 *
 * The first call (the prompt) has an empty settled block, and onnxruntime's WebGPU provider
 * (native 1.2x and lavapipe alike) crashes the process on a zero-length settled block: a segfault,
 * not an error. So a GPU model is given a CPU session for that call (`firstStep`), and the prompt's
 * positions are settled at once: every later call has a settled block of at least one position.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

export interface ModelShape {
  layers: number;
  heads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
}

/** The runtime's Tensor constructor (from onnxruntime-node or onnxruntime-web). */
export type TensorConstructor = new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => Tensor;

/** Keys and values per layer, [batch, heads, length, headDim] each: settled, then recent positions. */
export interface KvCache {
  settledKeys: Tensor[];
  settledValues: Tensor[];
  recentKeys: Tensor[];
  recentValues: Tensor[];
  /** Positions in both blocks. */
  length: number;
  batch: number;
}

export interface ForwardResult {
  /** [batch, seq, vocab], row-major. */
  logits: Float32Array;
  seq: number;
  cache: KvCache;
}

/** Recent positions that trigger a merge into the settled block (bench:inference measured 16..64 alike). */
export const MERGE_AT = 32;

export interface CausalLmOptions {
  /** Runs the calls made while the settled block is empty (the prompt); default: the session itself. */
  firstStep?: InferenceSession;
}

export class CausalLm {
  readonly shape: ModelShape;
  /** true for the split-cache contract (settled_/recent_ inputs), false for one grown cache. */
  readonly splitCache: boolean;
  private readonly session: InferenceSession;
  private readonly firstStep: InferenceSession;
  private readonly TensorCtor: TensorConstructor;

  constructor(session: InferenceSession, shape: ModelShape, TensorCtor: TensorConstructor, options: CausalLmOptions = {}) {
    this.session = session;
    this.firstStep = options.firstStep ?? session;
    this.shape = shape;
    this.TensorCtor = TensorCtor;
    this.splitCache = session.inputNames.includes('settled_key_0');
    const expected = this.splitCache ? 'recent_key_0' : 'past_key_0';
    if (!session.inputNames.includes(expected))
      throw new Error(`the model has neither settled_key_0/recent_key_0 nor past_key_0 inputs (it has ${session.inputNames.join(', ')})`);
  }

  emptyCache(batch: number): KvCache {
    const empty = (): Tensor[] =>
      Array.from(
        { length: this.shape.layers },
        () => new this.TensorCtor('float32', new Float32Array(0), [batch, this.shape.heads, 0, this.shape.headDim]),
      );
    return { settledKeys: empty(), settledValues: empty(), recentKeys: empty(), recentValues: empty(), length: 0, batch };
  }

  /** Runs `ids` (batch rows of equal length) after the cached positions. */
  async forward(ids: readonly (readonly number[])[], cache: KvCache): Promise<ForwardResult> {
    const batch = ids.length;
    const seq = ids[0]!.length;
    if (batch !== cache.batch) throw new Error(`batch ${batch} does not match the cache's ${cache.batch}`);
    if (cache.length + seq > this.shape.maxPositions)
      throw new Error(`sequence of ${cache.length + seq} tokens exceeds the model's ${this.shape.maxPositions} positions`);
    const flat = new BigInt64Array(batch * seq);
    ids.forEach((row, b) => {
      if (row.length !== seq) throw new Error('every row of a batch must have the same length');
      row.forEach((id, s) => {
        flat[b * seq + s] = BigInt(id);
      });
    });
    const feeds: Record<string, Tensor> = { input_ids: new this.TensorCtor('int64', flat, [batch, seq]) };
    const { layers } = this.shape;
    for (let i = 0; i < layers; i++) {
      if (this.splitCache) {
        feeds[`settled_key_${i}`] = cache.settledKeys[i]!;
        feeds[`settled_value_${i}`] = cache.settledValues[i]!;
        feeds[`recent_key_${i}`] = cache.recentKeys[i]!;
        feeds[`recent_value_${i}`] = cache.recentValues[i]!;
      } else {
        feeds[`past_key_${i}`] = cache.recentKeys[i]!;
        feeds[`past_value_${i}`] = cache.recentValues[i]!;
      }
    }
    const unsettled = this.splitCache && cache.settledKeys[0]!.dims[2] === 0;
    const out = await (unsettled ? this.firstStep : this.session).run(feeds);
    const keyOut = this.splitCache ? 'next_recent_key_' : 'present_key_';
    const valueOut = this.splitCache ? 'next_recent_value_' : 'present_value_';
    const next: KvCache = {
      settledKeys: cache.settledKeys,
      settledValues: cache.settledValues,
      recentKeys: Array.from({ length: layers }, (_, i) => out[`${keyOut}${i}`]!),
      recentValues: Array.from({ length: layers }, (_, i) => out[`${valueOut}${i}`]!),
      length: cache.length + seq,
      batch,
    };
    const merge = this.splitCache && (unsettled || next.recentKeys[0]!.dims[2]! >= MERGE_AT);
    return { logits: out.logits!.data as Float32Array, seq, cache: merge ? this.merge(next) : next };
  }

  /**
   * The cache of only the batch rows `rows` (indices into cache's batch, in the order given), so
   * that rows that have finished stop being computed: a forward pass costs about the same for each
   * row of the batch, finished or not. Each row's keys and values are its own, so the rows kept
   * compute exactly what they would have with the others beside them.
   */
  keepRows(cache: KvCache, rows: readonly number[]): KvCache {
    if (rows.length === cache.batch && rows.every((row, i) => row === i)) return cache;
    const pick = (tensor: Tensor): Tensor => {
      const [b, h, p, d] = tensor.dims as [number, number, number, number];
      const data = tensor.data as Float32Array;
      const perRow = h * p * d;
      const out = new Float32Array(rows.length * perRow);
      rows.forEach((row, i) => {
        if (row < 0 || row >= b) throw new Error(`row ${row} is not in the cache's batch of ${b}`);
        out.set(data.subarray(row * perRow, (row + 1) * perRow), i * perRow);
      });
      return new this.TensorCtor('float32', out, [rows.length, h, p, d]);
    };
    return {
      settledKeys: cache.settledKeys.map(pick),
      settledValues: cache.settledValues.map(pick),
      recentKeys: cache.recentKeys.map(pick),
      recentValues: cache.recentValues.map(pick),
      length: cache.length,
      batch: rows.length,
    };
  }

  /** The recent block appended to the settled one: one copy per (batch row, head) run of each tensor. */
  private merge(cache: KvCache): KvCache {
    const join = (settled: Tensor, recent: Tensor): Tensor => {
      const [b, h, p, d] = settled.dims as [number, number, number, number];
      const r = recent.dims[2]!;
      const a = settled.data as Float32Array;
      const c = recent.data as Float32Array;
      const out = new Float32Array(b * h * (p + r) * d);
      for (let run = 0; run < b * h; run++) {
        out.set(a.subarray(run * p * d, (run + 1) * p * d), run * (p + r) * d);
        out.set(c.subarray(run * r * d, (run + 1) * r * d), run * (p + r) * d + p * d);
      }
      return new this.TensorCtor('float32', out, [b, h, p + r, d]);
    };
    const empty = (): Tensor => new this.TensorCtor('float32', new Float32Array(0), [cache.batch, this.shape.heads, 0, this.shape.headDim]);
    return {
      settledKeys: cache.settledKeys.map((s, i) => join(s, cache.recentKeys[i]!)),
      settledValues: cache.settledValues.map((s, i) => join(s, cache.recentValues[i]!)),
      recentKeys: cache.recentKeys.map(empty),
      recentValues: cache.recentValues.map(empty),
      length: cache.length,
      batch: cache.batch,
    };
  }
}

/** Natural-log softmax of `logits[offset .. offset+size)` at index `target`. */
export function logSoftmaxAt(logits: Float32Array, offset: number, size: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(logits[offset + i]! - max);
  return logits[offset + target]! - max - Math.log(sum);
}
