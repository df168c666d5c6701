import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Song } from '../../core/song/types.ts';
import { bandSong, clip, denseSong, song, track } from './fixtures.ts';
import { Scheduler, type ScheduledEvent } from './scheduler.ts';
import { compileSong } from './song-events.ts';

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

/** A scheduler over `s` driven by a fake clock in `step`-second ticks, as the context ticker would. */
function rig(s: Song, options: { lookAhead?: number } = {}) {
  const events: ScheduledEvent[] = [];
  let now = 0;
  const scheduler = new Scheduler((e) => events.push(e), { lookAhead: options.lookAhead ?? 0.15 });
  scheduler.setSong(compileSong(s));
  const runUntil = (t: number, step = 0.05) => {
    for (; now < t - 1e-9; now += step) scheduler.advance(now);
  };
  return {
    events,
    scheduler,
    runUntil,
    now: () => now,
    notes: () => events.filter((e) => e.kind === 'note') as Extract<ScheduledEvent, { kind: 'note' }>[],
  };
}

// 120 BPM: 960 ticks/s, a 4/4 bar is 2 s.
const oneKick = (bars = 1) => song([track('d', 'drums')], [clip('c', 'd', 0, bars, [[36, 0, 240]])]);

test('each note is emitted once, at start + tick / (ticks per second), a window at a time', () => {
  const r = rig(bandSong(), { lookAhead: 0.15 });
  r.scheduler.loop = false;
  r.scheduler.start({ time: 0.1, tick: 0 });
  for (let now = 0; now < 5; now += 0.05) {
    r.scheduler.advance(now);
    // Nothing is committed further ahead than the look-ahead: a window at a time, never all at once.
    for (const e of r.events) assert.ok(e.time < now + 0.15 + 1e-9 || e.kind === 'end', `${e.kind} at ${e.time} committed at ${now}`);
  }
  const expected = compileSong(bandSong())
    .tracks.flatMap((t) => t.notes.map((n) => `${t.id}:${n.pitch}@${n.tick}`))
    .sort();
  assert.deepEqual(
    r
      .notes()
      .map((n) => `${n.trackId}:${n.pitch}@${n.tick}`)
      .sort(),
    expected,
  );
  for (const n of r.notes()) near(n.time, 0.1 + n.tick / 960);
  const end = r.events.at(-1)!;
  assert.equal(end.kind, 'end');
  near(end.time, 0.1 + 4);
  assert.ok(r.scheduler.endedAt);
});

test('looping: the cursor wraps at the loop end, notes are cut there, and the loop repeats forever', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 4, [
        [60, 0, 480],
        [62, 1920, 480],
        [64, 3840 - 240, 960],
        [65, 3840, 480],
      ]),
    ],
    { loop: { startBar: 1, endBar: 2 } },
  );
  const r = rig(s);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(8.5);
  // Bar 0 once, then bar 1 again and again (every 2 s from t = 2).
  assert.deepEqual(
    r.notes().map((n) => [n.pitch, Math.round(n.time * 1000) / 1000]),
    [
      [60, 0],
      [62, 2],
      [64, 3.75],
      [62, 4],
      [64, 5.75],
      [62, 6],
      [64, 7.75],
      [62, 8],
    ],
  );
  // The note hanging over the loop end is cut at it: 240 ticks, not 960.
  near(r.notes()[2]!.duration, 0.25);
  const loops = r.events.filter((e) => e.kind === 'loop');
  assert.deepEqual(
    loops.map((e) => e.time),
    [4, 6, 8],
  );
  assert.deepEqual(loops.map((e) => e.kind === 'loop' && [e.from, e.to])[0], [3840, 1920]);
  assert.equal(
    r.events.some((e) => e.kind === 'end'),
    false,
  );
});

test('the playhead follows time, wraps back to the loop start, and waits at the start before it', () => {
  const r = rig(song([track('k', 'keys')], [clip('c', 'k', 0, 2, [])]));
  r.scheduler.start({ time: 1, tick: 0 });
  const samples: number[] = [];
  for (let i = 0; i < 180; i++) {
    const now = i * 0.05;
    r.scheduler.advance(now);
    samples.push(r.scheduler.playheadAt(now)!.tick);
  }
  assert.equal(samples[0], 0);
  near(samples[40]!, 960, 1e-6); // t = 2 s

  let wraps = 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]! < samples[i - 1]!) {
      wraps++;
      assert.ok(samples[i - 1]! >= 3840 - 48 && samples[i]! < 48, `wrapped from ${samples[i - 1]} to ${samples[i]}`);
    }
  }
  assert.equal(wraps, 1, '2-bar song (4 s) from t = 1: one wrap by t = 9');
  near(samples[100]!, 0, 1e-6); // t = 5 s: the wrap itself
  near(r.scheduler.stop(8.95), 3.95 * 960, 1e-6);
  assert.equal(r.scheduler.playheadAt(8.95), null);
});

