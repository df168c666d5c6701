import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { BOUNDARY, deserializeNgram, fitNgram, serializeNgram } from './ngram.ts';
import type { NgramModel } from './ngram.ts';
import { seededRandom } from '../../core/random.ts';

const BOS = 1;
const EOS = 2;
const SEP = 3;

const ex = (...tokens: number[]): Uint16Array => Uint16Array.from(tokens);

function sumProb(model: NgramModel, context: number[]): number {
  let sum = 0;
  for (let w = 0; w < model.vocabSize; w++) sum += Math.exp(model.logProb(context, w));
  return sum;
}

/**
 * Music-like examples over a 530-token vocabulary: BOS, 7 condition tokens (role, task, style, key,
 * tempo, meter, density), SEP, then bars of (position, pitch, duration) notes that repeat a
 * per-example motif with occasional variation, then EOS.
 */
function synthetic(targetTokens: number, seed: number): Uint16Array[] {
  const r = seededRandom(seed);
  const pick = (lo: number, n: number): number => lo + Math.floor(r() * n);
  const BAR = 81;
  const out: Uint16Array[] = [];
  let total = 0;
  while (total < targetTokens) {
    const role = pick(4, 5);
    const key = pick(0, 12);
    const tokens = [BOS, role, pick(9, 4), pick(13, 28), 41 + key, pick(65, 16), pick(300, 4), pick(304, 6), SEP];
    const notes = pick(3, 6);
    const range = 36 + (role - 4) * 8;
    const motif = Array.from({ length: notes }, (_, i) => [
      82 + Math.min(47, i * pick(4, 4)),
      130 + range + key + [0, 2, 4, 5, 7, 9, 11][pick(0, 7)],
      258 + pick(0, 8) * 4,
    ]);
    const bars = pick(4, 12);
    for (let bar = 0; bar < bars; bar++) {
      tokens.push(BAR);
      for (const [pos, pitch, dur] of motif) {
        const vary = r() < 0.1;
        tokens.push(pos, vary ? pitch + pick(-2, 5) : pitch, vary ? pick(258, 64) : dur);
      }
    }
    tokens.push(EOS);
    out.push(Uint16Array.from(tokens));
    total += tokens.length;
  }
  return out;
}

const small = synthetic(20_000, 1);
const smallModel = fitNgram(small, { vocabSize: 530, sepId: SEP, minCount: { 3: 1, 4: 1 } });
const smallPruned = fitNgram(small, { vocabSize: 530, sepId: SEP });

test('sums to 1 over the vocabulary for seen, partially seen and unseen contexts', () => {
  const seen = Array.from(small[0].subarray(10, 13));
  const partial = [529, seen[1], seen[2]]; // (b, c) seen, (a, b, c) not
  const contexts = [
    seen,
    partial,
    [seen[2]],
    [seen[1], seen[2]],
    [528, 529, 527],
    [],
    [SEP],
    [BOS, SEP],
    Array.from(small[3].subarray(0, 9)),
  ];
  for (const model of [smallModel, smallPruned]) {
    for (const context of contexts) {
      const sum = sumProb(model, context);
      assert.ok(Math.abs(sum - 1) < 1e-9, `context ${context}: sum ${sum}`);
    }
  }
});

test('a 4-gram continuation seen every time is predicted with high probability', () => {
  const corpus = Array.from({ length: 20 }, (_, i) => ex(BOS, 4 + (i % 3), SEP, 10, 11, 12, 13, 20 + (i % 5), EOS));
  const model = fitNgram(corpus, { vocabSize: 40, sepId: SEP });
  const p = Math.exp(model.logProb([10, 11, 12], 13));
  assert.ok(p > 0.9, `p(13 | 10 11 12) = ${p}`);
  // The first target token follows SEP; its context reaches into the conditions.
  assert.ok(Math.exp(model.logProb([BOS, 5, SEP], 10)) > 0.9);
});

