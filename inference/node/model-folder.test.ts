import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelLoadError } from '../model-card.ts';
import { VOCABULARY_SHA256 } from '../tokenizer/vocabulary-check.ts';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { loadModelFolder } from './model-folder.ts';
import { SHIPPED_MODEL_DIR } from './shipped-model.ts';

const SHIPPED = SHIPPED_MODEL_DIR;

function copyOfShipped(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of ['model.json', 'model.onnx', 'vocab.json', 'originality.bin']) copyFileSync(join(SHIPPED, file), join(dir, file));
  return dir;
}

test('the shipped model loads in onnxruntime-node with its vocabulary hash and weights hash checked', async () => {
  const { card, lm } = await loadModelFolder(SHIPPED);
  assert.equal(card.vocabulary.sha256, VOCABULARY_SHA256);
  assert.ok(card.weights.bytes <= 30 * 1024 * 1024, 'at most 30 MB');
  assert.equal(lm.shape.vocabSize, VOCAB.size);
});

test('weights that do not match the card are refused naming the file', async (t) => {
  const dir = copyOfShipped(t);
  const weights = readFileSync(join(dir, 'model.onnx'));
  weights[weights.length >> 1] ^= 0xff;
  writeFileSync(join(dir, 'model.onnx'), weights);
  await assert.rejects(
    loadModelFolder(dir),
    (e: unknown) => e instanceof ModelLoadError && e.file.endsWith('model.onnx') && /sha256/.test(e.message),
  );
});

test('a corrupt ONNX file whose hash the card records is an error, not a crash', async (t) => {
  const dir = copyOfShipped(t);
  writeFileSync(join(dir, 'model.onnx'), readFileSync(join(dir, 'model.onnx')).subarray(0, 5000));
  const card = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  card.weights.sha256 = (await import('node:crypto'))
    .createHash('sha256')
    .update(readFileSync(join(dir, 'model.onnx')))
    .digest('hex');
  writeFileSync(join(dir, 'model.json'), JSON.stringify(card));
  await assert.rejects(
    loadModelFolder(dir),
    (e: unknown) => e instanceof ModelLoadError && /onnxruntime could not load it/.test(e.message),
  );
});

test('a different vocabulary, a broken card or a missing file is refused naming the file', async (t) => {
  const dir = copyOfShipped(t);
  const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'));
  vocab.tokens.reverse();
  writeFileSync(join(dir, 'vocab.json'), `${JSON.stringify(vocab, null, 2)}\n`);
  await assert.rejects(loadModelFolder(dir), (e: unknown) => e instanceof ModelLoadError && e.file.endsWith('vocab.json'));

  const other = copyOfShipped(t);
  writeFileSync(join(other, 'model.json'), '{"id": 3');
  await assert.rejects(loadModelFolder(other), (e: unknown) => e instanceof ModelLoadError && /not valid JSON/.test(e.message));
  writeFileSync(join(other, 'model.json'), '{"id": "x"}');
  await assert.rejects(loadModelFolder(other), /weights entry/);
  rmSync(join(dir, 'model.onnx'));
  await assert.rejects(
    loadModelFolder(join(dir, 'nowhere')),
    (e: unknown) => e instanceof ModelLoadError && /cannot be read \(ENOENT\)/.test(e.message),
  );
});

test('a model trained on another sequence layout is refused', async (t) => {
  const dir = copyOfShipped(t);
  const card = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  delete card.vocabulary.layout; // cards before inline chords had none
  writeFileSync(join(dir, 'model.json'), JSON.stringify(card));
  await assert.rejects(
    loadModelFolder(dir),
    (e: unknown) => e instanceof ModelLoadError && /sequence layout 1; this build writes layout 2/.test(e.message),
  );
});
