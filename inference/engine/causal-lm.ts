/**
 * One decoder-only model behind the onnxruntime-common API (so onnxruntime-node and
 * onnxruntime-web both drive it): a forward pass over new tokens with a KV cache in and out, as
 * models/training/FORMAT.md specifies (input_ids, past_key_i/past_value_i → logits, present_*).
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

/** Past keys and values per layer, [batch, heads, length, headDim] each. */
export interface KvCache {
  keys: Tensor[];
  values: Tensor[];
  length: number;
  batch: number;
}

export interface ForwardResult {
  /** [batch, seq, vocab], row-major. */
  logits: Float32Array;
  seq: number;
  cache: KvCache;
}

export class CausalLm {
  readonly shape: ModelShape;
  private readonly session: InferenceSession;
  private readonly TensorCtor: TensorConstructor;

  constructor(session: InferenceSession, shape: ModelShape, TensorCtor: TensorConstructor) {
    this.session = session;
    this.shape = shape;
    this.TensorCtor = TensorCtor;
  }

  emptyCache(batch: number): KvCache {
    const empty = (): Tensor => new this.TensorCtor('float32', new Float32Array(0), [batch, this.shape.heads, 0, this.shape.headDim]);
    return { keys: Array.from({ length: this.shape.layers }, empty), values: Array.from({ length: this.shape.layers }, empty), length: 0, batch };
  }

  /** Runs `ids` (batch rows of equal length) after the cached positions. */
  async forward(ids: readonly (readonly number[])[], cache: KvCache): Promise<ForwardResult> {
    const batch = ids.length;
    const seq = ids[0]!.length;
    if (batch !== cache.batch) throw new Error(`batch ${batch} does not match the cache's ${cache.batch}`);
    if (cache.length + seq > this.shape.maxPositions) throw new Error(`sequence of ${cache.length + seq} tokens exceeds the model's ${this.shape.maxPositions} positions`);
    const flat = new BigInt64Array(batch * seq);
    ids.forEach((row, b) => {
      if (row.length !== seq) throw new Error('every row of a batch must have the same length');
      row.forEach((id, s) => { flat[b * seq + s] = BigInt(id); });
    });
    const feeds: Record<string, Tensor> = { input_ids: new this.TensorCtor('int64', flat, [batch, seq]) };
    for (let i = 0; i < this.shape.layers; i++) {
      feeds[`past_key_${i}`] = cache.keys[i]!;
      feeds[`past_value_${i}`] = cache.values[i]!;
    }
    const out = await this.session.run(feeds);
    const keys: Tensor[] = [];
    const values: Tensor[] = [];
    for (let i = 0; i < this.shape.layers; i++) {
      keys.push(out[`present_key_${i}`]!);
      values.push(out[`present_value_${i}`]!);
    }
    return { logits: out.logits!.data as Float32Array, seq, cache: { keys, values, length: cache.length + seq, batch } };
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