test('unseen tokens and contexts still get probability > 0', () => {
  const corpus = [ex(BOS, 4, SEP, 10, 11, 12, 13, EOS), ex(BOS, 4, SEP, 10, 11, 12, 13, EOS)];
  const model = fitNgram(corpus, { vocabSize: 40, sepId: SEP });
  for (const context of [[10, 11, 12], [30, 31, 32], []]) {
    const lp = model.logProb(context, 39); // never in the corpus
    assert.ok(Number.isFinite(lp) && lp > -Infinity, `${context}: ${lp}`);
    assert.ok(Math.abs(sumProb(model, context) - 1) < 1e-9);
  }
  assert.throws(() => model.logProb([10], 40), /outside the vocabulary/);
  assert.throws(() => model.logProb([40], 1), /outside the vocabulary/);
});

test('only tokens after SEP are counted (and predicted); contexts may reach back before it', () => {
  // 30..33 appear only among the conditions, in a fixed order.
  const corpus = Array.from({ length: 10 }, () => ex(BOS, 30, 31, 32, 33, SEP, 10, 11, EOS));
  const model = fitNgram(corpus, { vocabSize: 40, sepId: SEP, minCount: { 3: 1, 4: 1 } });
  assert.equal(model.data.targetTokens, 30);
  const [, l2, , l4] = model.sizes();
  assert.equal(l4, 3); // (32 33 SEP 10), (33 SEP 10 11), (SEP 10 11 EOS)
  assert.equal(l2, 3);
  // Condition tokens are never predicted: they get the same probability as a token never seen.
  assert.equal(model.logProb([30, 31, 32], 33), model.logProb([30, 31, 32], 39));
  assert.equal(model.logProb([], 30), model.logProb([], 39));
  // The first target token is predicted from the condition tokens before SEP.
  assert.ok(Math.exp(model.logProb([32, 33, SEP], 10)) > 0.9);

  const { nll, count } = model.sequenceNll(corpus[0], SEP);
  assert.equal(count, 3);
  const expected = -[
    [32, 33, SEP, 10],
    [33, SEP, 10, 11],
    [SEP, 10, 11, EOS],
  ].reduce((s, [a, b, c, w]) => s + model.logProb([a, b, c], w), 0);
  assert.ok(Math.abs(nll - expected) < 1e-12);
  assert.throws(() => fitNgram([ex(BOS, 10, EOS)], { vocabSize: 40, sepId: SEP }), /no SEP/);
});

test('short examples pad their contexts with BOUNDARY, as logProb does for short contexts', () => {
  const corpus = Array.from({ length: 10 }, () => ex(SEP, 10, EOS));
  const model = fitNgram(corpus, { vocabSize: 40, sepId: SEP, minCount: { 3: 1, 4: 1 } });
  assert.deepEqual(Array.from(model.data.levels[2].ctxKeys), [
    (BOUNDARY << 20) | (SEP << 10) | 10,
    (BOUNDARY << 20) | (BOUNDARY << 10) | SEP,
  ]);
  assert.ok(Math.exp(model.logProb([SEP], 10)) > 0.9);
  assert.equal(model.sequenceNll(corpus[0]).count, 2);
});

test('pruning drops rare n-grams and keeps a proper distribution', () => {
  const [, , full3, full4] = smallModel.sizes();
  const [, , pruned3, pruned4] = smallPruned.sizes();
  assert.ok(pruned4 < full4 && pruned3 < full3, `${pruned3} < ${full3}, ${pruned4} < ${full4}`);
  assert.deepEqual(smallModel.data.discounts, smallPruned.data.discounts); // estimated before pruning
  const r = seededRandom(7);
  for (let k = 0; k < 20; k++) {
    const e = small[Math.floor(r() * small.length)];
    const t = 9 + Math.floor(r() * (e.length - 9));
    const sum = sumProb(smallPruned, Array.from(e.subarray(Math.max(0, t - 3), t)));
    assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
  }
  // Pruning costs a little held-out likelihood, not a lot.
  const valid = synthetic(5_000, 2);
  const nll = (m: NgramModel): number => {
    let s = 0;
    let n = 0;
    for (const e of valid) {
      const r = m.sequenceNll(e);
      s += r.nll;
      n += r.count;
    }
    return s / n;
  };
  assert.ok(nll(smallPruned) < nll(smallModel) * 1.1, `${nll(smallPruned)} vs ${nll(smallModel)}`);
});

