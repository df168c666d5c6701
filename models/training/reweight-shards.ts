/**
 * `node models/training/reweight-shards.ts --from <shards> --out <shards> --weights chords=1,keys=0.1,...`
 * Writes a training mix with each role's examples kept with the given weight (2.5 = every example
 * twice, and half of them a third time), seeded; validation is copied unchanged. Used for a short
 * continued-training phase that gives a role with little data (the chord track) a larger share.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../core/random.ts';
import { VOCAB } from '../../inference/tokenizer/vocabulary.ts';
import { ShardWriter, readShardExamples } from './shards.ts';

const { values } = parseArgs({
  options: { from: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' }, seed: { type: 'string', default: '1' } },
});
if (!values.from || !values.out || !values.weights) {
  console.error(
    'usage: node models/training/reweight-shards.ts --from <shards> --out <shards> --weights chords=1,keys=0.1,drums=0.15,lead=0.09,bass=0.08',
  );
  process.exit(2);
}
const weights = new Map(
  values.weights.split(',').map((pair) => {
    const [role, weight] = pair.split('=');
    return [VOCAB.id(`ROLE_${role}`), Number(weight)] as const;
  }),
);
mkdirSync(values.out, { recursive: true });
const random = seededRandom(Number(values.seed));
const writer = new ShardWriter(values.out, 'train');
const byRole: Record<string, { examples: number; tokens: number }> = {};
let tokens = 0;
for (const example of readShardExamples(values.from, 'train')) {
  const weight = weights.get(example[1]!) ?? 1;
  const copies = Math.floor(weight) + (random() < weight - Math.floor(weight) ? 1 : 0);
  for (let c = 0; c < copies; c++) {
    writer.write(Array.from(example));
    const role = (byRole[VOCAB.token(example[1]!).slice(5)] ??= { examples: 0, tokens: 0 });
    role.examples++;
    role.tokens += example.length;
    tokens += example.length;
  }
}
writer.close();
for (const file of ['valid.bin', 'valid.idx', 'pieces.json', 'vocab.json']) copyFileSync(join(values.from, file), join(values.out, file));
const manifest = JSON.parse(readFileSync(join(values.from, 'manifest.json'), 'utf8'));
manifest.reweighted = {
  from: values.from,
  weights: values.weights,
  seed: Number(values.seed),
  train: { examples: writer.examples, tokens, byRole },
};
writeFileSync(join(values.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.error(`reweight-shards: ${writer.examples} examples, ${tokens} tokens: ${JSON.stringify(byRole)}`);
