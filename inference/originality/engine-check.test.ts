/**
 * The originality check inside the engine, on the shipped model: its folder's index loads (and a
 * corrupt one fails the load naming the file), every variation carries its copy report, and a
 * variation that repeats what an index holds is marked with how much.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { funkBass } from '../../tests/support/funk-bass.ts';
import { Engine } from '../engine/engine.ts';
import { ModelLoadError } from '../model-card.ts';
import { loadModelFolder } from '../node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../node/shipped-model.ts';
import { drumWindows, lineOf, lineWindows } from './fingerprint.ts';
import { roleIndex, type OriginalityIndex } from './index-file.ts';

const loaded = await loadModelFolder(SHIPPED_MODEL_DIR);
const model = { id: loaded.card.id, sha256: loaded.card.weights.sha256 };

test("the shipped model's index loads; each variation says how much of it the training data has", async () => {
  assert.ok(loaded.originality, 'the shipped model has an index');
  assert.ok(loaded.originality.roles.lead.fingerprints.length > 10_000);
  const engine = new Engine(loaded.lm, model, 'cpu', undefined, loaded.originality);
  const result = await engine.generate(funkBass({ variations: 3 }));
  for (const v of result.variations) {
    assert.ok(v.copy, 'checked');
    assert.equal(v.copy.unit, 'notes');
    assert.ok(v.copy.total > 0 && v.copy.found <= v.copy.total && v.copy.longestRun <= v.copy.found);
  }
  const unchecked = await new Engine(loaded.lm, model, 'cpu').generate(funkBass({ variations: 1 }));
  assert.equal(unchecked.variations[0]!.copy, undefined, 'no index, no report');
});

test('a variation that repeats indexed music is marked, found whole', async () => {
  const plain = new Engine(loaded.lm, model, 'cpu');
  const request = funkBass({ variations: 1, seed: 5 });
  const [first] = (await plain.generate(request)).variations;
  // An index holding exactly that bass line, in windows of 4 notes.
  const fingerprints = lineWindows(lineOf(first!.notes, 'bass'), 4, 2).filter((w): w is number => w !== null);
  assert.ok(fingerprints.length > 1, 'the riff has a few windows');
  const index: OriginalityIndex = {
    minPitches: 2,
    roles: {
      drums: roleIndex(
        2,
        drumWindows([], request.meter, 1, 2).filter((w): w is number => w !== null),
      ),
      bass: roleIndex(4, fingerprints),
      keys: roleIndex(20, []),
      lead: roleIndex(10, []),
    },
  };
  const [again] = (await new Engine(loaded.lm, model, 'cpu', undefined, index).generate(request)).variations;
  assert.deepEqual(again!.notes, first!.notes, 'same seed, same riff');
  assert.equal(again!.copy?.marked, true);
  assert.ok(again!.copy!.longestRun > 4);
});

test('a corrupt or replaced index fails the model load naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-originality-'));
  cpSync(SHIPPED_MODEL_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'originality.bin'), new Uint8Array([1, 2, 3]));
  await assert.rejects(loadModelFolder(dir), (error: Error) => {
    assert.ok(error instanceof ModelLoadError);
    assert.match(error.message, /originality\.bin: sha256 is [0-9a-f]{64} but the model card records/);
    return true;
  });
});
