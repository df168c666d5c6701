import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFolder } from '../node/model-folder.ts';
import { decodePart } from '../tokenizer/events.ts';
import { encodePrompt } from '../tokenizer/prompt.ts';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { generatePart } from './generate.ts';
import { MERGE_AT, logSoftmaxAt } from './causal-lm.ts';
import { SHIPPED_MODEL_DIR } from '../node/shipped-model.ts';

const SHIPPED = SHIPPED_MODEL_DIR;
const meter = { numerator: 4, denominator: 4 };
const sampling = { temperature: 1, topK: 0, topP: 0.95 };

test('the shipped model writes a valid, seeded bass line: same seed same notes, exactly the bars asked', async () => {
  const { lm } = await loadModelFolder(SHIPPED);
  const prompt = encodePrompt({
    conditions: { role: 'bass', task: 'generate', style: 'funk', key: { tonic: 9, mode: 'minor' }, meter, bpm: 100, bars: 4, energy: 2 },
    chords: [
      { tick: 0, root: 9, quality: 'm7' },
      { tick: 3840, root: 2, quality: '7' },
    ],
  });
  const first = await generatePart(lm, { prompt, role: 'bass', meter, bars: 4, batch: 3, seed: 42, sampling });
  const again = await generatePart(lm, { prompt, role: 'bass', meter, bars: 4, batch: 3, seed: 42, sampling });
  assert.deepEqual(again, first);
  for (const tokens of first) {
    assert.equal(tokens.at(-1), VOCAB.id('EOS'));
    const decoded = decodePart(tokens, 'bass', meter);
    assert.equal(decoded.bars, 4);
    assert.ok(decoded.part.role === 'bass' && decoded.part.notes.length > 0, 'a bass line has notes');
  }
  assert.notDeepEqual(first[0], first[1], 'rows of one batch are different variations');
});

test('a row that has finished leaves the batch: each later pass computes only the rows still writing', async () => {
  const { lm } = await loadModelFolder(SHIPPED);
  const prompt = encodePrompt({
    conditions: { role: 'drums', task: 'generate', style: 'rock', key: null, meter, bpm: 120, bars: 2, energy: 2 },
  });
  const request = { prompt, role: 'drums' as const, meter, bars: 2, batch: 3, seed: 7, sampling };
  const batches: number[] = [];
  const forward = lm.forward.bind(lm);
  lm.forward = (ids, cache) => {
    batches.push(ids.length);
    return forward(ids, cache);
  };
  const rows = await generatePart(lm, request);
  const lengths = rows.map((r) => r.length);
  assert.ok(new Set(lengths).size > 1, `the rows end at different steps: ${lengths}`);
  assert.equal(batches[0], 3, 'the prompt runs for every row');
  // A row is fed every token it wrote but its last (EOS): riding along to the longest row's end
  // would make that 3 x (longest - 1).
  const later = batches.slice(1);
  assert.equal(
    later.reduce((a, b) => a + b, 0),
    lengths.reduce((a, n) => a + n - 1, 0),
  );
  assert.ok(
    later.every((b, i) => i === 0 || b <= later[i - 1]!),
    `the batch only shrinks: ${later}`,
  );
});

