import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SHIPPED_MODEL_ID } from '../../inference/node/shipped-model.ts';
import { aboutInfo, AboutInfoError } from './about-info.ts';

const card = JSON.parse(readFileSync(new URL(`../../models/${SHIPPED_MODEL_ID}/model.json`, import.meta.url), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test("the shipped model's card gives the About box its facts, the Groove credit and its licence among them", () => {
  const info = aboutInfo(card, pkg, 'third-party-licenses.txt');
  assert.equal(info.model.id, SHIPPED_MODEL_ID);
  assert.match(info.model.sha256, /^[0-9a-f]{64}$/);
  assert.equal(info.app.license, 'MIT');
  const groove = info.model.datasets.find((d) => d.name === 'Groove MIDI Dataset');
  assert.ok(groove, info.model.datasets.map((d) => d.name).join(', '));
  assert.equal(groove.license, 'CC BY 4.0');
  assert.match(groove.credit, /Gillick et al\. 2019/);
  assert.ok(info.model.evaluation.some((line) => /^bass: \d+% fewer bits per token/.test(line)));
  assert.match(info.model.training, /h, [\d.]+ M tokens/);
  assert.ok(info.ownership.some((p) => /is yours/.test(p)));
});

test('a card missing a field fails by that field, not with an About box that says undefined', () => {
  const broken = structuredClone(card);
  delete broken.weights.sha256;
  assert.throws(
    () => aboutInfo(broken, pkg, 'x'),
    (e: Error) => e instanceof AboutInfoError && /weights\.sha256/.test(e.message),
  );
  const noLicence = structuredClone(card);
  delete noLicence.data.datasets[1].license;
  assert.throws(() => aboutInfo(noLicence, pkg, 'x'), /license/);
});
