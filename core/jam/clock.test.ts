import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random.ts';
import { ClockEstimator, type ClockEstimatorOptions } from './clock.ts';

/**
 * A simulated peer: true time τ is the server's clock; the local clock reads
 * a + (1 + rate)·τ, so the true offset (server − local) drifts at −rate. Delays are drawn per trip.
 */
interface Sim {
  estimator: ClockEstimator;
  local(τ: number): number;
  ping(τ: number): void;
  /** Error of the estimate of the server's clock at true time τ (ms). */
  error(τ: number): number;
}

function simulate(opts: {
  seed: number;
  a: number;
  ratePpm?: number;
  up: (r: () => number) => number;
  down: (r: () => number) => number;
  estimator?: ClockEstimatorOptions;
}): Sim {
  const random = seededRandom(opts.seed);
  const rate = (opts.ratePpm ?? 0) / 1e6;
  const state = { a: opts.a };
  const estimator = new ClockEstimator(opts.estimator);
  const local = (τ: number) => state.a + (1 + rate) * τ;
  return {
    estimator,
    local,
    ping(τ) {
      const t0 = local(τ);
      const t1 = τ + opts.up(random);
      const t2 = t1 + 0.05;
      const t3 = local(t2 + opts.down(random));
      estimator.add({ t0, t1, t2, t3 });
    },
    error(τ) {
      return estimator.serverNow(local(τ)) - τ;
    },
  };
}

function p95(values: number[]): number {
  const sorted = values.map(Math.abs).sort((x, y) => x - y);
  return sorted[Math.ceil(0.95 * sorted.length) - 1]!;
}

const uniform = (center: number, half: number) => (r: () => number) => Math.max(0, center - half + 2 * half * r());
const spiky = (base: (r: () => number) => number, p: number, spike: number) => (r: () => number) => base(r) + (r() < p ? spike : 0);

/**
 * As the jam client does: a burst of 8 pings 50 ms apart, then one every `every` ms from τ = start
 * to end (true time); the error is sampled between pings once `warmup` has passed.
 */
function run(sim: Sim, start: number, end: number, every: number, warmup = 0): number[] {
  const errors: number[] = [];
  for (let i = 0; i < 8; i++) sim.ping(start + i * 50);
  for (let τ = start + 400 + every; τ < end; τ += every) {
    sim.ping(τ);
    if (τ - start >= warmup) errors.push(sim.error(τ + every / 2));
  }
  return errors;
}

test('symmetric jitter: the offset is found within a fraction of a millisecond', () => {
  const sim = simulate({ seed: 1, a: 1234.5, up: uniform(2, 1.5), down: uniform(2, 1.5) });
  const errors = run(sim, 0, 120_000, 1000);
  assert.ok(sim.estimator.ready);
  assert.ok(p95(errors) < 1, `p95 ${p95(errors)}`);
  assert.ok(Math.abs(sim.estimator.offsetMs + 1234.5) < 0.5);
  assert.ok(sim.estimator.rttMs > 2 && sim.estimator.rttMs < 6, `rtt ${sim.estimator.rttMs}`);
});

test('asymmetric delays (up 5±3, down 1±1 ms) with 40 ms spikes: p95 error under 2 ms', () => {
  for (const seed of [2, 3, 4]) {
    const sim = simulate({ seed, a: -98765.25, ratePpm: 50, up: spiky(uniform(5, 3), 0.05, 40), down: spiky(uniform(1, 1), 0.05, 40) });
    const errors = run(sim, 0, 300_000, 1500, 2_000);
    assert.ok(p95(errors) < 2, `seed ${seed}: p95 ${p95(errors)}`);
  }
});

test('drift: a clock 50 ppm fast stays in phase for an hour, and between pings', () => {
  const sim = simulate({ seed: 5, a: 5000, ratePpm: 50, up: uniform(1.5, 1), down: uniform(1.5, 1) });
  const errors = run(sim, 0, 3_600_000, 1500, 30_000);
  assert.ok(p95(errors) < 0.5, `p95 over an hour ${p95(errors)}`);
  // The offset (server − local) falls by 50 µs per second of local time.
  assert.ok(Math.abs(sim.estimator.driftPpm + 50) < 5, `drift ${sim.estimator.driftPpm} ppm`);
  // A minute without pings: the fitted drift carries the estimate (3 ms off without it).
  assert.ok(Math.abs(sim.error(3_660_000)) < 0.5, `error after a minute without pings: ${sim.error(3_660_000)}`);
  // localAt inverts serverNow.
  const l = sim.local(3_700_000);
  assert.ok(Math.abs(sim.estimator.localAt(sim.estimator.serverNow(l)) - l) < 1e-6);
});

test('outliers: one sample in five delayed by 100 ms one way does not move the estimate', () => {
  const sim = simulate({ seed: 6, a: 0, up: spiky(uniform(1, 0.5), 0.2, 100), down: spiky(uniform(1, 0.5), 0.2, 100) });
  const errors = run(sim, 0, 200_000, 1000, 5000);
  assert.ok(p95(errors) < 0.5, `p95 ${p95(errors)}`);
});

