import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelStats, correlation } from './signal-stats.ts';
import { random } from './signals.ts';

test('clipped samples and flat-topped runs are counted apart', () => {
  const x = new Float32Array([0, 1, 0.5, -1, -1, -1.2, 0, 1, 1, 0.3, 0.99]);
  const s = channelStats(x);
  assert.equal(s.clippedSamples, 6);
  assert.equal(s.clipRuns, 2); // -1 -1 -1.2 and 1 1; the lone 1 is not a run
  assert.equal(s.longestClipRun, 3);
  assert.ok(Math.abs(s.samplePeak - 1.2) < 1e-6);
  // A run at the very end counts too.
  assert.equal(channelStats(new Float32Array([0, 1, 1])).clipRuns, 1);
  assert.deepEqual(channelStats(new Float32Array(0)), { samplePeak: 0, clippedSamples: 0, clipRuns: 0, longestClipRun: 0, dcOffset: 0 });
});

test('DC offset is the mean sample value', () => {
  const x = new Float32Array(48000).map((_, i) => 0.02 + 0.5 * Math.sin((2 * Math.PI * 100 * i) / 48000));
  assert.ok(Math.abs(channelStats(x).dcOffset - 0.02) < 1e-4);
});

test('correlation: +1 for mono, -1 for a polarity flip, near 0 for unrelated noise', () => {
  const rand = random(3);
  const a = new Float32Array(48000).map(() => rand() * 2 - 1);
  const b = new Float32Array(48000).map(() => rand() * 2 - 1);
  assert.ok(Math.abs(correlation(a, a) - 1) < 1e-9);
  assert.ok(
    Math.abs(
      correlation(
        a,
        a.map((v) => -v),
      ) + 1,
    ) < 1e-9,
  );
  assert.ok(Math.abs(correlation(a, b)) < 0.03);
  assert.ok(Number.isNaN(correlation(a, new Float32Array(48000))));
  assert.throws(() => correlation(a, b.subarray(1)), /differ in length/);
});