test('serialization round-trips exactly', () => {
  for (const model of [smallModel, smallPruned]) {
    const bytes = serializeNgram(model);
    const back = deserializeNgram(bytes);
    assert.deepEqual(back.data, model.data);
    assert.deepEqual(serializeNgram(back), bytes);
    const r = seededRandom(3);
    for (let k = 0; k < 500; k++) {
      const context = [0, 1, 2].map(() => Math.floor(r() * 530));
      const e = small[k % small.length];
      const t = 9 + (k % (e.length - 9));
      for (const c of [context, Array.from(e.subarray(t - 3, t))]) {
        const w = k % 2 ? e[t] : Math.floor(r() * 530);
        assert.equal(back.logProb(c, w), model.logProb(c, w));
      }
    }
    // A view at an odd offset inside a bigger buffer reads the same.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    assert.deepEqual(deserializeNgram(shifted.subarray(1)).data, model.data);
  }
});

test('corrupt or truncated bytes throw a clear error', () => {
  const bytes = serializeNgram(smallPruned);
  assert.throws(() => deserializeNgram(bytes.subarray(0, bytes.length - 1)), /truncated/);
  assert.throws(() => deserializeNgram(bytes.subarray(0, 20)), /truncated/);
  assert.throws(() => deserializeNgram(new Uint8Array(0)), /truncated/);
  const badMagic = bytes.slice();
  badMagic[0] = 0x58;
  assert.throws(() => deserializeNgram(badMagic), /bad magic/);
  for (const at of [100, bytes.length >> 1, bytes.length - 10]) {
    const flipped = bytes.slice();
    flipped[at] ^= 0x10;
    assert.throws(() => deserializeNgram(flipped), /checksum/);
  }
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  assert.throws(() => deserializeNgram(longer), /trailing/);
});

test('fits 2M synthetic tokens quickly and compactly (prints timings)', () => {
  const corpus = synthetic(2_000_000, 42);
  const tokens = corpus.reduce((s, e) => s + e.length, 0);
  const t0 = performance.now();
  const model = fitNgram(corpus, { vocabSize: 530, sepId: SEP });
  const fitMs = performance.now() - t0;
  const bytes = serializeNgram(model);
  const gz = gzipSync(bytes, { level: 9 });
  const t1 = performance.now();
  const valid = synthetic(200_000, 43);
  let nll = 0;
  let count = 0;
  for (const e of valid) {
    const r = model.sequenceNll(e);
    nll += r.nll;
    count += r.count;
  }
  const evalMs = performance.now() - t1;
  const [n1, n2, n3, n4] = model.sizes();
  console.log(
    `ngram: fit ${tokens} tokens (${model.data.targetTokens} targets) in ${(fitMs / 1000).toFixed(2)} s; ` +
      `n-grams 1:${n1} 2:${n2} 3:${n3} 4:${n4}; serialized ${(bytes.length / 1e6).toFixed(2)} MB, gzip ${(gz.length / 1e6).toFixed(2)} MB; ` +
      `valid NLL ${(nll / count).toFixed(4)} nats/token over ${count} tokens in ${(evalMs / 1000).toFixed(2)} s; ` +
      `discounts ${model.data.discounts.map((d) => d.toFixed(3)).join(' ')}`,
  );
  assert.ok(fitMs < 60_000, `fit took ${fitMs} ms`); // generous: the target is < 20 s
  assert.ok(nll / count < Math.log(530));
});
