import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PAUSE_MS, ReplayClock, replayOffsets, stepAt } from './replay-timing.ts';

test('offsets keep the real gaps and cut long pauses to the maximum', () => {
  const t = 1_700_000_000_000;
  assert.deepEqual(replayOffsets([t, t + 100, t + 150, t + 600_000, t + 600_500]), [0, 100, 150, 150 + MAX_PAUSE_MS, 650 + MAX_PAUSE_MS]);
  assert.deepEqual(replayOffsets([]), []);
});

test('a clock that went back (another machine) is no pause, never a negative one', () => {
  assert.deepEqual(replayOffsets([1000, 900, 1200], 5000), [0, 0, 300]);
});

test('stepAt finds the last step at or before a position', () => {
  const offsets = [0, 0, 100, 250, 250, 400];
  assert.equal(stepAt(offsets, -5), 0);
  assert.equal(stepAt(offsets, 0), 1);
  assert.equal(stepAt(offsets, 99), 1);
  assert.equal(stepAt(offsets, 100), 2);
  assert.equal(stepAt(offsets, 260), 4);
  assert.equal(stepAt(offsets, 10_000), 5);
  assert.equal(stepAt([], 10), 0);
});

test('the clock walks the offsets at its speed and stops at the end', () => {
  const clock = new ReplayClock([0, 1000, 2000, 3000, 4000]);
  assert.equal(clock.step(0), 0);
  clock.play(0);
  assert.equal(clock.step(1500), 1);
  clock.setSpeed(4, 1500);
  assert.equal(clock.step(1500 + 250), 2, '1500 ms + 250 ms × 4');
  assert.equal(clock.step(1500 + 500), 3);
  assert.equal(clock.ended(1500 + 500), false);
  assert.equal(clock.step(1500 + 625), 4);
  assert.equal(clock.ended(1500 + 625), true);
  assert.equal(clock.step(100_000), 4);
});

test('16× plays a minute-long session in under four seconds', () => {
  const clock = new ReplayClock(replayOffsets(Array.from({ length: 61 }, (_, i) => i * 1000)));
  clock.setSpeed(16, 0);
  clock.play(0);
  assert.equal(clock.ended(60_000 / 16), true);
  assert.equal(clock.ended(60_000 / 16 - 100), false);
});

test('pause holds the position; play resumes there, or from the start once ended', () => {
  const clock = new ReplayClock([0, 100, 200]);
  clock.play(0);
  clock.pause(150);
  assert.equal(clock.step(10_000), 1);
  clock.play(10_000);
  assert.equal(clock.step(10_060), 2);
  clock.pause(20_000);
  assert.equal(clock.ended(20_000), true);
  clock.play(30_000);
  assert.equal(clock.step(30_000), 0, 'restarts from the top');
});

test('seekStep jumps, clamped to the steps; playing continues from there', () => {
  const clock = new ReplayClock([0, 100, 200, 300]);
  clock.seekStep(2, 0);
  assert.equal(clock.step(0), 2);
  clock.seekStep(99, 0);
  assert.equal(clock.step(0), 3);
  clock.seekStep(-3, 0);
  clock.play(0);
  assert.equal(clock.step(150), 1);
  clock.seekStep(2, 150);
  assert.equal(clock.step(250), 3);
});
