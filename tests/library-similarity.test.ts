/**
 * "More like this" measured on held-out POP909 songs (bench/library/retrieval.ts): 4-bar windows
 * of each song's melody ask for their 10 nearest among all the others. Other bars of the same
 * song must come up far more often than chance, and a transposed copy (its key moved along) must
 * rank first every time. Skipped without ../shared/datasets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateRetrieval, pop909Windows } from '../bench/library/retrieval.ts';

const datasets = fileURLToPath(new URL('../../shared/datasets', import.meta.url));
const missing = existsSync(`${datasets}/pop909/POP909`) ? null : `${datasets}/pop909/POP909 is missing`;

test('held-out POP909: same-song windows rank far above chance; a transposed copy ranks first', {
  skip: missing ?? false,
  timeout: 120_000,
}, () => {
  const windows = pop909Windows(datasets, { split: 'valid', part: 'lead', perSong: 12 });
  assert.ok(windows.length > 500, `only ${windows.length} windows`);
  const figures = evaluateRetrieval(windows, true);
  // Measured: precision@10 0.409 against 0.010 for a random ranking (bench/results/library.json).
  assert.ok(figures.precisionAt10 >= 0.3, `precision@10 ${figures.precisionAt10}`);
  assert.ok(figures.precisionAt10 >= 20 * figures.randomPrecisionAt10, `vs random ${figures.randomPrecisionAt10}`);
  assert.equal(figures.transposedCopyFirst, 1);
});