test('loop off: playback ends at the song end and the playhead stays there', () => {
  const r = rig(oneKick(1));
  r.scheduler.loop = false;
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(4);
  assert.equal(r.notes().length, 1);
  assert.equal(r.events.filter((e) => e.kind === 'end').length, 1);
  assert.equal(r.scheduler.playheadAt(3)!.tick, 1920);
  assert.equal(r.scheduler.advance(5), 0);
});

test('swing delays off-beat 8ths by swing × a triplet 8th minus a straight 8th', () => {
  const hats = (swing: number) =>
    song(
      [track('d', 'drums')],
      [
        clip(
          'c',
          'd',
          0,
          1,
          Array.from({ length: 8 }, (_, i) => [42, i * 240, 120] as [number, number, number]),
        ),
      ],
      { swing },
    );
  for (const swing of [0, 0.5, 1]) {
    const r = rig(hats(swing));
    r.scheduler.loop = false;
    r.scheduler.start({ time: 0, tick: 0 });
    r.runUntil(3);
    const times = r.notes().map((n) => n.time);
    for (let i = 0; i < 8; i++) near(times[i]!, (i * 240 + (i % 2 ? swing * 80 : 0)) / 960);
  }
});

test('count-in: one bar of clicks (downbeat accented) before the song, which then starts a bar late', () => {
  const r = rig(oneKick(1));
  r.scheduler.loop = false;
  r.scheduler.start({ time: 0, tick: 0, countInBars: 1 });
  r.runUntil(0.8);
  const during = r.scheduler.playheadAt(0.75)!;
  assert.equal(during.countIn, true);
  assert.equal(during.tick, -1920 + 720);
  r.runUntil(2.6);
  assert.equal(r.scheduler.playheadAt(2.5)!.countIn, false);
  assert.equal(r.scheduler.playheadAt(2.5)!.tick, 480);
  r.runUntil(5);
  const clicks = r.events.filter((e) => e.kind === 'click') as Extract<ScheduledEvent, { kind: 'click' }>[];
  assert.deepEqual(
    clicks.map((c) => [c.time, c.accent, c.countIn]),
    [
      [0, true, true],
      [0.5, false, true],
      [1, false, true],
      [1.5, false, true],
    ],
  );
  assert.deepEqual(
    r.notes().map((n) => n.time),
    [2],
  );
  // Two bars from bar 3: eight clicks through bars 1 and 2, then the song at bar 3.
  const two = rig(song([track('d', 'drums')], [clip('c', 'd', 3, 1, [[36, 0, 240]])]));
  two.scheduler.loop = false;
  two.scheduler.start({ time: 0, tick: 3 * 1920, countInBars: 2 });
  two.runUntil(7);
  assert.equal(two.events.filter((e) => e.kind === 'click').length, 8);
  assert.deepEqual(
    two.notes().map((n) => n.time),
    [4],
  );
});

test('metronome: a click on every beat, accented on each bar, only while switched on', () => {
  const r = rig(song([track('k', 'keys')], [clip('c', 'k', 0, 2, [])], { meter: { numerator: 3, denominator: 4 } }));
  r.scheduler.metronome = true;
  r.scheduler.loop = false;
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(1.6);
  r.scheduler.metronome = false;
  r.runUntil(4);
  const clicks = r.events.filter((e) => e.kind === 'click') as Extract<ScheduledEvent, { kind: 'click' }>[];
  assert.deepEqual(
    clicks.map((c) => [c.tick, c.accent]),
    [
      [0, true],
      [480, false],
      [960, false],
      [1440, true],
    ],
  );
});

test("an edit while playing (a bandmate replacing a clip's notes) is heard on the next pass of the loop", () => {
  const before = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 1, [
        [60, 0, 240],
        [62, 960, 240],
      ]),
    ],
  );
  const after = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 1, [
        [72, 0, 240],
        [74, 960, 240],
      ]),
    ],
  );
  const r = rig(before);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(1.1);
  r.scheduler.setSong(compileSong(after));
  r.runUntil(4.2);
  // 62 at 1 s was committed before the edit; from the next window on only the new notes, without a gap.
  assert.deepEqual(
    r.notes().map((n) => [n.pitch, n.time]),
    [
      [60, 0],
      [62, 1],
      [72, 2],
      [74, 3],
      [72, 4],
    ],
  );
  assert.equal(r.events.filter((e) => e.kind === 'loop').length, 2);
});

