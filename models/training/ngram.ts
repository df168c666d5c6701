/**
 * Smoothed 4-gram language model over music tokens: the baseline any neural model must beat.
 *
 * Interpolated Kneser–Ney (Chen & Goodman), one discount per order estimated as
 * D = n1 / (n1 + 2 n2), bottoming out in a uniform distribution over the vocabulary so that no
 * token ever gets probability 0. Following FORMAT.md, only tokens after SEP are predicted (and so
 * counted), but their contexts may reach back into the conditions before SEP: the model sees the
 * role/style/... tokens right before SEP, which is what makes it a fair baseline.
 *
 * Pure TypeScript (no Node APIs) so it can run in a browser; file IO lives in ngram-io.ts.
 *
 * Keys are numbers, not strings: ids fit in 10 bits (vocabSize <= 1023, id 1023 is reserved for
 * "before the start"), so a 3-token context packs into 30 bits (a uint32) and a 4-gram into
 * 40 bits (exact in a double).
 */

/** Largest supported vocabulary: ids 0..1022 are tokens, 1023 is BOUNDARY. */
export const MAX_VOCAB = 1023;
/** Fills context positions before the start of an example; never a predicted token. */
export const BOUNDARY = 1023;

const B1 = 1024;
const B2 = B1 * B1;
const B3 = B2 * B1;

export interface NgramOptions {
  vocabSize: number;
  sepId: number;
  order?: 4;
  /**
   * Entries kept for storage: a 4-gram needs at least `4` occurrences, a 3-gram a continuation
   * count (number of distinct tokens seen before it) of at least `3`. 1 keeps everything.
   * Default {3: 2, 4: 2}.
   */
  minCount?: { 3: number; 4: number };
}

/**
 * The stored n-grams of one order n in 2..4, grouped by context (the n-1 preceding ids, packed
 * base 1024, oldest first). For order 4 the counts are raw counts; for orders 2 and 3 they are
 * Kneser–Ney continuation counts (how many distinct tokens preceded the n-gram).
 */
export interface NgramLevel {
  /** Packed contexts, strictly increasing. */
  ctxKeys: Uint32Array;
  /** Per context: the sum of its counts before pruning (the denominator). */
  ctxTotal: Uint32Array;
  /** n-grams of context i are words/counts[ctxStart[i] .. ctxStart[i + 1]); length contexts + 1. */
  ctxStart: Uint32Array;
  /** Predicted token of each kept n-gram, strictly increasing within a context. */
  words: Uint16Array;
  counts: Uint32Array;
}

/** Everything a model is made of: what fitNgram computes and what the binary format stores. */
export interface NgramModelData {
  vocabSize: number;
  sepId: number;
  /** Discounts for orders 1..4. */
  discounts: [number, number, number, number];
  minCount: { 3: number; 4: number };
  /** Training examples and target tokens (predicted positions) counted. */
  examples: number;
  targetTokens: number;
  /** Continuation counts of single tokens (number of distinct tokens seen before each). */
  unigram: Uint32Array;
  /** Orders 2, 3, 4. */
  levels: [NgramLevel, NgramLevel, NgramLevel];
}

export class NgramModel {
  readonly order = 4 as const;
  readonly data: NgramModelData;
  readonly vocabSize: number;
  readonly sepId: number;
  /** P1(w): the continuation unigram interpolated with uniform. */
  #uni: Float64Array;
  /** Per level, per context: the interpolation (backoff) weight of the next lower order. */
  #gamma: Float64Array[];

