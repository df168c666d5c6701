import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromMessage, configFromUrl, configureMessage, resolveConfig, workerUrlWithConfig } from './worker-config.ts';

const SCRIPT = 'https://jam.example/app/inference-worker.js';

test("the worker's URL carries its config, warm-up budget included, and gives it back resolved", () => {
  const url = workerUrlWithConfig(SCRIPT, { modelUrl: '../models/m', wasmUrl: './', threads: 1, providers: 'wasm', warmUpMs: 0 });
  assert.deepEqual(configFromUrl(url.href), {
    modelUrl: 'https://jam.example/models/m/',
    wasmUrl: 'https://jam.example/app/',
    threads: 1,
    providers: 'wasm',
    warmUpMs: 0,
  });
  assert.equal(configFromUrl(workerUrlWithConfig(SCRIPT, { modelUrl: 'm', wasmUrl: 'w' }).href)?.warmUpMs, undefined);
  assert.deepEqual(configFromMessage(configureMessage({ modelUrl: 'm', wasmUrl: 'w', warmUpMs: 2500 }), SCRIPT)?.warmUpMs, 2500);
});

test('a warm-up budget that is not 0..60000 ms is refused, saying so', () => {
  for (const warmUpMs of [-1, Number.NaN, 60_001, Number.POSITIVE_INFINITY]) {
    assert.throws(() => resolveConfig({ modelUrl: 'm', wasmUrl: 'w', warmUpMs }, SCRIPT), /warmUpMs must be 0\.\.60000/);
  }
  assert.throws(() => configFromUrl(`${SCRIPT}?model=m&warmup=lots`), /warmUpMs must be 0\.\.60000/);
});
