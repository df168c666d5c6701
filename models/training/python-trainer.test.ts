/**
 * Runs the Python trainer's own tests (python/test_trainer.py: tiny synthetic shards, a few
 * training steps, fp32 + int8 ONNX export and its checks) so `npm test` covers them. The trainer
 * needs torch and onnx for Debian's /usr/bin/python3; where they are missing the test is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const trainerDir = join(dirname(fileURLToPath(import.meta.url)), 'python');

function hasTorchAndOnnx(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  return probe.status === 0;
}

test('python trainer: train a tiny model, export fp32 + int8 ONNX, check the contract', { timeout: 180_000 }, (t) => {
  if (!hasTorchAndOnnx()) {
    t.skip('torch/onnx not installed for /usr/bin/python3 (apt-get install python3-torch python3-onnx)');
    return;
  }
  const run = spawnSync(PYTHON, ['-m', 'unittest', 'test_trainer.py'], {
    cwd: trainerDir,
    encoding: 'utf8',
    // No __pycache__ in the source tree; two threads as on the 2-core dev machine.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '2' },
    timeout: 170_000,
  });
  assert.equal(run.status, 0, `python -m unittest failed (status ${run.status}, signal ${run.signal}):\n${run.stderr}`);
});