test('a tempo change re-anchors at the cursor: the playhead stays continuous and later notes follow the new tempo', () => {
  const quarters = (bpm: number) =>
    song(
      [track('k', 'keys')],
      [
        clip(
          'c',
          'k',
          0,
          4,
          Array.from({ length: 16 }, (_, i) => [60, i * 480, 100] as [number, number, number]),
        ),
      ],
      { bpm },
    );
  const r = rig(quarters(120));
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(1.0);
  const at = r.scheduler.playheadAt(1.0)!.tick;
  r.scheduler.setSong(compileSong(quarters(240)));
  near(r.scheduler.playheadAt(1.0)!.tick, at);
  r.runUntil(3);
  const times = r.notes().map((n) => n.time);
  const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]!) * 1000));
  // quarters 500 ms apart before the cursor, 250 ms after
  assert.deepEqual(gaps.slice(0, 2), [500, 500]);
  assert.ok(
    gaps.slice(3).every((g) => g === 250),
    gaps.join(','),
  );
});

test('a stalled clock skips the missed stretch instead of playing a burst of late notes', () => {
  const r = rig(denseSong(1, 8));
  r.scheduler.start({ time: 0, tick: 0 });
  r.scheduler.advance(0);
  const early = r.events.length;
  r.scheduler.advance(3); // 3 s with no tick
  const late = r.events.slice(early).filter((e) => e.time < 3 - 0.25);
  assert.deepEqual(late, []);
  assert.ok(r.events.length > early, 'it carries on from now');
  near(r.scheduler.playheadAt(3)!.tick, 3 * 960, 1e-6);
  // The skip is counted (a dropout), with the stretch it dropped; a clock on time counts none.
  assert.equal(r.scheduler.skipped, 1);
  near(r.scheduler.skippedSeconds, 3 - 0.15, 1e-9);
  for (let now = 3.05; now < 5; now += 0.05) r.scheduler.advance(now);
  assert.equal(r.scheduler.skipped, 1);
});

test('muted tracks are not scheduled; a loop range moved behind the cursor wraps right away', () => {
  const s = bandSong();
  s.tracks[0]!.mute = true;
  const r = rig(s);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(3.1);
  assert.equal(
    r.notes().some((n) => n.trackId === 'drums'),
    false,
  );
  const moved = { ...s, meta: { ...s.meta, loop: { startBar: 0, endBar: 1 } } };
  r.scheduler.setSong(compileSong(moved));
  r.runUntil(3.5);
  const loop = r.events.find((e) => e.kind === 'loop');
  assert.ok(loop && loop.kind === 'loop' && loop.to === 0 && loop.time < 3.5, JSON.stringify(loop));
});

test('an end tick (a bar range render) stops there, even with the loop on', () => {
  const r = rig(bandSong());
  r.scheduler.loop = false;
  r.scheduler.endTick = 1920;
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(5);
  assert.ok(r.notes().every((n) => n.tick < 1920));
  assert.equal(r.scheduler.endedAt!.time, 2);
  // Keys held for the whole bar are cut at the range end.
  assert.ok(
    r
      .notes()
      .filter((n) => n.trackId === 'keys')
      .every((n) => n.time + n.duration <= 2 + 1e-9),
  );
});

test('8 tracks × 64 bars: a 50 ms window costs microseconds', () => {
  const r = rig(denseSong(8, 64));
  r.scheduler.start({ time: 0, tick: 0 });
  const costs: number[] = [];
  for (let now = 0; now < 60; now += 0.05) {
    const t0 = performance.now();
    r.scheduler.advance(now);
    costs.push(performance.now() - t0);
  }
  costs.sort((a, b) => a - b);
  assert.ok(costs[Math.floor(costs.length * 0.99)]! < 5, `p99 ${costs[Math.floor(costs.length * 0.99)]} ms`);
  assert.ok(r.notes().length > 3000);
});

