/**
 * `node models/training/build-model.ts --run <training run> [--run <continued run> ...]
 *   --export <export dir> --shards <shard dir> --baseline <baseline.ngram.gz> --out models/<id>
 *   [--eval <eval json>] [--id <id>]`
 * Runs are the training phases in order (each later one continued from the one before, --init);
 * the export and the shards are those of the last. `--warm-start <model.json>`: the first phase
 * started from that earlier model's weights (rebuilt by python/onnx_to_checkpoint.py); its card's
 * training is recorded and counted.
 * Assembles a shippable model folder: the int8 ONNX weights as model.onnx, the vocabulary file,
 * the 4-gram baseline, and model.json, the card (hashes, shape, data and licenses, training
 * config and compute, metrics). Raw data never goes in: only weights and counts.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SEQUENCE_LAYOUT } from '../../inference/tokenizer/prompt.ts';
import { VOCABULARY_SHA256 } from '../../inference/tokenizer/vocabulary-check.ts';
import { VOCABULARY_VERSION, vocabularyJson } from '../../inference/tokenizer/vocabulary.ts';
import { SHIPPED_MODEL_ID } from '../../inference/node/shipped-model.ts';

const { values } = parseArgs({
  options: {
    run: { type: 'string', multiple: true },
    export: { type: 'string' },
    shards: { type: 'string' },
    baseline: { type: 'string' },
    out: { type: 'string' },
    eval: { type: 'string' },
    id: { type: 'string', default: SHIPPED_MODEL_ID },
    'warm-start': { type: 'string' },
  },
});
if (!values.run?.length || !values.export || !values.shards || !values.baseline || !values.out) {
  console.error(
    'usage: node models/training/build-model.ts --run <dir> --export <dir> --shards <dir> --baseline <file> --out models/<id> [--eval <json>]',
  );
  process.exit(2);
}
const readJson = (path: string): Record<string, any> => JSON.parse(readFileSync(path, 'utf8'));
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

const runs: Record<string, any>[] = values.run.map((dir) => {
  const training = readJson(join(dir, 'training.json'));
  const log = readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const curve = log.filter((e) => e.event === 'eval').map((e) => ({ step: e.step, tokens: e.tokens, validLoss: e.validLoss }));
  return { ...training, curve };
});
const training = runs.at(-1)!;
const previous = values['warm-start'] ? readJson(values['warm-start']) : null;
const warmStart = previous && {
  model: previous.id,
  sha256: previous.weights.sha256,
  layout: previous.vocabulary.layout ?? 1,
  rebuiltWith: '/usr/bin/python3 models/training/python/onnx_to_checkpoint.py --onnx <its model.onnx> --out <checkpoint> --alibi',
  training: { device: previous.training.device, wallSeconds: previous.training.wallSeconds, tokensSeen: previous.training.tokensSeen },
};
const exported = readJson(join(values.export, 'export.json'));
const manifest = readJson(join(values.shards, 'manifest.json'));
if (manifest.vocabulary.sha256 !== VOCABULARY_SHA256)
  throw new Error(`shards were prepared with vocabulary ${manifest.vocabulary.sha256}, not this tokenizer's ${VOCABULARY_SHA256}`);
if (manifest.vocabulary.layout !== SEQUENCE_LAYOUT)
  throw new Error(`shards were prepared with sequence layout ${manifest.vocabulary.layout ?? 1}, not this tokenizer's ${SEQUENCE_LAYOUT}`);

mkdirSync(values.out, { recursive: true });
copyFileSync(join(values.export, 'model.int8.onnx'), join(values.out, 'model.onnx'));
writeFileSync(join(values.out, 'vocab.json'), vocabularyJson());
copyFileSync(values.baseline, join(values.out, 'baseline.ngram.gz'));

const card = {
  id: values.id,
  name: `Riffroom bandmate ${values.id.split('-').at(-1)}`,
  description:
    'A small decoder-only transformer over riffroom-v1 music tokens. Writes drums, bass, keys (comping), lead (melody) and the chord track from role, style, key, meter, tempo, bar count, energy and chords; continues, infills, varies and accompanies.',
  weights: {
    file: 'model.onnx',
    sha256: sha256(join(values.out, 'model.onnx')),
    bytes: statSync(join(values.out, 'model.onnx')).size,
    precision: 'int8 weights (per-channel, DequantizeLinear), float32 activations',
  },
  vocabulary: { file: 'vocab.json', version: VOCABULARY_VERSION, sha256: VOCABULARY_SHA256, layout: SEQUENCE_LAYOUT },
  shape: {
    layers: exported.layers,
    heads: exported.heads,
    headDim: exported.headDim,
    dModel: exported.dModel,
    vocabSize: exported.vocabSize,
    maxPositions: exported.maxPositions,
    parameters: training.parameters ?? training.params ?? null,
  },
  io: { inputs: exported.inputs, outputs: exported.outputs, opset: exported.opset, contract: 'models/training/FORMAT.md' },
  baseline: {
    file: 'baseline.ngram.gz',
    sha256: sha256(join(values.out, 'baseline.ngram.gz')),
    description: 'Interpolated Kneser-Ney 4-gram over the same tokens, fitted on the same training split (models/training/ngram.ts).',
  },
  data: {
    note: 'Trained on ../shared/datasets; no raw data ships with the model.',
    datasets: [
      {
        name: 'POP909',
        source: 'music-x-lab/POP909-Dataset',
        license: 'MIT',
        use: 'lead (MELODY), keys (PIANO), bass derived from the piano left hand and chord roots, chord track',
      },
      {
        name: 'Groove MIDI Dataset',
        credit: 'Groove MIDI Dataset, Gillick et al. 2019 (Magenta)',
        license: 'CC BY 4.0',
        use: 'drums, mapped to a 9-piece kit, styles from info.csv',
      },
      {
        name: 'OpenEWLD',
        source: '00sapo/OpenEWLD',
        license: 'MIT (scores public domain; genre labels from Discogs, CC0)',
        use: 'lead and chord track, styles from genres.csv',
      },
    ],
    split: 'by song: Groove by its own split column (validation held out), other pieces by a hash of the song (10% held out)',
    pieces: { train: manifest.splits.train.pieces, valid: manifest.splits.valid.pieces },
    examples: { train: manifest.splits.train.examples, valid: manifest.splits.valid.examples },
    tokens: { train: manifest.splits.train.tokens, valid: manifest.splits.valid.tokens },
    targetTokensByRole: Object.fromEntries(
      Object.entries(manifest.splits.train.byRole).map(([r, v]: [string, any]) => [r, v.targetTokens]),
    ),
    augmentation: `${manifest.passes.pitched} passes over pitched pieces (the first as written, the others transposed by a random -5..+6 semitones), ${manifest.passes.drums} over drum performances; new random windows each pass`,
    skippedFiles: manifest.skipped.length,
    // The training mix, when some roles' examples were repeated (reweight-shards.ts).
    mix: manifest.reweighted
      ? { weights: manifest.reweighted.weights, examples: manifest.reweighted.train.examples, tokens: manifest.reweighted.train.tokens }
      : null,
  },
  training: {
    device: training.device,
    // Totals include the model this one was warm-started from.
    wallSeconds: runs.reduce((sum, r) => sum + r.wallSeconds, warmStart?.training.wallSeconds ?? 0),
    tokensSeen: runs.reduce((sum, r) => sum + r.tokensSeen, warmStart?.training.tokensSeen ?? 0),
    warmStart,
    phases: runs,
    commands: [
      `npm run data:prepare -- --data ../shared/datasets --out <shards> --passes ${manifest.passes.pitched} --drum-passes ${manifest.passes.drums} --seed ${manifest.seed}`,
      "/usr/bin/python3 models/training/python/train.py --data <shards> --out <run> [--init <previous run>/checkpoint.pt] (each phase's args are under phases)",
      'node models/training/reweight-shards.ts --from <shards> --out <mix> --weights <role=weight,...> (for a continued phase on another mix)',
      '/usr/bin/python3 models/training/python/export.py --checkpoint <run>/checkpoint.pt --out <export>',
      'node models/training/fit-baseline.ts --data <shards> --out <baseline>',
    ],
  },
  export: { files: exported.files, quantization: exported.quantization?.scheme, checks: exported.checks },
  metrics: values.eval && existsSync(values.eval) ? readJson(values.eval) : null,
};
writeFileSync(join(values.out, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
console.error(`build-model: ${values.out} (${card.weights.bytes} bytes, sha256 ${card.weights.sha256})`);
