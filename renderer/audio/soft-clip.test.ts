import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SOFT_CLIP_DEFAULTS, softClip, softClipCurve } from './soft-clip.ts';

test('identity below the knee, under the ceiling everywhere, odd and monotonic', () => {
  for (const x of [0, 0.1, -0.3, 0.69999]) assert.equal(softClip(x), x);
  for (const x of [0.8, 1, 2, 10, 1e9]) {
    assert.ok(softClip(x) <= SOFT_CLIP_DEFAULTS.ceiling && softClip(x) > 0.7, `${x} -> ${softClip(x)}`);
    assert.equal(softClip(-x), -softClip(x));
  }
  let prev = -Infinity;
  for (let x = -5; x <= 5; x += 0.001) {
    const y = softClip(x);
    assert.ok(y >= prev);
    prev = y;
  }
  // no kink at the knee: the slope just above it is still ~1
  const k = SOFT_CLIP_DEFAULTS.knee;
  assert.ok(Math.abs((softClip(k + 1e-6) - softClip(k)) / 1e-6 - 1) < 1e-3);
});

test('the wave-shaper curve spans ±range, stays below 1 and is linear around zero', () => {
  const curve = softClipCurve();
  assert.equal(curve.length, SOFT_CLIP_DEFAULTS.points);
  const mid = (curve.length - 1) / 2;
  assert.equal(curve[mid], 0);
  assert.ok(Math.max(...curve) < 1 && Math.min(...curve) > -1);
  // input 0.5 (well under the knee) sits at index mid + 0.5/range * mid and maps to itself
  const i = mid + (0.5 / SOFT_CLIP_DEFAULTS.range) * mid;
  assert.ok(Math.abs(curve[i]! - 0.5) < 1e-6);
});