test('retime: a shared-clock change lands exactly at its time, with its tempo and loop, not before', () => {
  // Two notes a bar: at ticks 0 and 960 of a 4-bar clip; 120 BPM (a bar is 2 s).
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 4, [
        [60, 0, 240],
        [62, 960, 240],
        [64, 1920, 240],
        [65, 2880, 240],
        [67, 3840, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.externalTempo = true;
  r.scheduler.retime({ time: 0.5, tick: 0, bpm: 120, loop: { start: 0, end: 3840 * 2 } });
  r.runUntil(1.8);
  // Announced ahead of the cursor: bar 1 (tick 1920) from t = 2.5 at 60 BPM (a bar is 4 s).
  r.scheduler.retime({ time: 2.5, tick: 1920, bpm: 60 });
  r.runUntil(7);
  assert.deepEqual(
    r.notes().map((n) => [n.pitch, Math.round(n.time * 1000) / 1000]),
    [
      [60, 0.5],
      [62, 1.5],
      [64, 2.5],
      [65, 4.5],
      [67, 6.5],
    ],
  );
  const head = r.scheduler.playheadAt(4.5)!;
  near(head.tick, 2880);
});

test('retime: a bar line pulled a little later (a drift correction) sounds once, at its new time', () => {
  // Notes on bars 1 and 2 (ticks 0 and 1920); 120 BPM. The next bar line, due at 2 s, moves 3 ms
  // later: the old timeline must not commit that bar line's events before handing over.
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 4, [
        [60, 0, 240],
        [64, 1920, 240],
      ]),
    ],
  );
  const r = rig(s, { lookAhead: 0.15 });
  r.scheduler.externalTempo = true;
  r.scheduler.retime({ time: 0, tick: 0, bpm: 120, loop: null });
  r.runUntil(1.5);
  r.scheduler.retime({ time: 2.003, tick: 1920, bpm: 120 });
  r.runUntil(3);
  assert.deepEqual(
    r.notes().map((n) => [n.pitch, Math.round(n.time * 1e6) / 1e6]),
    [
      [60, 0],
      [64, 2.003],
    ],
  );
  near(r.scheduler.playheadAt(2.5)!.tick, 1920 + 0.497 * 960, 1e-6);
});

