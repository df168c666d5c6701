import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JAM_LEAD_MS, JAM_LIMITS, type TransportRequest, type TransportState } from './contract.ts';
import {
  applyTransportRequest,
  barMs,
  beatMs,
  checkRules,
  countInClicks,
  downbeatAfter,
  downbeats,
  initialTransport,
  JamValueError,
  nextBarLine,
  positionAt,
  EARLIER_MAX,
} from './timeline.ts';

const near = (actual: number, expected: number, what = '', tolerance = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} ≠ ${expected}`);

/** Playing from bar 0 at t = 1000 (ms), 120 bpm 4/4: bars of 2000 ms. */
function playing(extra: Partial<TransportState> = {}): TransportState {
  return applyTransportRequest(initialTransport({ ...extra }), { action: 'play' }, 1000 - JAM_LEAD_MS, 'ann');
}

test('bar and beat lengths: bpm counts quarter notes', () => {
  assert.equal(barMs({ bpm: 120, meter: { numerator: 4, denominator: 4 } }), 2000);
  assert.equal(barMs({ bpm: 120, meter: { numerator: 6, denominator: 8 } }), 1500);
  assert.equal(beatMs({ bpm: 120, meter: { numerator: 6, denominator: 8 } }), 250);
  assert.equal(barMs({ bpm: 60, meter: { numerator: 3, denominator: 4 } }), 3000);
  assert.equal(barMs({ bpm: 100, meter: { numerator: 2, denominator: 2 } }), 2400);
});

test('play from stopped starts JAM_LEAD_MS ahead, on a whole millisecond, at the loop start or bar 0', () => {
  const stopped = initialTransport();
  const s = applyTransportRequest(stopped, { action: 'play' }, 5000.4, 'ann');
  assert.equal(s.playing, true);
  assert.equal(s.anchorMs, Math.ceil(5000.4 + JAM_LEAD_MS));
  assert.equal(s.anchorBar, 0);
  assert.equal(s.revision, 1);
  assert.equal(s.changedBy, 'ann');
  const looped = applyTransportRequest(initialTransport({ loop: { startBar: 4, endBar: 8 } }), { action: 'play' }, 0, 'b');
  assert.equal(looped.anchorBar, 4);
  const from = applyTransportRequest(stopped, { action: 'play', fromBar: 9 }, 0, 'b');
  assert.equal(from.anchorBar, 9);
  // Before the start: still stopped; at it: bar 0 beat 0.
  assert.equal(positionAt(s, s.anchorMs - 1).playing, false);
  assert.deepEqual(positionAt(s, s.anchorMs), {
    bar: 0,
    beat: 0,
    fraction: 0,
    barFloat: 0,
    wraps: 0,
    playing: true,
    started: true,
    countIn: false,
  });
});

test("play from stopped at a player's own bar line (atMs): there, a whole bar on when it came too soon, ignored when too far", () => {
  const stopped = initialTransport();
  const now = 10_000;
  const at = (atMs: number) => applyTransportRequest(stopped, { action: 'play', fromBar: 3, atMs }, now, 'ann');
  assert.equal(at(now + 900.2).anchorMs, now + 901, "whole ms, the player's bar line");
  assert.equal(at(now + 900.2).anchorBar, 3);
  // Too soon (a slow request): the player's next bar lines are 2 s apart at 120 BPM in 4/4.
  const bar = barMs(stopped);
  assert.deepEqual(
    [at(now + JAM_LEAD_MS - 1).anchorMs, at(now + JAM_LEAD_MS - 1).anchorBar],
    [now + JAM_LEAD_MS - 1 + bar, 4],
    'a bar on, the bar with it',
  );
  assert.deepEqual(
    [at(now - bar - 10).anchorMs, at(now - bar - 10).anchorBar],
    [now - bar - 10 + 2 * bar, 5],
    'past: as many bars on as it takes',
  );
  assert.equal(at(now - JAM_LIMITS.maxPlayAheadMs - 1).anchorMs, now + JAM_LEAD_MS, 'too late: the lead');
  assert.equal(at(now + JAM_LIMITS.maxPlayAheadMs + JAM_LEAD_MS + 1).anchorMs, now + JAM_LEAD_MS, 'too far: the lead');
  // In a loop of bars 2..4 (from bar 3), a bar on wraps to the loop's start.
  const looped = applyTransportRequest(stopped, { action: 'loop', loop: { startBar: 2, endBar: 4 } }, now, 'ann');
  const wrapped = applyTransportRequest(looped, { action: 'play', fromBar: 3, atMs: now + 10 }, now, 'ann');
  assert.deepEqual([wrapped.anchorMs, wrapped.anchorBar], [now + 10 + bar, 2]);
  // With a count-in, or while playing, atMs is not used.
  const counted = applyTransportRequest(stopped, { action: 'play', countInBars: 1, atMs: now + 900 }, now, 'ann');
  assert.equal(counted.countIn?.startMs, now + JAM_LEAD_MS);
  const moving = applyTransportRequest(playing(), { action: 'play', fromBar: 2, atMs: 1000 + 2000 * 5 + 700 }, 1000 + 2000 * 5, 'ann');
  assert.equal((moving.anchorMs - 1000) % 2000, 0, 'a jump while playing still lands on a bar line');
});

test('positions: bar, beat and fraction at a server time', () => {
  const s = playing();
  const p = positionAt(s, 1000 + 2000 * 3 + 500 * 2 + 125);
  assert.equal(p.bar, 3);
  assert.equal(p.beat, 2);
  near(p.fraction, 0.25);
  near(p.barFloat, 3 + 1125 / 2000);
  const sixEight = applyTransportRequest(initialTransport({ meter: { numerator: 6, denominator: 8 } }), { action: 'play' }, 0, 'x');
  const q = positionAt(sixEight, sixEight.anchorMs + 1500 + 250 * 5 + 10);
  assert.equal(q.bar, 1);
  assert.equal(q.beat, 5);
  near(q.fraction, 0.04);
});

test('the loop wraps: bars run startBar..endBar-1 again and again', () => {
  const s = applyTransportRequest(initialTransport({ loop: { startBar: 2, endBar: 5 } }), { action: 'play', fromBar: 0 }, 0, 'x');
  const t0 = s.anchorMs;
  const bars = Array.from({ length: 12 }, (_, i) => positionAt(s, t0 + i * 2000 + 1).bar);
  assert.deepEqual(bars, [0, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2], 'plays into the loop from before it');
  assert.equal(positionAt(s, t0 + 11 * 2000 + 1).wraps, 3);
  const beats = downbeats(s, t0, 8).map((d) => d.bar);
  assert.deepEqual(beats, [0, 1, 2, 3, 4, 2, 3, 4]);
  // Starting past the loop's end plays on.
  const past = applyTransportRequest(initialTransport({ loop: { startBar: 2, endBar: 5 } }), { action: 'play', fromBar: 7 }, 0, 'x');
  assert.deepEqual(
    downbeats(past, 0, 3).map((d) => d.bar),
    [7, 8, 9],
  );
});

test('downbeats and the next bar line', () => {
  const s = playing();
  assert.deepEqual(
    downbeats(s, 0, 3).map((d) => [d.atMs, d.bar]),
    [
      [1000, 0],
      [3000, 1],
      [5000, 2],
    ],
  );
  assert.deepEqual(
    downbeats(s, 3000, 1).map((d) => d.atMs),
    [3000],
    'a downbeat exactly at fromMs counts',
  );
  assert.equal(downbeatAfter(s, 3001, 2)!.atMs, 9000);
  assert.equal(nextBarLine(s, 2000)!.atMs, 3000);
  assert.equal(nextBarLine(s, 2900)!.atMs, 5000, 'less than the lead before a bar line: the one after');
  assert.equal(nextBarLine(initialTransport(), 0), null, 'stopped: no bar line');
});

/** Every position sampled every 37 ms over a range, for continuity checks. */
function sample(state: TransportState, from: number, to: number) {
  const out: { t: number; barFloat: number }[] = [];
  for (let t = from; t < to; t += 37) out.push({ t, barFloat: positionAt(state, t).barFloat });
  return out;
}

test('tempo change lands on the next bar line ≥ lead ahead; positions before it are unchanged', () => {
  const s = playing();
  const now = 1000 + 2000 * 2 + 1900; // 100 ms before bar 3: less than the lead, so bar 4
  const t = applyTransportRequest(s, { action: 'tempo', bpm: 90 }, now, 'bo');
  assert.equal(t.anchorMs, 1000 + 2000 * 4);
  assert.equal(t.anchorBar, 4);
  assert.equal(t.bpm, 90);
  assert.equal(t.revision, s.revision + 1);
  // Every position before the change is what it was.
  for (const { t: at, barFloat } of sample(s, 0, t.anchorMs)) near(positionAt(t, at).barFloat, barFloat, `at ${at}`);
  // After it, bars last 60/90 × 4 s, continuing from bar 4 without a jump.
  const newBar = (4 * 60_000) / 90;
  near(positionAt(t, t.anchorMs).barFloat, 4);
  near(positionAt(t, t.anchorMs - 1e-3).barFloat, 4, 'continuous across the change', 1e-5);
  near(positionAt(t, t.anchorMs + newBar * 2.5).barFloat, 6.5, '', 1e-9);
  assert.deepEqual(
    downbeats(t, 3000, 4).map((d) => [d.atMs, d.bar, d.bpm]),
    [
      [3000, 1, 120],
      [5000, 2, 120],
      [7000, 3, 120],
      [9000, 4, 90],
    ],
  );
  near(downbeatAfter(t, 9001)!.atMs, 9000 + newBar);
});

test('tempo change mid-loop keeps the loop, and the bar it lands on', () => {
  const s = applyTransportRequest(initialTransport({ loop: { startBar: 0, endBar: 4 } }), { action: 'play' }, 0, 'x');
  const a = s.anchorMs;
  // Wrapped twice, in bar 2 (of 0..3), asked near the end of bar 2: lands on bar 3.
  const now = a + 2000 * (4 * 2 + 2) + 1000;
  const t = applyTransportRequest(s, { action: 'tempo', bpm: 150 }, now, 'x');
  assert.equal(t.anchorBar, 3);
  assert.equal(t.anchorMs, a + 2000 * 11);
  assert.deepEqual(
    downbeats(t, t.anchorMs, 6).map((d) => d.bar),
    [3, 0, 1, 2, 3, 0],
  );
  const bar150 = 1600;
  assert.deepEqual(
    downbeats(t, t.anchorMs, 3).map((d) => d.atMs - t.anchorMs),
    [0, bar150, 2 * bar150],
  );
  for (const { t: at, barFloat } of sample(s, now - 5000, t.anchorMs)) near(positionAt(t, at).barFloat, barFloat, `at ${at}`);
});

test('stop lands on the next bar line; play resumes at the loop start', () => {
  const s = playing({ loop: { startBar: 1, endBar: 3 } });
  const stop = applyTransportRequest(s, { action: 'stop' }, 1000 + 500, 'x');
  assert.equal(stop.playing, false);
  assert.equal(stop.anchorMs, 3000);
  assert.equal(stop.anchorBar, 1);
  assert.equal(positionAt(stop, 2999).playing, true, 'plays until the bar line');
  assert.equal(positionAt(stop, 3000).playing, false);
  assert.deepEqual(
    downbeats(stop, 0, 5).map((d) => d.atMs),
    [1000],
    'no downbeats after the stop',
  );
  assert.equal(applyTransportRequest(stop, { action: 'stop' }, 4000, 'x'), stop, 'stop while stopped changes nothing');
  const again = applyTransportRequest(stop, { action: 'play' }, 10_000, 'y');
  assert.equal(again.anchorBar, 1);
  assert.equal(again.anchorMs, 10_000 + JAM_LEAD_MS);
  assert.equal(applyTransportRequest(again, { action: 'play' }, 11_000, 'y'), again, 'play while playing changes nothing');
});

test('a change asked less than the lead before a pending start lands a bar later; more than the lead before, on it', () => {
  const stopped = initialTransport();
  const s = applyTransportRequest(stopped, { action: 'play' }, 0, 'x');
  // Peers already know the start at 150: the stop cannot undo it, so one bar sounds.
  const t = applyTransportRequest(s, { action: 'stop' }, 10, 'y');
  assert.equal(t.anchorMs, s.anchorMs + 2000);
  assert.deepEqual(
    downbeats(t, 0, 3).map((d) => d.atMs),
    [150],
  );
  // A start a bar ahead (a pending stop re-started): a tempo change well before it merges into it.
  const later = applyTransportRequest(t, { action: 'play', fromBar: 3 }, 20, 'z');
  assert.equal(later.anchorMs, t.anchorMs, 'the pending stop becomes a jump to bar 3');
  assert.equal(later.playing, true);
  const tempo = applyTransportRequest(later, { action: 'tempo', bpm: 60 }, 30, 'w');
  assert.equal(tempo.anchorMs, later.anchorMs);
  assert.equal(tempo.earlier!.length, later.earlier!.length);
  assert.deepEqual(
    downbeats(tempo, 0, 3).map((d) => [d.atMs, d.bar]),
    [
      [150, 0],
      [2150, 3],
      [6150, 4],
    ],
  );
});

test('changes asked in quick succession stack on the same bar line and keep earlier positions', () => {
  const s = playing();
  const a = applyTransportRequest(s, { action: 'tempo', bpm: 100 }, 2000, 'a');
  const b = applyTransportRequest(a, { action: 'meter', meter: { numerator: 3, denominator: 4 } }, 2010, 'b');
  assert.equal(b.anchorMs, a.anchorMs);
  assert.equal(b.bpm, 100);
  assert.deepEqual(b.meter, { numerator: 3, denominator: 4 });
  assert.equal(b.earlier!.length, a.earlier!.length, 'merged, not stacked');
  for (const { t, barFloat } of sample(s, 0, a.anchorMs)) near(positionAt(b, t).barFloat, barFloat, `at ${t}`);
  // A change after the first one sounded becomes a new segment; the old ones are still there.
  const c = applyTransportRequest(b, { action: 'tempo', bpm: 140 }, a.anchorMs + 10, 'c');
  assert.equal(c.anchorMs, a.anchorMs + barMs(b));
  assert.equal(c.earlier!.length, b.earlier!.length + 1);
  for (const { t, barFloat } of sample(b, 0, c.anchorMs)) near(positionAt(c, t).barFloat, barFloat, `at ${t}`);
  // Old segments are dropped after a while, and there are never more than EARLIER_MAX.
  let d = c;
  for (let i = 0; i < 20; i++) d = applyTransportRequest(d, { action: 'tempo', bpm: 100 + i }, d.anchorMs + 1, 'd');
  assert.ok(d.earlier!.length <= EARLIER_MAX);
  const much = applyTransportRequest(d, { action: 'tempo', bpm: 77 }, d.anchorMs + 120_000, 'e');
  assert.equal(much.earlier!.length, 1);
});

test('meter change: bar numbers continue, bars get the new length', () => {
  const s = playing();
  const t = applyTransportRequest(s, { action: 'meter', meter: { numerator: 7, denominator: 8 } }, 1000, 'x');
  assert.equal(t.anchorMs, 3000);
  assert.equal(t.anchorBar, 1);
  assert.deepEqual(
    downbeats(t, 3000, 3).map((d) => [d.atMs, d.bar]),
    [
      [3000, 1],
      [4750, 2],
      [6500, 3],
    ],
  );
  const p = positionAt(t, 4750 - 250 + 1);
  assert.equal(p.beat, 6);
});

test('loop change while playing: past the new end jumps to its start on the bar line', () => {
  const s = playing();
  const t = applyTransportRequest(s, { action: 'loop', loop: { startBar: 0, endBar: 2 } }, 1000 + 2000 * 5, 'x');
  assert.equal(t.anchorMs, 1000 + 2000 * 6);
  assert.equal(t.anchorBar, 0);
  assert.deepEqual(
    downbeats(t, t.anchorMs - 2000, 5).map((d) => d.bar),
    [5, 0, 1, 0, 1],
  );
  // Inside the new loop: stays put and wraps at its end.
  const u = applyTransportRequest(s, { action: 'loop', loop: { startBar: 0, endBar: 8 } }, 1000, 'x');
  assert.deepEqual(
    downbeats(u, u.anchorMs, 9).map((d) => d.bar),
    [1, 2, 3, 4, 5, 6, 7, 0, 1],
  );
  // Clearing the loop plays on.
  const v = applyTransportRequest(u, { action: 'loop', loop: null }, u.anchorMs + 2000 * 6 + 1, 'x');
  assert.deepEqual(
    downbeats(v, v.anchorMs, 3).map((d) => d.bar),
    [0, 1, 2],
  );
  // Stopped: applies at once and moves where play resumes.
  const st = applyTransportRequest(initialTransport(), { action: 'loop', loop: { startBar: 3, endBar: 6 } }, 50, 'x');
  assert.equal(st.anchorBar, 3);
  assert.equal(st.revision, 1);
  assert.equal(applyTransportRequest(st, { action: 'tempo', bpm: 99 }, 60, 'x').bpm, 99);
});

test('bad values are refused with a clear error', () => {
  const s = playing();
  const bad: [unknown, RegExp][] = [
    [{ action: 'tempo', bpm: 19.9 }, /bpm must be a number from 20 to 400/],
    [{ action: 'tempo', bpm: 401 }, /bpm/],
    [{ action: 'tempo', bpm: NaN }, /bpm/],
    [{ action: 'tempo', bpm: Infinity }, /bpm/],
    [{ action: 'tempo', bpm: '120' }, /bpm/],
    [{ action: 'play', fromBar: -1 }, /fromBar must be a whole number/],
    [{ action: 'play', fromBar: 1.5 }, /fromBar/],
    [{ action: 'play', atMs: 'soon' }, /atMs must be a server time/],
    [{ action: 'play', atMs: Infinity }, /atMs/],
    [{ action: 'loop', loop: { startBar: 4, endBar: 4 } }, /endBar must be after startBar/],
    [{ action: 'loop', loop: { startBar: 0 } }, /endBar/],
    [{ action: 'loop' }, /without a loop/],
    [{ action: 'loop', loop: [0, 4] }, /loop must be/],
    [{ action: 'meter', meter: { numerator: 0, denominator: 4 } }, /numerator must be a whole number from 1 to 32/],
    [{ action: 'meter', meter: { numerator: 33, denominator: 4 } }, /numerator/],
    [{ action: 'meter', meter: { numerator: 4, denominator: 3 } }, /denominator must be one of 1, 2, 4, 8, 16/],
    [{ action: 'meter' }, /meter must be/],
    [{ action: 'rewind' }, /unknown transport action/],
    [null, /must be an object/],
  ];
  for (const [request, message] of bad) {
    assert.throws(
      () => applyTransportRequest(s, request as TransportRequest, 0, 'x'),
      (err: Error) => err instanceof JamValueError && message.test(err.message),
      JSON.stringify(request),
    );
  }
  assert.equal(applyTransportRequest(s, { action: 'tempo', bpm: 20 }, 0, 'x').bpm, 20);
  assert.equal(applyTransportRequest(s, { action: 'meter', meter: { numerator: 32, denominator: 16 } }, 0, 'x').meter.numerator, 32);
  assert.deepEqual(checkRules({ transportLocked: true, students: 'live-only', spotlightTrackId: null }), {
    transportLocked: true,
    students: 'live-only',
    spotlightTrackId: null,
  });
  assert.throws(() => checkRules({ transportLocked: 1, students: 'edit', spotlightTrackId: null }), JamValueError);
  assert.throws(() => checkRules({ transportLocked: false, students: 'everything', spotlightTrackId: null }), JamValueError);
});

test('an hour of play: downbeats stay on the exact grid', () => {
  const s = playing();
  const hour = downbeatAfter(s, 1000 + 3_600_000)!;
  assert.equal(hour.atMs, 1000 + 3_600_000);
  assert.equal(hour.bar, 1800);
  const p = positionAt(s, 1000 + 3_600_000 + 0.5);
  assert.equal(p.bar, 1800);
  assert.equal(p.beat, 0);
});

test("count-in: n bars of clicks at the current tempo and meter, then bar fromBar's downbeat", () => {
  const s = applyTransportRequest(initialTransport(), { action: 'play', fromBar: 0, countInBars: 2 }, 5000.4, 'ann');
  assert.ok(s.countIn);
  assert.equal(s.countIn.bars, 2);
  assert.equal(s.countIn.beats, 4);
  assert.ok(s.countIn.startMs >= 5000.4 + JAM_LEAD_MS, 'the count-in starts at least the lead ahead');
  assert.ok(Number.isInteger(s.anchorMs), 'the first downbeat on a whole ms');
  near(s.anchorMs - s.countIn.startMs, 2 * 2000, 'two bars of 2000 ms');
  const clicks = countInClicks(s);
  assert.equal(clicks.length, 8);
  clicks.forEach((c, i) => {
    near(c.atMs, s.countIn!.startMs + i * 500, `click ${i}`);
    assert.equal(c.accent, i % 4 === 0);
    assert.equal(c.bar, i < 4 ? -2 : -1);
    assert.equal(c.beat, i % 4);
    assert.equal(c.startMs, s.anchorMs);
  });
  // The first real downbeat is one beat after the last click, one bar after the last accent.
  const first = downbeats(s, 0, 2);
  assert.deepEqual(
    first.map((d) => d.bar),
    [0, 1],
  );
  assert.equal(first[0]!.atMs, s.anchorMs);
  near(first[0]!.atMs - clicks[4]!.atMs, 2000, 'one bar after the last count-in downbeat');
  near(first[0]!.atMs - clicks[7]!.atMs, 500, 'one beat after the last click');
  // Positions: stopped before the count-in, count-in during it, the song from the anchor.
  assert.equal(positionAt(s, s.countIn.startMs - 1).playing, false);
  const during = positionAt(s, s.countIn.startMs + 2000 + 750);
  assert.equal(during.countIn, true);
  assert.equal(during.started, false);
  assert.equal(during.playing, true);
  assert.equal(during.bar, -1);
  assert.equal(during.beat, 1);
  near(during.fraction, 0.5);
  near(during.barFloat, -1 + 750 / 2000);
  assert.deepEqual(positionAt(s, s.anchorMs), {
    bar: 0,
    beat: 0,
    fraction: 0,
    barFloat: 0,
    wraps: 0,
    playing: true,
    started: true,
    countIn: false,
  });
  // 3/4 at 90 from bar 5: one bar of three clicks, 666.67 ms apart.
  const waltz = applyTransportRequest(
    initialTransport({ bpm: 90, meter: { numerator: 3, denominator: 4 } }),
    { action: 'play', fromBar: 5, countInBars: 1 },
    0,
    'b',
  );
  const w = countInClicks(waltz);
  assert.deepEqual(
    w.map((c) => [c.bar, c.beat, c.accent]),
    [
      [4, 0, true],
      [4, 1, false],
      [4, 2, false],
    ],
  );
  near(waltz.anchorMs - w[0]!.atMs, 2000, 'a 3/4 bar at 90');
  assert.equal(positionAt(waltz, w[1]!.atMs + 1).bar, 4);
  // countInBars 0: as without it.
  assert.equal(applyTransportRequest(initialTransport(), { action: 'play', countInBars: 0 }, 0, 'c').countIn, undefined);
});

test('count-in: every peer (the state as received, read from any moment) gets the same clicks and first downbeat', () => {
  const s = applyTransportRequest(initialTransport({ bpm: 133 }), { action: 'play', countInBars: 1 }, 12_345.678, 'ann');
  const received = [JSON.parse(JSON.stringify(s)) as TransportState, structuredClone(s), s];
  const all = countInClicks(s).map((c) => c.atMs);
  for (const peer of received) {
    // A peer reads from when the state reached it (a few ms apart), or joins late, mid count-in.
    for (const from of [12_350, 12_400, all[2]! - 0.5]) {
      const clicks = countInClicks(peer, from).map((c) => c.atMs);
      assert.deepEqual(
        clicks,
        all.filter((t) => t >= from),
      );
      assert.equal(downbeatAfter(peer, from)!.atMs, s.anchorMs);
    }
  }
  // The grid: the count-in's downbeat, one bar of 133 bpm, the song's downbeat.
  near(s.anchorMs - all[0]!, barMs(s), 'count-in bar');
  near(downbeatAfter(s, s.anchorMs + 1)!.atMs - s.anchorMs, barMs(s), 'first song bar');
});

test('count-in: changes during it land on the first downbeat; stop cuts it; ignored while playing', () => {
  const s = applyTransportRequest(initialTransport(), { action: 'play', countInBars: 2 }, 0, 'ann');
  const startMs = s.countIn!.startMs;
  const clicks = countInClicks(s);
  // A tempo change asked during the count-in lands on the song's start; the clicks stay.
  const faster = applyTransportRequest(s, { action: 'tempo', bpm: 150 }, startMs + 100, 'bob');
  assert.equal(faster.anchorMs, s.anchorMs);
  assert.deepEqual(countInClicks(faster), clicks);
  near(downbeatAfter(faster, s.anchorMs + 1)!.atMs - s.anchorMs, 1600, 'the song at 150');
  // A change landing later keeps the count-in in the earlier segments.
  const later = applyTransportRequest(s, { action: 'tempo', bpm: 100 }, s.anchorMs + 100, 'bob');
  assert.equal(later.countIn, undefined);
  assert.deepEqual(countInClicks(later), clicks);
  assert.equal(positionAt(later, startMs + 10).countIn, true);
  // Stop during the count-in: cut the lead ahead; no more clicks, no downbeat.
  const asked = startMs + 1100;
  const stopped = applyTransportRequest(s, { action: 'stop' }, asked, 'bob');
  assert.equal(stopped.playing, false);
  assert.equal(stopped.anchorMs, Math.ceil(asked + JAM_LEAD_MS));
  assert.deepEqual(
    countInClicks(stopped),
    clicks.filter((c) => c.atMs < stopped.anchorMs),
  );
  assert.equal(countInClicks(stopped).length, 3);
  assert.deepEqual(downbeats(stopped, 0, 4), []);
  assert.equal(positionAt(stopped, startMs + 600).countIn, true);
  assert.equal(positionAt(stopped, stopped.anchorMs).playing, false);
  assert.equal(positionAt(stopped, s.anchorMs + 10).playing, false);
  // While playing: a jump with countInBars lands on the next bar line, no count-in.
  const p = playing();
  const jump = applyTransportRequest(p, { action: 'play', fromBar: 3, countInBars: 2 }, 1000 + 2000 * 2 + 10, 'bob');
  assert.equal(jump.anchorMs, 1000 + 2000 * 3);
  assert.equal(jump.anchorBar, 3);
  assert.equal(jump.countIn, undefined);
  assert.deepEqual(countInClicks(jump), []);
});

test('count-in: countInBars must be a whole number from 0 to 4', () => {
  for (const bad of [-1, 5, 1.5, '2', null, Number.NaN]) {
    assert.throws(
      () => applyTransportRequest(initialTransport(), { action: 'play', countInBars: bad } as unknown as TransportRequest, 0, 'x'),
      JamValueError,
      String(bad),
    );
  }
  for (const ok of [0, 1, 4]) applyTransportRequest(initialTransport(), { action: 'play', countInBars: ok }, 0, 'x');
});
