/**
 * The shipped originality index against the data it was built from (skipped, saying which folder
 * is missing, without ../shared/datasets): training melodies, once on the model's grid (encoded
 * and decoded as the model writes them), are found and marked; held-out melodies mostly are not.
 * A rebuilt dataset or a changed fingerprint without a rebuilt index fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ticksPerBar } from '../core/time.ts';
import { checkPart } from '../inference/originality/check.ts';
import { decodeIndex } from '../inference/originality/index-file.ts';
import { SHIPPED_MODEL_DIR } from '../inference/node/shipped-model.ts';
import { decodePart, encodePart } from '../inference/tokenizer/events.ts';
import { readPop909 } from '../models/training/sources/pop909.ts';
import { splitOf } from '../models/training/splits.ts';

const pop909 = resolve(fileURLToPath(new URL('../', import.meta.url)), '../shared/datasets/pop909');
const skip = existsSync(pop909) ? false : `datasets not found: ${pop909} (see ../shared/datasets/README.md)`;

test('training melodies on the model grid are found and marked; held-out ones mostly are not', { skip }, () => {
  const index = decodeIndex(readFileSync(resolve(SHIPPED_MODEL_DIR, 'originality.bin')));
  const { pieces } = readPop909(pop909);
  const marked = (split: 'train' | 'valid') => {
    const chosen = pieces.filter((p) => splitOf(p) === split).slice(0, 40);
    let windows = 0;
    let hits = 0;
    for (const piece of chosen) {
      const lead = piece.tracks.find((t) => t.role === 'lead');
      if (!lead) continue;
      const bar = ticksPerBar(piece.meter);
      const notes = lead.notes.filter((n) => n.tick >= 8 * bar && n.tick < 12 * bar).map((n) => ({ ...n, tick: n.tick - 8 * bar }));
      if (notes.length < 12) continue;
      const onGrid = decodePart(encodePart({ role: 'lead', notes }, piece.meter, 0, 4), 'lead', piece.meter).part;
      if (onGrid.role === 'chords') continue;
      windows++;
      if (checkPart(index, { role: 'lead', notes: onGrid.notes, meter: piece.meter, bars: 4 }).marked) hits++;
    }
    return { windows, share: hits / windows };
  };
  const train = marked('train');
  const valid = marked('valid');
  assert.ok(train.windows >= 20 && valid.windows >= 20, `enough windows: ${train.windows}, ${valid.windows}`);
  assert.ok(train.share >= 0.8, `training melodies marked: ${train.share}`);
  assert.ok(valid.share <= 0.1, `held-out melodies marked: ${valid.share}`);
});
