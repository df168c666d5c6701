import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, levels, maxDifference, onsets } from './measure.ts';
import type { PcmAudio } from './wav.ts';

const SR = 8000;

/** Decaying 1 kHz bursts starting at `at` seconds, over `seconds` of silence. */
function bursts(at: number[], seconds = 1, amplitude = 0.5): PcmAudio {
  const ch = new Float32Array(SR * seconds);
  for (const t of at) {
    const start = Math.round(t * SR);
    for (let i = 0; i < SR * 0.05 && start + i < ch.length; i++)
      ch[start + i]! += amplitude * Math.exp(-i / (SR * 0.01)) * Math.sin((2 * Math.PI * 1000 * i) / SR);
  }
  return { sampleRate: SR, channels: [ch, ch.slice()] };
}

test('peak and RMS: a full-scale square wave, silence, and a time span', () => {
  const sq = Float32Array.from({ length: SR }, (_, i) => (i % 20 < 10 ? 1 : -1));
  assert.deepEqual(levels({ sampleRate: SR, channels: [sq] }), { peak: 1, rms: 1 });
  assert.deepEqual(levels({ sampleRate: SR, channels: [new Float32Array(10)] }), { peak: 0, rms: 0 });
  const half = Float32Array.from({ length: SR }, (_, i) => (i < SR / 2 ? 0 : 0.5));
  assert.equal(levels({ sampleRate: SR, channels: [half] }, 0, 0.5).peak, 0);
  assert.equal(levels({ sampleRate: SR, channels: [half] }, 0.5).rms, 0.5);
});

test('onsets are found within a frame of where each burst starts', () => {
  const at = [0.1, 0.25, 0.3333, 0.7];
  const found = onsets(bursts(at));
  assert.equal(found.length, at.length, JSON.stringify(found));
  for (let i = 0; i < at.length; i++) assert.ok(Math.abs(found[i]! - at[i]!) <= 0.0015, `${found[i]} vs ${at[i]}`);
  assert.deepEqual(onsets({ sampleRate: SR, channels: [new Float32Array(SR)] }), []);
  // 44.1 kHz: a 1 ms frame is 44 samples, not 44.1; times must not drift over a long render.
  const long: PcmAudio = { sampleRate: 44100, channels: [new Float32Array(44100 * 4)] };
  for (let i = 0; i < 400; i++) long.channels[0]![Math.round(3.6 * 44100) + i] = Math.sin(i / 3) * Math.exp(-i / 200);
  const [late] = onsets(long);
  assert.ok(Math.abs(late! - 3.6) < 0.0012, `${late}`);
});

test('envelope and difference', () => {
  const a = bursts([0.1]);
  const env = envelope(a, 10);
  assert.equal(env.length, 100);
  assert.equal(env[5], 0);
  assert.ok(env[10]! > 0.1);
  assert.equal(maxDifference(a, bursts([0.1])), 0);
  assert.ok(maxDifference(a, bursts([0.2])) > 0.3);
  assert.equal(maxDifference(a, bursts([0.1], 2)), Infinity);
});
