import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import type { GenerationRequest } from '../engine/request.ts';
import { selfCheckTokens } from '../engine/self-check.ts';
import { checkCard } from '../model-card.ts';
import { chooseProvider, providerCandidates } from './providers.ts';
import { SHIPPED_MODEL_DIR } from './shipped-model.ts';

const card = checkCard(JSON.parse(readFileSync(join(SHIPPED_MODEL_DIR, 'model.json'), 'utf8')), 'model.json');
const weights = readFileSync(join(SHIPPED_MODEL_DIR, 'model.onnx'));

test('each platform tries its GPU providers first and always ends on the CPU', () => {
  assert.deepEqual(providerCandidates('auto', 'linux'), ['tensorrt', 'cuda', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('auto', 'win32'), ['cuda', 'dml', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('auto', 'darwin'), ['coreml', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('webgpu', 'linux'), ['webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('cpu', 'darwin'), ['cpu']);
});

test('a provider that cannot start is passed over with its reason; the CPU runs', async () => {
  // CUDA's libraries are not installed by an offline install (ONNXRUNTIME_NODE_INSTALL=skip).
  const chosen = await chooseProvider(weights, card.shape, ['cuda', 'cpu']);
  assert.equal(chosen.report.name, 'cpu');
  assert.equal(chosen.report.tried[0]!.name, 'cuda');
  assert.equal(chosen.report.tried[0]!.ok, false);
  assert.match(chosen.report.tried[0]!.reason!, /cuda|shared library/i);
  assert.equal((await selfCheckTokens(chosen.lm)).length, 24);
});

test("WebGPU writes exactly the CPU's tokens (Vulkan driver needed: Mesa lavapipe runs it on the CPU)", {
  timeout: 10 * 60_000,
}, async (t) => {
  const gpu = await chooseProvider(weights, card.shape, ['webgpu', 'cpu']);
  if (gpu.report.name !== 'webgpu') {
    t.skip(`no WebGPU adapter here (${gpu.report.tried[0]?.reason}); scripts/setup-vulkan.sh installs Mesa lavapipe on Debian bookworm`);
    return;
  }
  const cpu = await chooseProvider(weights, card.shape, ['cpu']);
  const request: GenerationRequest = {
    task: 'generate',
    role: 'bass',
    style: 'pop',
    key: { tonic: 7, mode: 'major' },
    meter: { numerator: 4, denominator: 4 },
    bpm: 100,
    energy: 1,
    bars: 1,
    chords: [{ tick: 0, root: 7, quality: 'maj' }],
    variations: 2,
    seed: 3,
    sampling: { temperature: 1, topK: 0, topP: 0.95 },
  };
  const model = { id: card.id, sha256: card.weights.sha256 };
  const onGpu = await new Engine(gpu.lm, model, 'webgpu').generate(request);
  const onCpu = await new Engine(cpu.lm, model, 'cpu').generate(request);
  assert.deepEqual(onGpu.variations, onCpu.variations);
  assert.equal(onGpu.provenance.provider, 'webgpu');
});
