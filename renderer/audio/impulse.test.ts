import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roomImpulse } from './impulse.ts';

const rms = (a: Float32Array, from: number, to: number) => Math.sqrt(a.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from));

test('the room impulse is stereo, decorrelated, deterministic, silent through the pre-delay, and decays ~60 dB by rt60', () => {
  const sr = 16000;
  const [l, r] = roomImpulse({ sampleRate: sr, rt60: 1, preDelay: 0.01 });
  assert.equal(l.length, 160 + 16000);
  assert.equal(rms(l, 0, 160), 0);
  const again = roomImpulse({ sampleRate: sr, rt60: 1, preDelay: 0.01 });
  assert.deepEqual(again[0], l);
  let dot = 0;
  for (let i = 0; i < l.length; i++) dot += l[i]! * r[i]!;
  assert.ok(Math.abs(dot) / (rms(l, 0, l.length) * rms(r, 0, r.length) * l.length) < 0.2, 'channels differ');
  const early = rms(l, 160 + 1600, 160 + 3200);
  const late = rms(l, 160 + 14400, 160 + 16000);
  const dropDb = 20 * Math.log10(early / late);
  assert.ok(dropDb > 40 && dropDb < 70, `dropped ${dropDb.toFixed(1)} dB from 0.1-0.2 s to 0.9-1 s`);
});
