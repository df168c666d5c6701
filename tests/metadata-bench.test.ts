/**
 * The metadata benchmark (bench/metadata, `npm run bench:metadata`) on a handful of songs of each
 * dataset: it reads them with the training readers, compares with the annotations, and its
 * figures are sane. Skipped, saying which folder is missing, where ../shared/datasets is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectCases, longestKey, report, scoreKeys, scoreRoles, spread } from '../bench/metadata/measure.ts';

const datasets = resolve(fileURLToPath(new URL('../', import.meta.url)), '../shared/datasets');
const missing = ['pop909/POP909', 'groove_midi/groove', 'openewld'].filter((d) => !existsSync(resolve(datasets, d)));
const skip = missing.length
  ? `datasets not found: ${missing.map((d) => resolve(datasets, d)).join(', ')} (see ../shared/datasets/README.md)`
  : false;

test('six songs of each dataset: keys and roles measured against the annotations', { skip }, () => {
  const cases = collectCases(datasets, { limit: 6 });
  assert.equal(cases.keys.pop909?.length, 6);
  assert.equal(cases.keys['openewld melody']?.length, 6);
  assert.equal(cases.keys['openewld melody+chords']?.length, 6);
  // Each POP909 song gives MELODY, BRIDGE, PIANO and the derived bass; each Groove file one drum track.
  assert.equal(cases.roles.pop909?.length, 24);
  assert.equal(cases.roles.groove?.length, 6);
  const figures = report(cases);
  // On the full run POP909's exact key accuracy is 86% and roles 99%; six songs may lose one or two.
  assert.ok(figures.key.pop909!.all.exact! >= 4 / 6, `POP909 exact key ${figures.key.pop909!.all.exact}`);
  assert.ok(figures.roles.combined.all.accuracy! >= 0.9, `roles ${figures.roles.combined.all.accuracy}`);
  assert.equal(figures.roles.groove!.all.accuracy, 1);
  assert.equal(figures.tempoMeter.groove!.all.bpmWithin1, 1);
  assert.ok(figures.analyseMsPerSong!.p50 < 200);
});

test('the scoring counts what it should (no datasets needed)', () => {
  const C = { tonic: 0, mode: 'major' } as const;
  const scores = scoreKeys([
    { id: 'a', heldout: true, reference: C, estimate: C, confidence: 'high' },
    { id: 'b', heldout: true, reference: C, estimate: { tonic: 7, mode: 'major' }, confidence: 'low' },
    { id: 'c', heldout: true, reference: C, estimate: { tonic: 9, mode: 'minor' }, confidence: 'low' },
    { id: 'd', heldout: true, reference: C, estimate: null, confidence: null },
  ]);
  assert.equal(scores.exact, 0.25);
  assert.equal(scores.near, 0.75);
  assert.equal(scores.mirex, 0.45); // (1 + 0.5 + 0.3 + 0) / 4
  assert.deepEqual(scores.byConfidence, { high: { songs: 1, exact: 1 }, low: { songs: 2, exact: 0 } });
  const roles = scoreRoles([
    { id: 'a', heldout: true, part: 'PIANO', expected: 'keys', detected: 'keys' },
    { id: 'b', heldout: true, part: 'PIANO', expected: 'keys', detected: 'lead' },
  ]);
  assert.equal(roles.accuracy, 0.5);
  assert.deepEqual(roles.parts.PIANO?.detectedAs, { keys: 1, lead: 1 });
  // The key lasting longest wins, not the first.
  const G = { tonic: 7, mode: 'major' } as const;
  assert.deepEqual(
    longestKey(
      [
        { tick: 0, key: C },
        { tick: 100, key: G },
      ],
      1000,
    ),
    G,
  );
  assert.deepEqual(spread([1, 2, 3, 4, 5, 6], 3), [1, 3, 5]);
});
