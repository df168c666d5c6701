import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandEnergies, centroid, flatness, logSpectralDistance, peakHz, powerSpectrum } from './spectrum.ts';

const SR = 44100;
const sine = (hz: number, seconds: number, amp = 0.5) =>
  Float64Array.from({ length: Math.round(seconds * SR) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / SR));
function noise(seconds: number, seed = 1): Float64Array {
  let s = seed;
  return Float64Array.from({ length: Math.round(seconds * SR) }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
}

test('a sine: its peak at its frequency, flatness near 0, centroid at it; white noise is flat', () => {
  const p = powerSpectrum(sine(440, 0.2), 0, 8192);
  assert.ok(Math.abs(peakHz(p, SR, 100, 2000) - 440) < 0.5);
  assert.ok(flatness(p, SR) < 0.01);
  assert.ok(Math.abs(centroid(p, SR) - 440) < 20);
  assert.ok(flatness(powerSpectrum(noise(0.2), 0, 8192), SR) > 0.4);
});

test('log-spectral distance: 0 for the same signal, small for a gain change of 1 dB, large for another note', () => {
  const a = sine(440, 1);
  assert.equal(logSpectralDistance(a, a, SR), 0);
  const louder = a.map((v) => v * 10 ** (1 / 20));
  // At most 1 dB: bands under the floor on both sides (most, for a sine) count as equal.
  const d = logSpectralDistance(a, louder, SR);
  assert.ok(d > 0.05 && d <= 1.0001, `${d}`);
  assert.ok(logSpectralDistance(a, sine(660, 1), SR) > 10);
  assert.throws(() => logSpectralDistance(new Float64Array(4096), new Float64Array(4096), SR), /silent/);
});

test('band energies: one row per 50 ms, the sine in its octave', () => {
  const rows = bandEnergies(sine(440, 1), SR);
  assert.equal(rows.length, Math.floor((SR - 4096) / 2205) + 1);
  const row = rows[5]!;
  const loudest = row.indexOf(Math.max(...row));
  assert.equal(loudest, 3); // 250..500 Hz
});