test('KV-cached decoding gives the same logits as recomputing the whole sequence (onnxruntime-node)', async () => {
  const { lm } = await loadModelFolder(SHIPPED);
  const prompt = encodePrompt({
    conditions: { role: 'drums', task: 'generate', style: 'rock', key: null, meter, bpm: 120, bars: 4, energy: 3 },
  });
  const [written] = await generatePart(lm, { prompt, role: 'drums', meter, bars: 4, batch: 1, seed: 5, sampling });
  // Long enough for the recent cache block to be merged into the settled one, and decoded past that.
  const sequence = [...prompt, ...written!.slice(0, 2 * MERGE_AT)];
  assert.ok(sequence.length > 2 * MERGE_AT);
  const vocab = lm.shape.vocabSize;
  const full = await lm.forward([sequence], lm.emptyCache(1));
  // Prompt in one call, then one token at a time over the cache.
  let step = await lm.forward([prompt], lm.emptyCache(1));
  let maxDiff = 0;
  for (let t = prompt.length; t < sequence.length; t++) {
    step = await lm.forward([[sequence[t]!]], step.cache);
    for (let v = 0; v < vocab; v++) maxDiff = Math.max(maxDiff, Math.abs(step.logits[v]! - full.logits[t * vocab + v]!));
  }
  // Different kernels serve one-token and whole-sequence matmuls, so float rounding differs a
  // little (logits are ~10 in size); a broken cache (wrong positions, a dropped layer) is off by 1+.
  assert.ok(maxDiff < 1e-2, `cached vs full logits differ by ${maxDiff}`);
  // And the prompt's own logits agree too.
  const last = prompt.length - 1;
  const fromPrompt = (await lm.forward([prompt], lm.emptyCache(1))).logits;
  assert.ok(Math.abs(logSoftmaxAt(fromPrompt, last * vocab, vocab, 7) - logSoftmaxAt(full.logits, last * vocab, vocab, 7)) < 1e-3);
});

test('a firstStep session runs the prompt only; the prompt is settled at once and decoding goes on the same', async () => {
  const { lm, card } = await loadModelFolder(SHIPPED);
  const ort = (await import('onnxruntime-node')).default;
  const { CausalLm } = await import('./causal-lm.ts');
  const { openSession } = await import('../node/providers.ts');
  const { readFileSync } = await import('node:fs');
  const session = await openSession(readFileSync(`${SHIPPED}/model.onnx`), 'cpu');
  // The same model behind two counting fronts: what ran where is read from the counts.
  const counted = (name: string, runs: string[]) =>
    ({
      ...session,
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      run: (feeds: Parameters<typeof session.run>[0]) => (runs.push(`${name}:${feeds.settled_key_0!.dims[2]}`), session.run(feeds)),
    }) as typeof session;
  const runs: string[] = [];
  const split = new CausalLm(counted('gpu', runs), card.shape, ort.Tensor as never, { firstStep: counted('cpu', runs) });
  const prompt = encodePrompt({
    conditions: { role: 'bass', task: 'generate', style: 'pop', key: { tonic: 0, mode: 'major' }, meter, bpm: 100, bars: 1, energy: 1 },
  });
  const a = await generatePart(split, { prompt, role: 'bass', meter, bars: 1, batch: 2, seed: 9, sampling });
  const b = await generatePart(lm, { prompt, role: 'bass', meter, bars: 1, batch: 2, seed: 9, sampling });
  assert.deepEqual(a, b, 'the same notes as one session alone');
  assert.equal(runs[0], 'cpu:0', 'the prompt ran on the firstStep session, with an empty settled block');
  assert.ok(
    runs.length > 2 && runs.slice(1).every((r) => r.startsWith('gpu:') && r !== 'gpu:0'),
    `every later call on the main session, settled block never empty: ${runs.slice(0, 4).join(' ')} ...`,
  );
});

