/**
 * Builds the originality index a model ships with, from the training split of the datasets, and
 * records it in the model's card (its `originality` entry: file, sha256, bytes, what it holds):
 *
 *   node models/training/build-originality-index.ts --data ../shared/datasets --model models/<id>
 *
 * Deterministic (same data, same bytes); prints the counts, the size and the sha256 to record in
 * the model card. The windowing is fingerprint.ts's WINDOW_SIZES, keeping windows of one training
 * song only (MAX_SONGS), both chosen from held-out false alarms (bench/originality).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHECKED_ROLES, MIN_DISTINCT_PITCHES, WINDOW_SIZES } from '../../inference/originality/fingerprint.ts';
import { encodeIndex } from '../../inference/originality/index-file.ts';
import { readDatasets } from './datasets.ts';
import { indexOf, MAX_SONGS } from './originality-data.ts';
import { splitOf } from './splits.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, model: { type: 'string' } } });
if (!values.data || !values.model) {
  console.error('usage: node models/training/build-originality-index.ts --data <datasets> --model <model folder>');
  process.exit(2);
}
const FILE = 'originality.bin';
const started = performance.now();
const { pieces, skipped, found } = readDatasets(resolve(values.data));
const train = pieces.filter((p) => splitOf(p) === 'train');
const index = indexOf(train, { sizes: WINDOW_SIZES, minPitches: MIN_DISTINCT_PITCHES, maxSongs: MAX_SONGS });
const bytes = encodeIndex(index);
const sha256 = createHash('sha256').update(bytes).digest('hex');
writeFileSync(join(values.model, FILE), bytes);
const cardPath = join(values.model, 'model.json');
const card = JSON.parse(readFileSync(cardPath, 'utf8'));
card.originality = {
  file: FILE,
  sha256,
  bytes: bytes.length,
  note: `32-bit hashes of the training split's note patterns (line windows of ${WINDOW_SIZES.lead} lead, ${WINDOW_SIZES.bass} bass and ${WINDOW_SIZES.keys} keys notes as intervals and times, drum windows of ${WINDOW_SIZES.drums} bars), only those of a single song: no note, order, piece or position is kept, and a 10-note window has about 400^9 (10^23) possible step sequences for 4*10^9 hash values, so each value stands for some 10^13 patterns and no music can be recovered from it. Generations that repeat a training song past the window are marked (inference/originality/).`,
};
writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
console.log(
  JSON.stringify(
    {
      datasets: found,
      trainPieces: train.length,
      skipped: skipped.length,
      windows: Object.fromEntries(
        CHECKED_ROLES.map((role) => [role, { size: index.roles[role].size, fingerprints: index.roles[role].fingerprints.length }]),
      ),
      maxSongs: MAX_SONGS,
      bytes: bytes.length,
      sha256,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
    null,
    2,
  ),
);
