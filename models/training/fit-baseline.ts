/**
 * `node models/training/fit-baseline.ts --data <shard dir> --out <file>`
 * Fits the smoothed 4-gram baseline on the training split of a shard directory (the same tokens
 * the model trains on) and writes it gzip'ed beside the model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fitNgram } from './ngram.ts';
import { readShard, saveNgram } from './ngram-io.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
if (!values.data || !values.out) {
  console.error('usage: node models/training/fit-baseline.ts --data <shard dir> --out <file>');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(values.data, 'manifest.json'), 'utf8')) as {
  vocabulary: { size: number; ids: { SEP: number } };
};
const started = Date.now();
const model = fitNgram(readShard(values.data, 'train'), { vocabSize: manifest.vocabulary.size, sepId: manifest.vocabulary.ids.SEP });
saveNgram(values.out, model);
console.error(`fit-baseline: ${JSON.stringify(model.sizes())} n-grams in ${(Date.now() - started) / 1000} s → ${values.out}`);
