import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resample } from './resample.ts';

const sine = (hz: number, rate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));

test('a 1 kHz sine keeps its frequency, level and phase through 44.1 → 16 and 44.1 → 48 kHz', () => {
  for (const to of [16_000, 48_000]) {
    const out = resample(sine(1000, 44_100, 1), 44_100, to);
    const expected = sine(1000, to, 1);
    let worst = 0;
    // Away from the edges (the kernel reaches 16 zero crossings of the lower rate).
    for (let i = 200; i < out.length - 200; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[i]!));
    assert.ok(worst < 1e-3, `${to} Hz: worst error ${worst}`);
  }
});

test('downsampling removes what the new rate cannot hold (10 kHz at 16 kHz: below −60 dB)', () => {
  const out = resample(sine(10_000, 44_100, 1), 44_100, 16_000);
  let sum = 0;
  for (let i = 200; i < out.length - 200; i++) sum += out[i]! ** 2;
  const db = 10 * Math.log10(sum / (out.length - 400) / 0.5);
  assert.ok(db < -60, `${db.toFixed(1)} dB`);
});

test('equal rates give a copy', () => {
  const x = sine(440, 16_000, 0.1);
  const y = resample(x, 16_000, 16_000);
  assert.deepEqual(y, x);
  assert.notEqual(y, x);
});
