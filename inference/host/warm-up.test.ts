import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.ts';
import { loadModelFolder } from '../node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../node/shipped-model.ts';
import { WarmUp, warmUpRequest } from './warm-up.ts';

test('the warm-up asks for riffs until its budget is spent, stopped riffs counted', () => {
  const warmUp = new WarmUp(1000);
  const seeds: number[] = [];
  for (const ms of [400, 300, 299]) {
    const r = warmUp.next();
    assert.ok(r);
    seeds.push(r.seed);
    warmUp.ran(ms, ms !== 299);
  }
  assert.equal(warmUp.spent, 999);
  assert.ok(warmUp.next(), 'one more: 999 ms of 1000 spent');
  warmUp.ran(1, true);
  assert.equal(warmUp.next(), null);
  assert.equal(new Set(seeds).size, 3, 'each riff its own seed');
  assert.equal(new WarmUp(0).next(), null, 'a zero budget asks for nothing');
});

test("the warm-up's riffs are what the AI panel asks most and the engine decodes them", async () => {
  const loaded = await loadModelFolder(SHIPPED_MODEL_DIR);
  const engine = new Engine(loaded.lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, 'cpu');
  const roles = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const request = warmUpRequest(i);
    roles.add(request.role);
    assert.equal(request.bars, 4);
    assert.equal(request.variations, 3);
    const result = await engine.generate(request);
    assert.equal(result.variations.length, 3);
    assert.ok(
      result.variations.every((v) => v.notes.length > 0),
      `${request.role}: every variation has notes`,
    );
  }
  assert.deepEqual([...roles].sort(), ['bass', 'drums', 'keys', 'lead']);
});
