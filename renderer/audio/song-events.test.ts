import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clip, denseSong, song, track } from './fixtures.ts';
import { compileSong, firstNoteAtOrAfter, forEachNoteIn, monophonic } from './song-events.ts';

test('notes land at absolute song ticks, sorted across clips, cut at their clip end, hidden past it', () => {
  const s = song(
    [track('k', 'keys')],
    [
      clip('b', 'k', 2, 1, [
        [60, 0, 480],
        [62, 1800, 480],
        [64, 1920, 10],
      ]),
      clip('a', 'k', 0, 1, [[67, 960, 480]]),
    ],
  );
  const c = compileSong(s);
  assert.deepEqual(
    c.tracks[0]!.notes.map((n) => [n.pitch, n.tick, n.end]),
    [
      [67, 960, 1440],
      [60, 3840, 4320],
      [62, 3840 + 1800, 3840 + 1920],
    ],
  );
  assert.equal(c.endTick, 3 * 1920);
  assert.deepEqual(c.loop, { start: 0, end: 3 * 1920 });
});

test('the loop range comes from the song meta in ticks, else the whole song (at least a bar)', () => {
  const looped = compileSong(song([track('k', 'keys')], [clip('a', 'k', 0, 8, [])], { loop: { startBar: 2, endBar: 4 } }));
  assert.deepEqual(looped.loop, { start: 2 * 1920, end: 4 * 1920 });
  const empty = compileSong(song([], []));
  assert.deepEqual(empty.loop, { start: 0, end: 1920 });
  const waltz = compileSong(song([track('k', 'keys')], [clip('a', 'k', 1, 2, [])], { meter: { numerator: 3, denominator: 4 } }));
  assert.equal(waltz.barTicks, 1440);
  assert.equal(waltz.beatTicks, 480);
  assert.deepEqual(waltz.loop, { start: 0, end: 3 * 1440 });
});

test('the bass is monophonic: overlaps end where the next note starts, double-stops keep the lowest', () => {
  const c = compileSong(
    song(
      [track('b', 'bass')],
      [
        clip('a', 'b', 0, 1, [
          [40, 0, 960],
          [43, 480, 480],
          [36, 960, 240],
          [48, 960, 240],
        ]),
      ],
    ),
  );
  assert.deepEqual(
    c.tracks[0]!.notes.map((n) => [n.pitch, n.tick, n.end]),
    [
      [40, 0, 480],
      [43, 480, 960],
      [36, 960, 1200],
    ],
  );
  assert.deepEqual(monophonic([]), []);
});

test('mute/solo and faders are resolved per compiled track; clips of unknown tracks are ignored', () => {
  const s = song(
    [track('a', 'keys', { solo: true }), track('b', 'lead')],
    [clip('x', 'ghost', 0, 1, [[60, 0, 10]]), clip('y', 'a', 0, 1, [[60, 0, 10]])],
  );
  const c = compileSong(s);
  assert.deepEqual(
    c.tracks.map((t) => [t.id, t.audible, t.preset]),
    [
      ['a', true, 'electric-piano'],
      ['b', false, 'lead'],
    ],
  );
  assert.equal(c.tracks[0]!.notes.length, 1);
});

test('window queries find exactly the notes starting in [from, to)', () => {
  const c = compileSong(denseSong(2, 8));
  const notes = c.tracks[1]!.notes;
  assert.equal(firstNoteAtOrAfter(notes, -5), 0);
  assert.equal(firstNoteAtOrAfter(notes, Infinity), notes.length);
  for (const [from, to] of [
    [0, 100],
    [239.5, 240.5],
    [1000, 5000],
    [15000, 99999],
  ] as const) {
    const got: number[] = [];
    forEachNoteIn(notes, from, to, (n) => got.push(n.tick));
    assert.deepEqual(
      got,
      notes.filter((n) => n.tick >= from && n.tick < to).map((n) => n.tick),
    );
  }
});

test('the dense benchmark song is what it says: 8 tracks × 64 bars, 7,680 notes, compiled quickly', () => {
  const s = denseSong(8, 64);
  const t0 = performance.now();
  const c = compileSong(s);
  const ms = performance.now() - t0;
  const count = c.tracks.reduce((n, t) => n + t.notes.length, 0);
  assert.equal(c.tracks.length, 8);
  assert.equal(c.endTick, 64 * 1920);
  assert.equal(count, 7680);
  assert.ok(ms < 200, `compile took ${ms} ms`);
});