test('retime: a change already behind the cursor rewinds it and asks for silence from its time', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 4, [
        [60, 0, 240],
        [62, 960, 240],
        [64, 1920, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(0.95); // committed up to ~1.05 s: the note at 1.0 s is out
  const rewound = r.scheduler.retime({ time: 1.0, tick: 1920, bpm: 120 });
  assert.equal(rewound, true);
  r.runUntil(1.2);
  const last = r.notes().at(-1)!;
  assert.equal(last.pitch, 64);
  near(last.time, 1.0);
});

test('retime with stop: playback ends at the change, nothing after it is committed', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 4, [
        [60, 0, 240],
        [62, 1920, 240],
        [64, 3840, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(0.5);
  r.scheduler.retime({ time: 2, tick: 1920, bpm: 120, stop: true });
  r.runUntil(6);
  assert.deepEqual(
    r.notes().map((n) => n.pitch),
    [60],
  );
  assert.deepEqual(r.scheduler.endedAt, { time: 2, tick: 1920 });
});

test('retime with a count-in (a jam start): clicks evenly up to the shared start, then the song at its tempo', () => {
  // The song is at 120 BPM; the shared start says 100 BPM with one count-in bar of 2.4 s minus a
  // rounding sliver (the server puts the start on a whole ms).
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 2, [
        [60, 0, 240],
        [62, 1920, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.externalTempo = true;
  r.scheduler.metronome = true;
  r.scheduler.retime({ time: 3.0004, tick: 0, bpm: 100, loop: null, countIn: { bars: 1, time: 0.6 } });
  r.runUntil(0.75);
  near(r.scheduler.playheadAt(0.7)!.tick, -1920 + 0.1 * (1920 / 2.4004), 1e-6);
  assert.equal(r.scheduler.playheadAt(0.7)!.countIn, true);
  r.runUntil(6);
  const clicks = r.events.filter((e) => e.kind === 'click') as Extract<ScheduledEvent, { kind: 'click' }>[];
  const countIn = clicks.filter((c) => c.countIn);
  assert.equal(countIn.length, 4);
  countIn.forEach((c, i) => {
    near(c.time, 0.6 + (i * 2.4004) / 4, 1e-9);
    assert.equal(c.accent, i === 0);
  });
  // The song: its first downbeat exactly at the shared start, then bars of 2.4 s (100 BPM).
  const notes = r.notes();
  assert.deepEqual(
    notes.map((n) => n.pitch),
    [60, 62],
  );
  near(notes[0]!.time, 3.0004, 1e-9);
  near(notes[1]!.time, 3.0004 + 2.4, 1e-9);
  const songClicks = clicks.filter((c) => !c.countIn);
  near(songClicks[0]!.time, 3.0004, 1e-9);
  assert.equal(songClicks[0]!.accent, true);
  assert.equal(songClicks.filter((c) => Math.abs(c.time - 3.0004) < 1e-6).length, 1, 'one click on the first downbeat');
  near(songClicks[1]!.time - songClicks[0]!.time, 0.6, 1e-9);
  assert.equal(r.scheduler.playheadAt(3.1)!.countIn, false);
});

test('retime with a count-in: a change at the shared start, announced during the count-in, lands there once', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 2, [
        [60, 0, 240],
        [62, 1920, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.externalTempo = true;
  r.scheduler.metronome = true;
  r.scheduler.retime({ time: 2.6, tick: 0, bpm: 120, loop: null, countIn: { bars: 1, time: 0.6 } });
  r.runUntil(1.0);
  // A tempo change merged into the start (the count-in keeps its clicks).
  r.scheduler.retime({ time: 2.6 + 1e-12, tick: 0, bpm: 60, loop: null });
  r.runUntil(8);
  const notes = r.notes();
  assert.deepEqual(
    notes.map((n) => n.pitch),
    [60, 62],
  );
  near(notes[0]!.time, 2.6, 1e-9);
  near(notes[1]!.time, 2.6 + 4, 1e-9);
  const downbeatClicks = r.events.filter((e) => e.kind === 'click' && Math.abs(e.time - 2.6) < 1e-6);
  assert.equal(downbeatClicks.length, 1);
});

test('retime: stop, then play again before the stop is heard — the stop lands and play resumes at its own time', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 8, [
        [60, 0, 240],
        [62, 1920, 240],
        [64, 3840, 240],
        [65, 5760, 240],
        [67, 7680, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(0.95); // committed up to ~1.05 s
  // The stop lands behind the cursor (at once): playback has ended at 1.0 s.
  r.scheduler.retime({ time: 1.0, tick: 960, bpm: 120, stop: true });
  assert.deepEqual(r.scheduler.endedAt, { time: 1.0, tick: 960 });
  // Play again from bar 2 at 3.0 s (the next bar line): not lost behind the stop.
  r.scheduler.retime({ time: 3.0, tick: 3840, bpm: 120 });
  assert.equal(r.scheduler.endedAt, null);
  r.runUntil(5.5);
  assert.deepEqual(
    r.notes().map((n) => n.pitch),
    [60, 64, 65],
  );
  near(r.notes()[1]!.time, 3.0);
  near(r.notes()[2]!.time, 5.0);
});

test('retime: a stop still ahead, then a later play — silence between them, then the play', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 8, [
        [60, 0, 240],
        [62, 1920, 240],
        [64, 3840, 240],
        [65, 5760, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.start({ time: 0, tick: 0 });
  r.runUntil(0.3);
  r.scheduler.retime({ time: 1.5, tick: 1440, bpm: 120, stop: true }); // ahead of the cursor: pending
  r.scheduler.retime({ time: 3.0, tick: 3840, bpm: 120 }); // after the stop: must not replace it
  r.runUntil(2.5);
  assert.deepEqual(
    r.notes().map((n) => n.pitch),
    [60],
    'nothing between the stop (1.5 s) and the play (3.0 s)',
  );
  r.runUntil(5.5);
  assert.deepEqual(
    r.notes().map((n) => n.pitch),
    [60, 64, 65],
  );
  near(r.notes()[1]!.time, 3.0);
  const ends = r.events.filter((e) => e.kind === 'end');
  assert.equal(ends.length, 1);
  near(ends[0]!.time, 1.5);
});

test('a start mid-loop (a late joiner): after the wrap the whole loop plays, its clicks are no count-in', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('c', 'k', 0, 1, [
        [60, 0, 240],
        [64, 960, 240],
        [67, 1440, 240],
      ]),
    ],
  );
  const r = rig(s);
  r.scheduler.metronome = true;
  r.scheduler.retime({ time: 0, tick: 1280, bpm: 120, loop: { start: 0, end: 1920 } });
  r.runUntil(4.6);
  // Joined at tick 1280: 67 in the first pass; then every pass has all three.
  assert.deepEqual(
    r.notes().map((n) => n.pitch),
    [67, 60, 64, 67, 60, 64, 67, 60],
  );
  const clicks = r.events.filter((e) => e.kind === 'click') as Extract<ScheduledEvent, { kind: 'click' }>[];
  assert.ok(clicks.length >= 8);
  assert.deepEqual(
    clicks.filter((c) => c.countIn),
    [],
    'no count-in: play started without one',
  );
});
