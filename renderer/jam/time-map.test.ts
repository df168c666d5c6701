import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportState } from '../../core/jam/contract.ts';
import { audioAt, barAt, driftCorrection, followCommand, joinRequest, phaseErrorMs, serverAt, type ClockMap } from './time-map.ts';

const near = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

/** A clock 5 s behind the server's; audio time 10 s is heard at performance.now() 2000 ms. */
function map(offsetMs = 5000, compensationMs = 0, drift = 0): ClockMap {
  return {
    clock: {
      serverNow: (local) => local + offsetMs + drift * local,
      localAt: (server) => (server - offsetMs) / (1 + drift),
    },
    stamp: { contextTime: 10, performanceTime: 2000 },
    timeOrigin: 1_000_000,
    compensationMs,
  };
}

const state = (patch: Partial<TransportState> = {}): TransportState => ({
  playing: true,
  bpm: 120,
  meter: { numerator: 4, denominator: 4 },
  loop: { startBar: 0, endBar: 4 },
  anchorMs: 1_010_000,
  anchorBar: 0,
  revision: 1,
  changedBy: 'ann',
  ...patch,
});

test('server time maps to the audio time that is heard then, and back', () => {
  const m = map();
  // Server 1_007_500 = local 1_002_500 = performance 2500 = 0.5 s after the stamp.
  near(audioAt(1_007_500, m), 10.5);
  near(serverAt(10.5, m), 1_007_500);
  // Compensation: 20 ms earlier.
  near(audioAt(1_007_500, map(5000, 20)), 10.48);
  near(serverAt(10.48, map(5000, 20)), 1_007_500);
});

test('two peers with different offsets and audio clocks schedule the same server downbeat', () => {
  const a = map(5000);
  const b: ClockMap = { ...map(-3000), stamp: { contextTime: 0.25, performanceTime: 700 } };
  const s = state({ anchorMs: 1_010_000 });
  const ca = followCommand(s, a, 9);
  const cb = followCommand(s, b, 0);
  assert.equal(ca.kind, 'play');
  if (ca.kind !== 'play' || cb.kind !== 'play') return;
  near(serverAt(ca.at.time, a), 1_010_000);
  near(serverAt(cb.at.time, b), 1_010_000);
  assert.equal(ca.at.tick, 0);
  assert.deepEqual(ca.at.loop, { start: 0, end: 4 * 1920 });
});

test('a late joiner starts where the shared timeline is, loop wrap included', () => {
  const m = map();
  // Anchor long past: 9 bars of 2 s after bar 0 in a 4-bar loop → bar 1.
  const s = state({ anchorMs: 1_000_000 - 18_000 });
  const c = followCommand(s, m, 10); // audio 10 = server 1_007_000
  assert.equal(c.kind, 'play');
  if (c.kind !== 'play') return;
  near(c.at.time, 10.1);
  // server 1_007_100: 25 s + 100 ms after the anchor = 12.55 bars → bar 0.55 of the loop.
  near(c.at.tick / 1920, 0.55);
  near(barAt(s, 1_007_100), 0.55);
});

test('stopped: stop at the anchor, the playhead rests at its bar', () => {
  const c = followCommand(state({ playing: false, anchorBar: 2 }), map(), 9);
  assert.equal(c.kind, 'play');
  if (c.kind !== 'play') return;
  assert.equal(c.at.stop, true);
  assert.equal(c.at.tick, 3840);
});

test('drift: a bar line scheduled late by 4 ms is pulled back onto the shared timeline', () => {
  const m = map();
  const s = state();
  // Bar 1 belongs at server 1_012_000 = audio 15.0; the engine has it at 15.004.
  near(phaseErrorMs(s, m, { tick: 1920, time: 15.004 }), 4, 1e-6);
  const fix = driftCorrection(s, m, { tick: 1920, time: 15.004 })!;
  near(fix.time, 15.0);
  assert.equal(fix.tick, 1920);
  assert.equal(driftCorrection(s, m, { tick: 1920, time: 15.001 }), null);
  // At the loop's end the engine wraps: bar 4 is bar 0 again.
  near(phaseErrorMs(s, m, { tick: 4 * 1920, time: 10 + 5 + 6 - 0.002 }), -2, 1e-6);
  assert.equal(driftCorrection(s, m, { tick: 4 * 1920, time: 21.002 })!.tick, 0);
});

test('a state with a count-in: the follow command carries it, in audio time; a late peer clicks the bars left', () => {
  const m = map();
  // Two count-in bars of 2 s before the start at server 1_010_000 (audio 13 s on this map).
  const s = state({ countIn: { bars: 2, startMs: 1_006_000, beats: 4 } });
  const c = followCommand(s, m, 8);
  assert.equal(c.kind, 'play');
  if (c.kind !== 'play') return;
  near(c.at.time, 13);
  assert.deepEqual(c.at.countIn && { bars: c.at.countIn.bars, time: Math.round(c.at.countIn.time * 1e6) / 1e6 }, { bars: 2, time: 9 });
  // Heard of it 1.5 s into the count-in: the last whole bar still ahead.
  const late = followCommand(s, m, 10.5);
  assert.ok(late.kind === 'play' && late.at.countIn);
  if (late.kind !== 'play') return;
  assert.equal(late.at.countIn!.bars, 1);
  near(late.at.countIn!.time, 11);
  near(late.at.time, 13);
  // Past the count-in: none.
  const past = followCommand(s, m, 12.5);
  assert.ok(past.kind === 'play' && !past.at.countIn);
});

test('a player already playing asks the room to start on their own next bar line, far enough ahead, wrapped into the loop', () => {
  const m = map();
  // The engine's next bar line: bar 3 at audio 10.5 s (server 1_007_500); 2 s bars.
  near(joinRequest({ tick: 3 * 1920, time: 10.5 }, 1920, 2, 10.0, 0.4, null, m).atMs, 1_007_500);
  assert.equal(joinRequest({ tick: 3 * 1920, time: 10.5 }, 1920, 2, 10.0, 0.4, null, m).fromBar, 3);
  // Too close (0.3 s < 0.4 s): the bar line after it.
  const later = joinRequest({ tick: 3 * 1920, time: 10.5 }, 1920, 2, 10.2, 0.4, null, m);
  assert.equal(later.fromBar, 4);
  near(later.atMs, 1_009_500);
  // Bar 4 of a loop 0–4 is bar 0 again.
  assert.equal(joinRequest({ tick: 3 * 1920, time: 10.5 }, 1920, 2, 10.3, 0.4, { startBar: 0, endBar: 4 }, m).fromBar, 0);
});
