import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gainCurve, limitTruePeak } from './limiter.ts';
import { random, taperedSine } from './signals.ts';
import { toDb, truePeak } from './true-peak.ts';

test('inter-sample peaks are held under the ceiling, at the very start and end too', () => {
  const rate = 48000;
  // A +3 dBTP sine at fs/4 (samples at 0 dBFS) between bursts of noise, starting at frame 0 and
  // running to the last frame (no taper), the hardest places for a look-ahead.
  const rand = random(11);
  const x = new Float32Array(rate).map((_, i) =>
    i < 2000 || i > rate - 2000 ? 1.41 * Math.sin((Math.PI / 2) * i + Math.PI / 4) : 0.3 * (rand() * 2 - 1),
  );
  const result = limitTruePeak([x], rate, { ceilingDbtp: -1 });
  assert.ok(result.truePeakDbtp <= -1, `${result.truePeakDbtp}`);
  assert.ok(toDb(truePeak(result.channels[0]!).peak) <= -1);
  assert.ok(result.maxReductionDb > 3.5, `${result.maxReductionDb}`);
  // The noise between, well under the ceiling, comes out as it went in once the gain has
  // recovered (an exponential recovery: after 0.45 s, within 0.2 % of unity).
  for (let i = rate / 2; i < rate / 2 + 100; i++)
    assert.ok(Math.abs(result.channels[0]![i]! - x[i]!) <= 0.002 * Math.abs(x[i]!) + 1e-9, `frame ${i}`);
});

test('the gain is smooth: no step bigger than the look-ahead ramp allows', () => {
  const rate = 44100;
  const x = taperedSine(rate, 1000, 1, 0, 1);
  for (let i = 20000; i < 20010; i++) x[i] = 1; // a click
  const result = limitTruePeak([x], rate, { ceilingDbtp: -3, lookaheadMs: 2 });
  const y = result.channels[0]!;
  const lookahead = Math.round(0.002 * rate);
  const minGain = 10 ** (-result.maxReductionDb / 20);
  const maxStep = (1 - minGain) / lookahead + 1e-4;
  let steps = 0;
  for (let i = 1; i < x.length; i++) {
    // The gain is only readable where the signal is well away from zero.
    if (Math.abs(x[i]!) < 0.2 || Math.abs(x[i - 1]!) < 0.2) continue;
    const g0 = y[i - 1]! / x[i - 1]!;
    const g1 = y[i]! / x[i]!;
    assert.ok(g1 > 0 && g1 <= 1 + 1e-6, `gain ${g1} at ${i}`);
    assert.ok(Math.abs(g1 - g0) <= maxStep, `gain steps by ${Math.abs(g1 - g0)} at ${i} (at most ${maxStep})`);
    steps++;
  }
  assert.ok(steps > 10000);
  assert.ok(result.truePeakDbtp <= -3);
  assert.ok(result.limitedShare > 0 && result.limitedShare < 1);
});

test('a quiet signal is left alone', () => {
  const x = taperedSine(48000, 440, 0.1, 0, 0.5);
  const result = limitTruePeak([x, x], 48000, { ceilingDbtp: -1 });
  assert.deepEqual(result.channels[0], x);
  assert.equal(result.maxReductionDb, 0);
  assert.equal(result.limitedShare, 0);
  assert.equal(result.passes, 1);
});

test('bad settings are refused', () => {
  const x = new Float32Array(10);
  assert.throws(() => limitTruePeak([x], 48000, { ceilingDbtp: 0.5 }), /ceiling 0.5 dBTP/);
  assert.throws(() => limitTruePeak([x], 48000, { ceilingDbtp: -1, releaseMs: 0 }), /positive/);
  assert.throws(() => limitTruePeak([], 48000, { ceilingDbtp: -1 }), /no channels/);
  assert.throws(() => limitTruePeak([x, new Float32Array(3)], 48000, { ceilingDbtp: -1 }), /differ in length/);
});

test('the gain curve never exceeds the gain any frame needs, and is 1 where nothing needs less', () => {
  const rand = random(21);
  for (const lookahead of [1, 2, 7, 64]) {
    for (const frames of [1, 5, 63, 64, 65, 1000]) {
      // Sparse peaks over a quiet floor, some at the very start and end.
      const envelope = new Float32Array(frames).map(() => (rand() < 0.05 ? 1 + 2 * rand() : 0.3 * rand()));
      envelope[0] = 2;
      envelope[frames - 1] = 1.5;
      const ceiling = 0.9;
      const gain = gainCurve(envelope, ceiling, lookahead, 0.999);
      for (let j = 0; j < frames; j++) {
        const need = envelope[j]! > ceiling ? ceiling / envelope[j]! : 1;
        assert.ok(gain[j]! <= need + 1e-6, `lookahead ${lookahead}, ${frames} frames: gain ${gain[j]} > ${need} at ${j}`);
        assert.ok(gain[j]! > 0 && gain[j]! <= 1);
      }
    }
  }
  const quiet = gainCurve(new Float32Array(100).fill(0.5), 0.9, 8, 0.99);
  assert.ok(quiet.every((g) => g === 1));
});
