import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveNote, TransportState } from '../../core/jam/contract.ts';
import { nextTake, takeLabel, takeNotes } from './recording.ts';

const state = (patch: Partial<TransportState> = {}): TransportState => ({
  playing: true,
  bpm: 120,
  meter: { numerator: 4, denominator: 4 },
  loop: { startBar: 2, endBar: 4 },
  anchorMs: 10_000,
  anchorBar: 2,
  revision: 3,
  changedBy: 'ann',
  ...patch,
});
const on = (pitch: number, at: number, velocity = 100): LiveNote => ({ kind: 'on', pitch, velocity, trackId: 't', at });
const off = (pitch: number, at: number): LiveNote => ({ kind: 'off', pitch, velocity: 0, trackId: 't', at });

test("a take starts at the loop's next start and lasts one pass", () => {
  // Bars of 2 s: bar 2 at 10 s, bar 3 at 12 s, bar 2 again at 14 s.
  assert.deepEqual(nextTake(state(), 11_000), { startMs: 14_000, startBar: 2, bars: 2, endMs: 18_000 });
  assert.deepEqual(nextTake(state(), 13_990), { startMs: 18_000, startBar: 2, bars: 2, endMs: 22_000 });
  // No loop: the next bar line, 4 bars.
  assert.deepEqual(nextTake(state({ loop: null }), 11_000), { startMs: 12_000, startBar: 3, bars: 4, endMs: 20_000 });
  assert.equal(nextTake(state({ playing: false }), 11_000), null);
});

test('live notes become clip notes by their server time; quantize snaps starts and ends', () => {
  const window = { startMs: 14_000, startBar: 2, bars: 2, endMs: 18_000 };
  // 960 ticks per second at 120 BPM.
  const notes = [on(60, 13_990), off(60, 14_240), on(64, 14_510, 90), off(64, 14_760), on(67, 17_900), on(72, 18_100), off(72, 18_200)];
  const raw = takeNotes(notes, window, state(), 'off');
  assert.deepEqual(
    raw.map((n) => [n.pitch, n.tick, n.duration]),
    [
      [60, 0, 230],
      [64, 490, 240],
      [67, 3744, 96],
    ],
  );
  const q = takeNotes(notes, window, state(), '16th');
  assert.deepEqual(
    q.map((n) => [n.pitch, n.tick, n.duration, n.velocity]),
    [
      [60, 0, 240, 100],
      [64, 480, 240, 90],
      [67, 3720, 120, 100],
    ],
  );
  const t = takeNotes(notes, window, state(), 'triplet');
  assert.deepEqual(
    t.map((n) => n.tick),
    [0, 480, 3680],
  );
  assert.equal(takeLabel(q.length), 'recorded 3 notes');
  assert.equal(takeLabel(1), 'recorded 1 note');
});