test('continue, infill, vary and accompany prompts all give valid parts of the asked length', async () => {
  const { lm } = await loadModelFolder(SHIPPED);
  const lead = {
    role: 'lead' as const,
    notes: [0, 1, 2, 3].flatMap((bar) =>
      [0, 480, 960, 1440].map((beat, i) => ({
        pitch: [64, 67, 69, 67][i]! + (bar % 2) * 2,
        tick: bar * 1920 + beat,
        duration: 400,
        velocity: 92,
      })),
    ),
  };
  const conditions = {
    role: 'lead' as const,
    task: 'generate' as const,
    style: 'pop',
    key: { tonic: 0, mode: 'major' as const },
    meter,
    bpm: 110,
    bars: 4,
    energy: 2,
  };
  const chords = [0, 7, 9, 5].map((root, bar) => ({ tick: bar * 1920, root, quality: (bar === 2 ? 'min' : 'maj') as 'min' | 'maj' }));
  const { encodePart } = await import('../tokenizer/events.ts');

  // Continue: the clip's first two bars are given, the model writes bars 3-4.
  const prefix = encodePart(lead, meter, 0, 2);
  const [continued] = await generatePart(lm, {
    prompt: encodePrompt({ conditions, chords }),
    role: 'lead',
    meter,
    bars: 4,
    batch: 1,
    seed: 1,
    sampling,
    prefix,
  });
  const c = decodePart(continued!, 'lead', meter);
  assert.equal(c.bars, 4);
  assert.deepEqual(
    (c.part as { notes: unknown[] }).notes.slice(0, 8),
    (decodePart(prefix, 'lead', meter).part as { notes: unknown[] }).notes,
  );

  // Infill bars 2..3 (0-based 1..2) given bars 1 and 4.
  const infillPrompt = encodePrompt({
    conditions: { ...conditions, task: 'infill' },
    chords,
    context: [{ part: lead, fromBar: 0, masked: { from: 1, to: 3 } }],
  });
  const [filled] = await generatePart(lm, { prompt: infillPrompt, role: 'lead', meter, bars: 2, batch: 1, seed: 2, sampling });
  assert.equal(decodePart(filled!, 'lead', meter).bars, 2);

  // Vary the clip; accompany it with a bass line.
  const [varied] = await generatePart(lm, {
    prompt: encodePrompt({ conditions: { ...conditions, task: 'vary' }, chords, context: [{ part: lead, fromBar: 0 }] }),
    role: 'lead',
    meter,
    bars: 4,
    batch: 1,
    seed: 3,
    sampling,
  });
  assert.equal(decodePart(varied!, 'lead', meter).bars, 4);
  const bassPrompt = encodePrompt({
    conditions: { ...conditions, role: 'bass', task: 'accompany' },
    chords,
    context: [{ part: lead, fromBar: 0 }],
  });
  const [bass] = await generatePart(lm, { prompt: bassPrompt, role: 'bass', meter, bars: 4, batch: 1, seed: 4, sampling });
  assert.equal(decodePart(bass!, 'bass', meter).bars, 4);
});

test('follow the chords: strength 1 puts only chord tones on beats; strength 0 writes the same notes as before', async () => {
  const { lm } = await loadModelFolder(SHIPPED);
  const chords = [
    { tick: 0, root: 0, quality: 'maj' as const },
    { tick: 1920, root: 7, quality: 'maj' as const },
    { tick: 3840, root: 9, quality: 'min' as const },
    { tick: 5760, root: 5, quality: 'maj' as const },
  ];
  const tones = (tick: number) => {
    const c = [...chords].reverse().find((x) => x.tick <= tick)!;
    return new Set([0, c.quality === 'min' ? 3 : 4, 7].map((i) => (c.root + i) % 12));
  };
  for (const role of ['keys', 'bass'] as const) {
    const prompt = encodePrompt({
      conditions: { role, task: 'generate', style: 'pop', key: { tonic: 0, mode: 'major' }, meter, bpm: 100, bars: 4, energy: 3 },
      chords,
    });
    const request = { prompt, role, meter, bars: 4, batch: 4, seed: 11, sampling, chords };
    const plain = await generatePart(lm, request);
    assert.deepEqual(await generatePart(lm, { ...request, followChords: 0 }), plain, 'strength 0 changes nothing');
    const followed = await generatePart(lm, { ...request, followChords: 1 });
    assert.deepEqual(await generatePart(lm, { ...request, followChords: 1 }), followed, 'same seed, same notes');
    let onBeats = 0;
    for (const tokens of followed) {
      const decoded = decodePart(tokens, role, meter);
      assert.equal(decoded.bars, 4);
      if (decoded.part.role === 'chords') continue;
      for (const n of decoded.part.notes) {
        if (n.tick % 480 !== 0) continue;
        onBeats++;
        assert.ok(tones(n.tick).has(n.pitch % 12), `${role}: pitch ${n.pitch} on tick ${n.tick} is not a chord tone`);
      }
    }
    assert.ok(onBeats > 0, `${role}: some notes fall on beats`);
  }
});
