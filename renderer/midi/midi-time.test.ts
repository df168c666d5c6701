import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perfAtAudio, perfAtServer, portTimestamp, SteadyClockPair, SteadyOffset } from './midi-time.ts';

test('an audio time maps to the performance time it is heard at', () => {
  const stamp = { contextTime: 10, performanceTime: 5000 };
  assert.equal(perfAtAudio(10, stamp), 5000);
  assert.equal(perfAtAudio(10.25, stamp), 5250);
  assert.equal(perfAtAudio(9.9, stamp), 4900);
});

test("a server time maps through the clock estimate, earlier by the peer's compensation", () => {
  // Server clock 2 s ahead of this machine's; timeOrigin 1000.
  const clock = { localAt: (s: number) => s - 2000, serverNow: (l: number) => l + 2000 };
  assert.equal(perfAtServer(10_000, { clock, timeOrigin: 1000, compensationMs: 0 }), 7000);
  assert.equal(perfAtServer(10_000, { clock, timeOrigin: 1000, compensationMs: 15 }), 6985);
});

test("a port's latency sends its messages that much earlier", () => {
  assert.equal(portTimestamp(5000, 12), 4988);
  assert.equal(portTimestamp(5000, -3), 5003);
});

test('the steadied clock pair: a passing jump of the stamp bends the mapping by a fraction of a ms; a lasting one is taken', () => {
  const pair = new SteadyClockPair();
  const at = (perf: number, offset: number) => pair.read({ contextTime: (perf - offset) / 1000, performanceTime: perf });
  const offsetOf = (s: { contextTime: number; performanceTime: number }) => s.performanceTime - s.contextTime * 1000;
  assert.equal(offsetOf(at(1000, 50)), 50);
  // Readings every 20 ms, one of them 30 ms off.
  assert.ok(Math.abs(offsetOf(at(1020, 80)) - 50) <= 0.1 + 1e-9);
  assert.ok(Math.abs(offsetOf(at(1040, 50)) - 50) <= 0.1 + 1e-9);
  // A slow drift (0.05 ms a second) is followed exactly.
  let perf = 1040;
  for (let i = 0; i < 100; i++) at((perf += 100), 50 + (perf - 1040) * 0.05e-3);
  assert.ok(Math.abs(offsetOf(at(perf, 50 + (perf - 1040) * 0.05e-3)) - (50 + 0.5)) < 0.01);
  // A device change: 200 ms off, three readings in a row.
  at(perf + 20, 250);
  at(perf + 40, 250);
  assert.ok(Math.abs(offsetOf(at(perf + 60, 250)) - 250) < 1e-9);
});

test('a steady offset follows a slow drift, bends little for a passing jump, snaps to a lasting one', () => {
  const steady = new SteadyOffset({ slewMsPerS: 1, snapMs: 50 });
  assert.equal(steady.read(100, 0), 100);
  // The estimate jumps 2 ms: each 20 ms tick moves 0.02 ms toward it.
  assert.ok(Math.abs(steady.read(102, 20) - 100.02) < 1e-9);
  assert.ok(Math.abs(steady.read(102, 40) - 100.04) < 1e-9);
  for (let t = 60; t <= 3000; t += 20) steady.read(102, t);
  assert.ok(Math.abs(steady.read(102, 3020) - 102) < 1e-9, 'reached within two seconds');
  steady.read(500, 3040);
  steady.read(500, 3060);
  assert.equal(steady.read(500, 3080), 500);
});