  constructor(data: NgramModelData) {
    this.data = data;
    this.vocabSize = data.vocabSize;
    this.sepId = data.sepId;
    const V = data.vocabSize;
    const D1 = data.discounts[0];
    let total = 0;
    let kept = 0;
    let types = 0;
    for (const n of data.unigram) {
      total += n;
      if (n > 0) {
        kept += n;
        types++;
      }
    }
    this.#uni = new Float64Array(V);
    // gamma = (total - sum of discounted counts) / total: exactly the mass the discounts freed.
    const gamma1 = total > 0 ? (total - kept + D1 * types) / total : 1;
    for (let w = 0; w < V; w++) {
      const n = data.unigram[w];
      this.#uni[w] = (n > 0 ? (n - D1) / total : 0) + gamma1 / V;
    }
    // Pruned n-grams contribute nothing to the numerators, so their discounted mass ends up in the
    // context's gamma too: each order stays a proper distribution however much was pruned.
    this.#gamma = data.levels.map((level, i) => {
      const D = data.discounts[i + 1];
      const gamma = new Float64Array(level.ctxKeys.length);
      for (let c = 0; c < gamma.length; c++) {
        let sum = 0;
        const end = level.ctxStart[c + 1];
        for (let j = level.ctxStart[c]; j < end; j++) sum += level.counts[j];
        const t = level.ctxTotal[c];
        gamma[c] = (t - sum + D * (end - level.ctxStart[c])) / t;
      }
      return gamma;
    });
  }

  /** Natural log of P(token | the last 3 ids of context); a shorter context means the start. */
  logProb(context: ArrayLike<number>, token: number): number {
    const n = context.length;
    const at = (k: number): number => (n - k >= 0 ? this.#checkId(context[n - k]) : BOUNDARY);
    return Math.log(this.#prob(at(3), at(2), at(1), this.#checkId(token)));
  }

  /** Sum of -ln p over the tokens after the (first) SEP, EOS included, and how many there were. */
  sequenceNll(tokens: Uint16Array, sepId: number = this.sepId): { nll: number; count: number } {
    const start = targetStart(tokens, sepId);
    let nll = 0;
    for (let t = start; t < tokens.length; t++) nll += this.tokenNll(tokens, t);
    return { nll, count: tokens.length - start };
  }

  /** -log P(tokens[t] | the three tokens before it). */
  tokenNll(tokens: ArrayLike<number>, t: number): number {
    const id = (k: number): number => (k >= 0 ? this.#checkId(tokens[k]!) : BOUNDARY);
    return -Math.log(this.#prob(id(t - 3), id(t - 2), id(t - 1), id(t)));
  }

  /** Number of stored n-grams per order (1..4), after pruning. */
  sizes(): [number, number, number, number] {
    const [l2, l3, l4] = this.data.levels;
    return [this.data.unigram.filter((n) => n > 0).length, l2.words.length, l3.words.length, l4.words.length];
  }

  #checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} outside the vocabulary (0..${this.vocabSize - 1})`);
    }
    return id;
  }

  /** P4(w | a b c), interpolated down through orders 3, 2, 1 and the uniform distribution. */
  #prob(a: number, b: number, c: number, w: number): number {
    const [l2, l3, l4] = this.data.levels;
    const D = this.data.discounts;
    let p = this.#uni[w];
    p = mix(l2, this.#gamma[0], D[1], c, w, p);
    p = mix(l3, this.#gamma[1], D[2], (b << 10) | c, w, p);
    return mix(l4, this.#gamma[2], D[3], (a << 20) | (b << 10) | c, w, p);
  }
}

/** One interpolation step: (count - D) / total + gamma * lower; an unseen context is just lower. */
function mix(level: NgramLevel, gamma: Float64Array, D: number, ctx: number, w: number, lower: number): number {
  const c = search(level.ctxKeys, 0, level.ctxKeys.length, ctx);
  if (c < 0) return lower;
  const j = search(level.words, level.ctxStart[c], level.ctxStart[c + 1], w);
  const numerator = j < 0 ? 0 : level.counts[j] - D;
  return numerator / level.ctxTotal[c] + gamma[c] * lower;
}

/** Index of key in the sorted slice keys[lo..hi), or -1. */
function search(keys: Uint32Array | Uint16Array, lo: number, hi: number, key: number): number {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = keys[mid];
    if (v < key) lo = mid + 1;
    else if (v > key) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** The first predicted position: right after the first SEP (FORMAT.md: exactly one per example). */
function targetStart(tokens: Uint16Array, sepId: number): number {
  const sep = tokens.indexOf(sepId);
  if (sep < 0) throw new Error(`example has no SEP token (${sepId})`);
  return sep + 1;
}

export function fitNgram(examples: Iterable<Uint16Array>, options: NgramOptions): NgramModel {
  const { vocabSize: V, sepId } = options;
  const minCount = options.minCount ?? { 3: 2, 4: 2 };
  if (options.order !== undefined && options.order !== 4) throw new Error(`only order 4 is supported, got ${options.order}`);
  if (!Number.isInteger(V) || V < 1 || V > MAX_VOCAB) throw new RangeError(`vocabSize must be 1..${MAX_VOCAB}, got ${V}`);
  if (!Number.isInteger(sepId) || sepId < 0 || sepId >= V) throw new RangeError(`sepId ${sepId} outside the vocabulary`);
  for (const n of [3, 4] as const) {
    if (!Number.isInteger(minCount[n]) || minCount[n] < 1) throw new RangeError(`minCount[${n}] must be an integer >= 1`);
  }

  // 1. Raw 4-gram counts over the target region only.
  const counter = new KeyCounter();
  let exampleCount = 0;
  let targetTokens = 0;
  for (const ex of examples) {
    for (let i = 0; i < ex.length; i++) {
      if (ex[i] >= V) throw new RangeError(`example ${exampleCount}: token id ${ex[i]} outside the vocabulary (0..${V - 1})`);
    }
    const start = targetStart(ex, sepId);
    for (let t = start; t < ex.length; t++) {
      const a = t >= 3 ? ex[t - 3] : BOUNDARY;
      const b = t >= 2 ? ex[t - 2] : BOUNDARY;
      counter.add(((a * B1 + b) * B1 + ex[t - 1]) * B1 + ex[t]);
    }
    exampleCount++;
    targetTokens += ex.length - start;
  }
  const { keys: keys4, counts: counts4 } = counter.finish();

  // 2. Kneser–Ney continuation counts: the count of (b c w) at order 3 is the number of distinct a
  //    with (a b c w) seen, i.e. how often it appears as the suffix of a distinct 4-gram; likewise
  //    down to single tokens. Computed from the unpruned counts, as are the discounts.
  const [keys3, counts3] = suffixCounts(keys4, B3);
  const [keys2, counts2] = suffixCounts(keys3, B2);
  const unigram = new Uint32Array(V);
  for (const k of keys2) unigram[k % B1]++;
  const discounts: [number, number, number, number] = [
    estimateDiscount(unigram),
    estimateDiscount(counts2),
    estimateDiscount(counts3),
    estimateDiscount(counts4),
  ];

  // 3. Prune for storage: denominators keep the pruned counts, so the pruned mass moves to the
  //    lower order through gamma (see NgramModel's constructor).
  return new NgramModel({
    vocabSize: V,
    sepId,
    discounts,
    minCount: { 3: minCount[3], 4: minCount[4] },
    examples: exampleCount,
    targetTokens,
    unigram,
    levels: [buildLevel(keys2, counts2, 1), buildLevel(keys3, counts3, minCount[3]), buildLevel(keys4, counts4, minCount[4])],
  });
}

/** Chen & Goodman's D = n1 / (n1 + 2 n2), kept inside (0, 1) so no probability reaches 0 or 1. */
function estimateDiscount(counts: ArrayLike<number>): number {
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 1) n1++;
    else if (counts[i] === 2) n2++;
  }
  if (n1 + n2 === 0) return 0.75;
  return Math.min(0.95, Math.max(0.1, n1 / (n1 + 2 * n2)));
}

/** Distinct keys mod `modulus` (the n-gram minus its first token) and how many keys share each. */
function suffixCounts(keys: ArrayLike<number>, modulus: number): [Uint32Array, Uint32Array] {
  const suffixes = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) suffixes[i] = keys[i] % modulus;
  suffixes.sort();
  const out = new Uint32Array(suffixes.length);
  const counts = new Uint32Array(suffixes.length);
  let n = 0;
  for (let i = 0; i < suffixes.length; i++) {
    if (n > 0 && out[n - 1] === suffixes[i]) counts[n - 1]++;
    else {
      out[n] = suffixes[i];
      counts[n++] = 1;
    }
  }
  return [out.slice(0, n), counts.slice(0, n)];
}

/** Groups sorted n-gram keys by context, dropping n-grams counted fewer than minCount times. */
function buildLevel(keys: ArrayLike<number>, counts: ArrayLike<number>, minCount: number): NgramLevel {
  const ctxKeys = new Uint32Array(keys.length);
  const ctxTotal = new Uint32Array(keys.length);
  const ctxStart = new Uint32Array(keys.length + 1);
  const words = new Uint16Array(keys.length);
  const kept = new Uint32Array(keys.length);
  let contexts = 0;
  let grams = 0;
  for (let i = 0; i < keys.length; ) {
    const ctx = Math.floor(keys[i] / B1);
    const first = grams;
    let total = 0;
    for (; i < keys.length && Math.floor(keys[i] / B1) === ctx; i++) {
      total += counts[i];
      if (counts[i] >= minCount) {
        words[grams] = keys[i] - ctx * B1;
        kept[grams++] = counts[i];
      }
    }
    // A context with nothing left behaves exactly like an unseen one (gamma = 1): don't store it.
    if (grams > first) {
      ctxKeys[contexts] = ctx;
      ctxTotal[contexts] = total;
      ctxStart[contexts++] = first;
    }
  }
  ctxStart[contexts] = grams;
  return {
    ctxKeys: ctxKeys.slice(0, contexts),
    ctxTotal: ctxTotal.slice(0, contexts),
    ctxStart: ctxStart.slice(0, contexts + 1),
    words: words.slice(0, grams),
    counts: kept.slice(0, grams),
  };
}

/**
 * Counts 40-bit keys without a Map (V8 Maps top out at 2^24 entries and cost ~50 bytes each):
 * keys are buffered, and each full buffer is sorted, run-length counted and merged into the
 * sorted distinct keys so far. Memory stays near (distinct keys + one buffer).
 */
class KeyCounter {
  #buffer = new Float64Array(1 << 16);
  #n = 0;
  #keys = new Float64Array(0);
  #counts = new Uint32Array(0);

  add(key: number): void {
    if (this.#n === this.#buffer.length) {
      if (this.#buffer.length < 1 << 22) {
        const bigger = new Float64Array(this.#buffer.length * 2);
        bigger.set(this.#buffer);
        this.#buffer = bigger;
      } else {
        this.#flush();
      }
    }
    this.#buffer[this.#n++] = key;
  }

  finish(): { keys: Float64Array; counts: Uint32Array } {
    this.#flush();
    return { keys: this.#keys, counts: this.#counts };
  }

  #flush(): void {
    const run = this.#buffer.subarray(0, this.#n).sort();
    this.#n = 0;
    const a = this.#keys;
    const ac = this.#counts;
    const keys = new Float64Array(a.length + run.length);
    const counts = new Uint32Array(keys.length);
    let n = 0;
    const push = (key: number, count: number): void => {
      if (n > 0 && keys[n - 1] === key) counts[n - 1] += count;
      else {
        keys[n] = key;
        counts[n++] = count;
      }
    };
    let i = 0;
    let j = 0;
    while (i < a.length || j < run.length) {
      if (j >= run.length || (i < a.length && a[i] <= run[j])) {
        push(a[i], ac[i]);
        i++;
      } else push(run[j++], 1);
    }
    this.#keys = keys.slice(0, n);
    this.#counts = counts.slice(0, n);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary format (little-endian), version 1:
//   0  "RRNGRAM1"            8  u32 version         12 u32 total byte length
//   16 u32 vocabSize         20 u32 sepId           24 u32 order (4)
//   28 u32 minCount[3]       32 u32 minCount[4]     36 u32 examples
//   40 f64 targetTokens      48 f64 x4 discounts (orders 1..4)
//   80 u32 unigram[vocabSize]
//   then for orders 2, 3, 4: u32 contexts, u32 grams, u32 ctxKeys[contexts] (delta-coded),
//     u32 ctxTotal[contexts], u32 gramsPerContext[contexts], u32 counts[grams], u16 words[grams],
//     zero padding to a multiple of 4
//   u32 FNV-1a checksum of every byte before it.
// Sorted keys are stored as deltas and context offsets as lengths: small numbers gzip far better.
// ---------------------------------------------------------------------------------------------

const MAGIC = 'RRNGRAM1';
const VERSION = 1;
const HEADER_BYTES = 80;

/** Typed arrays are copied byte for byte, which is little-endian only on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function serializeNgram(model: NgramModel): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('serializeNgram needs a little-endian host');
  const d = model.data;
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(HEADER_BYTES);
  parts.push(header, bytesOf(d.unigram));
  for (const level of d.levels) {
    const contexts = level.ctxKeys.length;
    const grams = level.words.length;
    const deltas = new Uint32Array(contexts);
    const lengths = new Uint32Array(contexts);
    for (let c = 0; c < contexts; c++) {
      deltas[c] = level.ctxKeys[c] - (c > 0 ? level.ctxKeys[c - 1] : 0);
      lengths[c] = level.ctxStart[c + 1] - level.ctxStart[c];
    }
    parts.push(
      bytesOf(new Uint32Array([contexts, grams])),
      bytesOf(deltas),
      bytesOf(level.ctxTotal),
      bytesOf(lengths),
      bytesOf(level.counts),
      bytesOf(level.words),
      new Uint8Array(grams % 2 === 1 ? 2 : 0),
    );
  }
  const total = parts.reduce((s, p) => s + p.length, 0) + 4;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }

  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  const u32 = [VERSION, total, d.vocabSize, d.sepId, 4, d.minCount[3], d.minCount[4], d.examples];
  u32.forEach((v, i) => view.setUint32(8 + 4 * i, v, true));
  view.setFloat64(40, d.targetTokens, true);
  d.discounts.forEach((v, i) => view.setFloat64(48 + 8 * i, v, true));
  view.setUint32(total - 4, fnv1a(out, total - 4), true);
  return out;
}

export function deserializeNgram(bytes: Uint8Array): NgramModel {
  if (!LITTLE_ENDIAN) throw new Error('deserializeNgram needs a little-endian host');
  const fail = (why: string): never => {
    throw new Error(`invalid n-gram model: ${why}`);
  };
  if (bytes.length < HEADER_BYTES + 4) fail(`truncated (${bytes.length} bytes)`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) fail('bad magic, not an RRNGRAM1 file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  if (u32(8) !== VERSION) fail(`unsupported version ${u32(8)}`);
  const total = u32(12);
  if (bytes.length < total) fail(`truncated (${bytes.length} of ${total} bytes)`);
  if (bytes.length > total) fail(`${bytes.length - total} trailing bytes`);
  if (view.getUint32(total - 4, true) !== fnv1a(bytes, total - 4)) fail('checksum mismatch (corrupt bytes)');

  const vocabSize = u32(16);
  const sepId = u32(20);
  if (vocabSize < 1 || vocabSize > MAX_VOCAB || sepId >= vocabSize || u32(24) !== 4) fail('bad header');
  const discounts = [0, 1, 2, 3].map((i) => view.getFloat64(48 + 8 * i, true)) as [number, number, number, number];
  if (!discounts.every((D) => D > 0 && D < 1)) fail('discount outside (0, 1)');

  let offset = HEADER_BYTES;
  const take = (n: number, size: 2 | 4): Uint8Array => {
    if (offset + n * size > total - 4) fail('truncated array');
    const slice = bytes.slice(offset, offset + n * size);
    offset += n * size;
    return slice;
  };
  const u32s = (n: number): Uint32Array => new Uint32Array(take(n, 4).buffer);
  const unigram = u32s(vocabSize);
  const levels = [0, 1, 2].map((i): NgramLevel => {
    const [contexts, grams] = u32s(2);
    const ctxKeys = u32s(contexts);
    const ctxTotal = u32s(contexts);
    const lengths = u32s(contexts);
    const counts = u32s(grams);
    const words = new Uint16Array(take(grams, 2).buffer);
    if (grams % 2 === 1) take(1, 2);
    const ctxStart = new Uint32Array(contexts + 1);
    const maxKey = B1 ** (i + 1);
    for (let c = 0; c < contexts; c++) {
      if (c > 0 && ctxKeys[c] === 0) fail('context keys not increasing');
      const key = ctxKeys[c] + (c > 0 ? ctxKeys[c - 1] : 0);
      if (key >= maxKey) fail('context key out of range');
      ctxKeys[c] = key;
      ctxStart[c + 1] = ctxStart[c] + lengths[c];
      if (lengths[c] === 0 || ctxStart[c + 1] > grams) fail('bad context lengths');
      let sum = 0;
      for (let j = ctxStart[c]; j < ctxStart[c + 1]; j++) {
        if (words[j] >= vocabSize || (j > ctxStart[c] && words[j] <= words[j - 1])) fail('bad word ids');
        if (counts[j] === 0) fail('zero count');
        sum += counts[j];
      }
      if (ctxTotal[c] < sum) fail('context total below its counts');
    }
    if (ctxStart[contexts] !== grams) fail('context lengths do not cover the n-grams');
    return { ctxKeys, ctxTotal, ctxStart, words, counts };
  }) as [NgramLevel, NgramLevel, NgramLevel];
  if (offset !== total - 4) fail('unexpected bytes before the checksum');

  return new NgramModel({
    vocabSize,
    sepId,
    discounts,
    minCount: { 3: u32(28), 4: u32(32) },
    examples: u32(36),
    targetTokens: view.getFloat64(40, true),
    unigram,
    levels,
  });
}

function bytesOf(array: Uint32Array | Uint16Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function fnv1a(bytes: Uint8Array, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}
