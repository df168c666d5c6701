/**
 * `npm run data:prepare -- --data ../shared/datasets --out <dir> [--passes 3] [--drum-passes 6]
 *  [--seed 1] [--limit N]`
 * Reads the datasets, splits by song, cuts windows into task examples (training pieces several
 * times, each pass with new windows and, for pitched parts, a random transposition), and writes
 * token shards plus manifest.json (FORMAT.md). Unreadable files are listed and skipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../core/random.ts';
import { SEQUENCE_LAYOUT } from '../../inference/tokenizer/prompt.ts';
import { VOCABULARY_SHA256 } from '../../inference/tokenizer/vocabulary-check.ts';
import { MODEL_ROLES, VOCAB, VOCABULARY_VERSION, vocabularyJson } from '../../inference/tokenizer/vocabulary.ts';
import { readDatasets } from './datasets.ts';
import { MAX_EXAMPLE_TOKENS, trainingExamples, transposePiece, type Example } from './examples.ts';
import { fnv1a, splitOf, type Split } from './splits.ts';
import { ShardWriter } from './shards.ts';

interface SplitCounts {
  pieces: number;
  examples: number;
  tokens: number;
  targetTokens: number;
  byRole: Record<string, { examples: number; targetTokens: number }>;
  byTask: Record<string, number>;
  bySource: Record<string, { pieces: number; examples: number }>;
}

export interface PrepareOptions {
  data: string;
  out: string;
  passes: number;
  drumPasses: number;
  seed: number;
  limit?: number;
  log?: (line: string) => void;
}

export function prepare(options: PrepareOptions): Record<string, unknown> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  mkdirSync(options.out, { recursive: true });
  const read = readDatasets(options.data, { limitPerSource: options.limit });
  log(
    `read ${read.pieces.length} pieces from ${read.found.join(', ') || 'nothing'} (${read.skipped.length} skipped) in ${Date.now() - started} ms`,
  );
  const writers: Record<Split, ShardWriter> = {
    train: new ShardWriter(options.out, 'train'),
    valid: new ShardWriter(options.out, 'valid'),
  };
  const counts: Record<Split, SplitCounts> = { train: emptyCounts(), valid: emptyCounts() };
  const pieceIds: Record<Split, string[]> = { train: [], valid: [] };
  const sep = VOCAB.id('SEP');
  for (const piece of read.pieces) {
    const split = splitOf(piece);
    const c = counts[split];
    c.pieces++;
    pieceIds[split].push(piece.id);
    (c.bySource[piece.source] ??= { pieces: 0, examples: 0 }).pieces++;
    const passes = split === 'valid' ? 1 : piece.source === 'groove' ? options.drumPasses : options.passes;
    for (let pass = 0; pass < passes; pass++) {
      const random = seededRandom(fnv1a(`${options.seed}:${piece.id}:${pass}`));
      const semitones = split === 'valid' || pass === 0 ? 0 : Math.floor(random() * 12) - 5;
      for (const example of trainingExamples(transposePiece(piece, semitones), random)) {
        writers[split].write(example.tokens);
        count(c, example, example.tokens.length - example.tokens.indexOf(sep) - 1);
      }
    }
  }
  writers.train.close();
  writers.valid.close();
  const manifest = {
    format: 1,
    vocabulary: {
      version: VOCABULARY_VERSION,
      size: VOCAB.size,
      sha256: VOCABULARY_SHA256,
      layout: SEQUENCE_LAYOUT,
      ids: { PAD: VOCAB.id('PAD'), BOS: VOCAB.id('BOS'), EOS: VOCAB.id('EOS'), SEP: sep },
      roleIds: Object.fromEntries(MODEL_ROLES.map((r) => [r, VOCAB.id(`ROLE_${r}`)])),
    },
    maxLength: MAX_EXAMPLE_TOKENS,
    data: options.data,
    datasets: read.found,
    seed: options.seed,
    passes: { pitched: options.passes, drums: options.drumPasses },
    splits: counts,
    skipped: read.skipped,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(options.out, 'pieces.json'), `${JSON.stringify(pieceIds, null, 1)}\n`);
  writeFileSync(join(options.out, 'vocab.json'), vocabularyJson());
  log(
    `wrote ${counts.train.examples} train / ${counts.valid.examples} valid examples, ${counts.train.tokens} / ${counts.valid.tokens} tokens in ${manifest.seconds} s`,
  );
  return manifest;
}

function emptyCounts(): SplitCounts {
  return { pieces: 0, examples: 0, tokens: 0, targetTokens: 0, byRole: {}, byTask: {}, bySource: {} };
}

function count(c: SplitCounts, example: Example, targetTokens: number): void {
  c.examples++;
  c.tokens += example.tokens.length;
  c.targetTokens += targetTokens;
  const role = (c.byRole[example.role] ??= { examples: 0, targetTokens: 0 });
  role.examples++;
  role.targetTokens += targetTokens;
  c.byTask[example.task] = (c.byTask[example.task] ?? 0) + 1;
  c.bySource[example.source]!.examples++;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/datasets' },
      out: { type: 'string' },
      passes: { type: 'string', default: '3' },
      'drum-passes': { type: 'string', default: '6' },
      seed: { type: 'string', default: '1' },
      limit: { type: 'string' },
    },
  });
  if (!values.out) {
    console.error(
      'usage: npm run data:prepare -- --data ../shared/datasets --out <dir> [--passes 3] [--drum-passes 6] [--seed 1] [--limit N]',
    );
    process.exit(2);
  }
  prepare({
    data: values.data!,
    out: values.out,
    passes: Number(values.passes),
    drumPasses: Number(values['drum-passes']),
    seed: Number(values.seed),
    limit: values.limit ? Number(values.limit) : undefined,
    log: (line) => console.error(`data:prepare: ${line}`),
  });
}
