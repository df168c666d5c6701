import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClockTempo } from './clock-tempo.ts';

/** A seeded generator (mulberry32): the same jitter on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pulse arrival times at `bpm` from `from` ms, each off by up to ±jitter ms (uniform). */
function pulses(bpm: number, count: number, jitterMs: number, seed: number, from = 0): number[] {
  const r = random(seed);
  const period = 60_000 / bpm / 24;
  return Array.from({ length: count }, (_, i) => from + i * period + (r() * 2 - 1) * jitterMs);
}

test('within 0.5 BPM after two beats of jittered pulses (±2 ms), at several tempos and seeds', () => {
  for (const bpm of [72, 98.5, 120, 133.3, 174]) {
    for (let seed = 1; seed <= 20; seed++) {
      const tempo = new ClockTempo();
      const times = pulses(bpm, 48, 2, seed);
      for (const t of times.slice(0, 47)) tempo.pulse(t);
      assert.equal(tempo.bpm, null, 'no answer before two beats');
      tempo.pulse(times[47]!);
      const error = Math.abs(tempo.bpm! - bpm);
      assert.ok(error < 0.5, `${bpm} BPM, seed ${seed}: estimated ${tempo.bpm} (off ${error.toFixed(3)})`);
    }
  }
});

test('steady: over a minute of jittered pulses the estimate stays within 0.1 BPM once eight beats are in', () => {
  const tempo = new ClockTempo();
  const times = pulses(120, 24 * 120, 2, 7);
  let worst = 0;
  times.forEach((t, i) => {
    tempo.pulse(t);
    if (i >= 24 * 8) worst = Math.max(worst, Math.abs(tempo.bpm! - 120));
  });
  assert.ok(worst < 0.1, `worst ${worst}`);
});

test('a tempo change is followed: within 0.5 BPM two beats after it', () => {
  const tempo = new ClockTempo();
  const first = pulses(120, 24 * 8, 1, 3);
  for (const t of first) tempo.pulse(t);
  const second = pulses(100, 24 * 3, 1, 4, first.at(-1)! + 25);
  for (const t of second) tempo.pulse(t);
  assert.ok(Math.abs(tempo.bpm! - 100) < 0.5, `after the change: ${tempo.bpm}`);
});

test('a gap (the clock stopped) starts over', () => {
  const tempo = new ClockTempo();
  for (const t of pulses(120, 60, 0, 1)) tempo.pulse(t);
  assert.ok(tempo.bpm !== null);
  tempo.pulse(10_000);
  assert.equal(tempo.bpm, null);
});
