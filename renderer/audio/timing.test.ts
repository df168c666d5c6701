import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_SWING_DELAY, barBeatTick, secondsToTicks, swingTick, ticksPerSecond, ticksToSeconds } from './timing.ts';

test('ticks and seconds at a tempo: a quarter at 120 BPM is half a second', () => {
  assert.equal(ticksPerSecond(120), 960);
  assert.equal(ticksToSeconds(480, 120), 0.5);
  assert.equal(ticksToSeconds(1920, 60), 4);
  assert.equal(secondsToTicks(1.5, 90), 1080);
});

test('full swing puts the off-beat 8th on the third triplet; half swing halfway there', () => {
  assert.equal(FULL_SWING_DELAY, 80);
  assert.equal(swingTick(240, 1, 1920), 320);
  assert.equal(swingTick(240, 0.5, 1920), 280);
  assert.equal(swingTick(240 + 480 * 3, 1, 1920), 320 + 480 * 3);
  // in the second bar too: pairs count from each bar's start
  assert.equal(swingTick(1920 + 240, 1, 1920), 1920 + 320);
});

test('swing leaves beats alone, warps 16ths in proportion, and is monotonic', () => {
  for (const beat of [0, 480, 960, 1920, 3840]) assert.equal(swingTick(beat, 1, 1920), beat);
  // first 16th of the pair stretches (120 -> 160), the last 16th shrinks toward the beat
  assert.equal(swingTick(120, 1, 1920), 160);
  assert.equal(swingTick(360, 1, 1920), 400);
  let prev = -1;
  for (let t = 0; t < 3840; t += 7) {
    const s = swingTick(t, 0.7, 1920);
    assert.ok(s > prev, `monotonic at ${t}`);
    prev = s;
  }
});

test('no swing is the identity; a pair cut by the bar line (7/8) stays straight', () => {
  assert.equal(swingTick(240, 0, 1920), 240);
  const barOf78 = 7 * 240;
  assert.equal(swingTick(240, 1, barOf78), 320);
  assert.equal(swingTick(6 * 240, 1, barOf78), 6 * 240);
  assert.equal(swingTick(6 * 240 + 100, 1, barOf78), 6 * 240 + 100);
});

test('bar, beat and tick of a position, in 4/4, 6/8 and a count-in before bar 0', () => {
  assert.deepEqual(barBeatTick(0, { numerator: 4, denominator: 4 }), { bar: 0, beat: 0, tick: 0 });
  assert.deepEqual(barBeatTick(1920 * 2 + 480 * 3 + 17, { numerator: 4, denominator: 4 }), { bar: 2, beat: 3, tick: 17 });
  assert.deepEqual(barBeatTick(1440 + 240 * 4 + 5, { numerator: 6, denominator: 8 }), { bar: 1, beat: 4, tick: 5 });
  assert.deepEqual(barBeatTick(-480, { numerator: 4, denominator: 4 }), { bar: -1, beat: 3, tick: 0 });
});