test('a step in the clock (reconnect to a restarted host) restarts the window', () => {
  const sim = simulate({ seed: 7, a: 100, up: uniform(1, 0.5), down: uniform(1, 0.5) });
  run(sim, 0, 60_000, 1000);
  assert.ok(Math.abs(sim.error(60_000)) < 0.5);
  // The host's clock jumps by 20 s (a new process): after stepSamples inconsistent samples the
  // estimator starts over from them.
  const jumped = simulate({ seed: 8, a: 100 - 20_000, up: uniform(1, 0.5), down: uniform(1, 0.5) });
  const est = sim.estimator;
  const ping = (τ: number) => {
    const t0 = sim.local(τ);
    const t1 = τ - 20_000 + 1;
    const t3 = sim.local(τ + 2);
    est.add({ t0, t1, t2: t1 + 0.05, t3 });
  };
  ping(61_000);
  ping(62_000);
  assert.ok(Math.abs(est.serverNow(sim.local(62_500)) - 62_500) < 1, 'two odd samples are not yet a step');
  ping(63_000);
  assert.equal(est.steps, 1);
  assert.ok(Math.abs(est.serverNow(sim.local(63_500)) - (63_500 - 20_000)) < 1);
  assert.equal(est.samples, 3);
  assert.equal(est.ready, false, 'not ready again until the window refills');
  void jumped;

  // After flagStep (the client reconnected), one inconsistent sample is enough.
  est.flagStep();
  const t0 = sim.local(70_000);
  est.add({ t0, t1: 70_000 + 5000 + 1, t2: 70_000 + 5000 + 1.05, t3: sim.local(70_002) });
  assert.equal(est.steps, 2);
  assert.ok(Math.abs(est.serverNow(sim.local(70_001)) - 75_001) < 1);
  // A flag followed by a consistent sample changes nothing.
  est.flagStep();
  est.add({ t0: sim.local(71_000), t1: 76_001, t2: 76_001.05, t3: sim.local(71_002) });
  assert.equal(est.steps, 2);
  assert.equal(est.samples, 2);
});

test('impossible samples are ignored', () => {
  const est = new ClockEstimator();
  assert.equal(est.add({ t0: 10, t1: 5, t2: 6, t3: 9 }), false, 't3 before t0');
  assert.equal(est.add({ t0: 0, t1: 5, t2: 4, t3: 9 }), false, 't2 before t1');
  assert.equal(est.add({ t0: 0, t1: 5, t2: 10, t3: 3 }), false, 'negative round trip');
  assert.equal(est.add({ t0: 0, t1: NaN, t2: 1, t3: 3 }), false);
  assert.equal(est.samples, 0);
  assert.equal(est.ready, false);
  assert.equal(est.serverNow(100), 100, 'no samples: the local clock');
  assert.equal(est.add({ t0: 0, t1: 101, t2: 101, t3: 2 }), true);
  assert.equal(est.offsetMs, 100);
  assert.equal(est.rttMs, 2);
});

/** Pings every `every` ms from τ = 0 (after the burst); the errors and the estimate's moves per new sample from `from` to `to`. */
function steadyRun(sim: Sim, every: number, from: number, to: number): { errors: number[]; moves: number[] } {
  const errors: number[] = [];
  const moves: number[] = [];
  for (let i = 0; i < 8; i++) sim.ping(i * 50);
  for (let τ = 400; τ < to; τ += every) {
    const before = sim.error(τ + 10);
    sim.ping(τ);
    if (τ < from) continue;
    moves.push(Math.abs(sim.error(τ + 10) - before));
    for (let t = τ + 10; t < τ + every; t += 50) errors.push(sim.error(t));
  }
  return { errors, moves };
}

const percentile = (values: number[], p: number) => {
  const sorted = values.map(Math.abs).sort((x, y) => x - y);
  return sorted[Math.ceil(p * sorted.length) - 1]!;
};

test('one-sided jitter: the steady direction gives the drift, the lowest round trips the offset', () => {
  // The way up queues (5±3 ms), the way down hardly varies (1±0.1 ms); the clock runs 100 ppm fast.
  // The offset cannot be better than half the least delays' difference, (2 − 0.9) / 2 = 0.55 ms.
  for (const seed of [11, 12, 13]) {
    const sim = simulate({ seed, a: 4321, ratePpm: 100, up: uniform(5, 3), down: uniform(1, 0.1) });
    const { errors, moves } = steadyRun(sim, 250, 10_000, 25_000);
    assert.ok(Math.abs(sim.estimator.driftPpm + 100) < 10, `seed ${seed}: drift ${sim.estimator.driftPpm} ppm`);
    assert.ok(percentile(errors, 0.99) < 0.8, `seed ${seed}: p99 ${percentile(errors, 0.99)} ms`);
    assert.ok(percentile(moves, 0.95) < 0.1, `seed ${seed}: a new sample moves the estimate by ${percentile(moves, 0.95)} ms (p95)`);
  }
});

test("bench:jam's network (up 5±3, down 1±1 ms, spikes): near its floor, and steady", () => {
  // The floor: half the least delays' difference, (2 − 0) / 2 = 1 ms; a few samples near both
  // least delays at once land under it, slower ones above.
  const p99s: number[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const sim = simulate({ seed, a: 4321, ratePpm: -80, up: spiky(uniform(5, 3), 0.03, 40), down: spiky(uniform(1, 1), 0.03, 40) });
    const { errors, moves } = steadyRun(sim, 250, 10_000, 25_000);
    p99s.push(percentile(errors, 0.99));
    assert.ok(percentile(errors, 0.99) < 1.7, `seed ${seed}: p99 ${percentile(errors, 0.99)} ms`);
    assert.ok(percentile(moves, 0.95) < 0.2, `seed ${seed}: a new sample moves the estimate by ${percentile(moves, 0.95)} ms (p95)`);
  }
  // The previous estimate (the best quartile's median, the drift from the round trips' midpoints): 1.87 ms.
  assert.ok(percentile(p99s, 0.5) < 1.4, `median of the seeds' p99 ${percentile(p99s, 0.5)} ms`);
});
