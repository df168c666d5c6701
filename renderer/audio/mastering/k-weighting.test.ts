import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kWeighting, weightedEnergies, type Biquad } from './k-weighting.ts';

/** |H(e^jω)| of a biquad at `hz`. */
function magnitude(f: Biquad, hz: number, sampleRate: number): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  const re = (b0: number, b1: number, b2: number) => b0 + b1 * Math.cos(w) + b2 * Math.cos(2 * w);
  const im = (b1: number, b2: number) => -(b1 * Math.sin(w) + b2 * Math.sin(2 * w));
  const num = Math.hypot(re(f.b0, f.b1, f.b2), im(f.b1, f.b2));
  const den = Math.hypot(re(1, f.a1, f.a2), im(f.a1, f.a2));
  return num / den;
}
const responseDb = (sampleRate: number, hz: number) => {
  const k = kWeighting(sampleRate);
  return 20 * Math.log10(magnitude(k.shelf, hz, sampleRate) * magnitude(k.highPass, hz, sampleRate));
};

test('at 48 kHz the coefficients are the ones tabled in BS.1770-4', () => {
  const { shelf, highPass } = kWeighting(48000);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(shelf.b0, 1.53512485958697);
  close(shelf.b1, -2.69169618940638);
  close(shelf.b2, 1.19839281085285);
  close(shelf.a1, -1.69065929318241);
  close(shelf.a2, 0.73248077421585);
  assert.deepEqual([highPass.b0, highPass.b1, highPass.b2], [1, -2, 1]);
  close(highPass.a1, -1.99004745483398);
  close(highPass.a2, 0.99007225036621);
});

test('44.1 kHz gets its own coefficients with the same response as 48 kHz', () => {
  assert.notEqual(kWeighting(44100).shelf.b0, kWeighting(48000).shelf.b0);
  for (const hz of [20, 50, 100, 500, 1000, 2000, 5000, 10000, 15000]) {
    const a = responseDb(44100, hz);
    const b = responseDb(48000, hz);
    assert.ok(Math.abs(a - b) < 0.05, `${hz} Hz: ${a.toFixed(3)} dB at 44.1 kHz, ${b.toFixed(3)} dB at 48 kHz`);
  }
  // The curve's shape: the high-pass cuts the lows, the shelf lifts the highs by about 4 dB.
  assert.ok(responseDb(44100, 20) < -10);
  assert.ok(Math.abs(responseDb(44100, 1000) - 0.69) < 0.05, `${responseDb(44100, 1000)}`);
  assert.ok(Math.abs(responseDb(44100, 10000) - 4) < 0.3);
});

test('sample rates too low for the shelf are refused', () => {
  assert.throws(() => kWeighting(4000), /sample rate 4000 Hz is not supported/);
  assert.throws(() => kWeighting(Number.NaN), /not supported/);
});

test('weighted energies are summed per span', () => {
  const x = new Float32Array(4800).fill(0);
  for (let i = 2400; i < 4800; i++) x[i] = Math.sin((2 * Math.PI * 1000 * i) / 48000);
  const [silent, sounding] = weightedEnergies(x, kWeighting(48000), [0, 2400, 4800]);
  assert.equal(silent, 0);
  // 2400 samples of a unit sine: mean square 0.5, lifted by the 1 kHz gain (+0.69 dB); the onset transient is small.
  const expected = 2400 * 0.5 * 10 ** (0.691 / 10);
  assert.ok(Math.abs(sounding! / expected - 1) < 0.02, `${sounding} vs ${expected}`);
});
