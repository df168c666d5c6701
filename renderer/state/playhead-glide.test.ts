import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glideTickAt, planGlide, WAIT_POLL_MS } from './playhead-glide.ts';

// 4/4 at 120 BPM: 1,920 ticks a bar, 960 ticks a second.
const BAR = 1920;

test('a playing position glides to the next bar line at its rate', () => {
  const g = planGlide({ songTick: 480, ticksPerSecond: 960, countIn: false }, BAR);
  assert.deepEqual(g, { fromTick: 480, toTick: 1920, ms: 1500, moving: true });
});

test('on the bar line itself it glides through the whole next bar', () => {
  const g = planGlide({ songTick: 3840, ticksPerSecond: 960, countIn: false }, BAR);
  assert.equal(g.toTick, 5760);
  assert.equal(g.ms, 2000);
});

test('a stop tick before the next bar line ends the glide there (an editor clip end); one behind is ignored', () => {
  assert.equal(planGlide({ songTick: 100, ticksPerSecond: 960, countIn: false }, BAR, 1000).toTick, 1000);
  assert.equal(planGlide({ songTick: 2000, ticksPerSecond: 960, countIn: false }, BAR, 1000).toTick, 3840);
});

test('waiting (count-in, before the start, stopped engine) does not move and looks again soon', () => {
  for (const p of [
    { songTick: -960, ticksPerSecond: 960, countIn: true },
    { songTick: 0, ticksPerSecond: 0, countIn: false },
  ]) {
    const g = planGlide(p, BAR);
    assert.equal(g.moving, false);
    assert.equal(g.fromTick, 0);
    assert.equal(g.toTick, 0);
    assert.equal(g.ms, WAIT_POLL_MS);
  }
});

test('where a glide has the playhead: linear over its time, held at both ends', () => {
  const g = planGlide({ songTick: 0, ticksPerSecond: 960, countIn: false }, BAR);
  assert.equal(glideTickAt(g, 1000, 1000), 0);
  assert.equal(glideTickAt(g, 1000, 2000), 960);
  assert.equal(glideTickAt(g, 1000, 5000), 1920);
  assert.equal(glideTickAt(g, 1000, 500), 0);
});
