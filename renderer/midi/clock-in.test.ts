import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { applyTransportRequest, initialTransport } from '../../core/jam/timeline.ts';
import { ClockIn } from './clock-in.ts';
import { clockInputOf, songPosition } from './midi-bytes.ts';

/** Server clock = performance clock + 5 s. */
const OFFSET = 5000;

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

/** A room whose server applies each request when it is asked, and a DAW's clock feeding ClockIn. */
function rig(startBpm = 100) {
  let room: TransportState = initialTransport({ bpm: startBpm, nowMs: OFFSET });
  const asked: { at: number; request: TransportRequest }[] = [];
  let now = 0;
  const clockIn = new ClockIn({
    room: () => room,
    serverAt: (perf) => perf + OFFSET,
    perfAt: (server) => server - OFFSET,
    request: (request) => {
      asked.push({ at: now, request });
      room = applyTransportRequest(room, request, now + OFFSET, 'owner');
    },
  });
  const send = (bytes: number[], at: number) => {
    now = at;
    clockIn.message(clockInputOf(bytes)!, at);
  };
  return { clockIn, asked, send, room: () => room };
}

/** The DAW: pulses at `bpm` from `from` (its downbeat), `count` of them, ±jitter ms. */
function daw(send: (b: number[], at: number) => void, bpm: number, from: number, count: number, jitter: number, seed = 1) {
  const r = random(seed);
  const period = 60_000 / bpm / 24;
  for (let i = 0; i < count; i++) send([0xf8], from + i * period + (r() * 2 - 1) * jitter);
  return period;
}

test("the DAW's tempo becomes the room's: one request, within 0.5 BPM, no wobble over a minute of jitter", () => {
  const { asked, send, room } = rig(100);
  daw(send, 123.4, 1000, 24 * 123, 2, 9);
  const tempos = asked.filter((a) => a.request.action === 'tempo');
  assert.equal(tempos.length, 1, `tempo requests: ${JSON.stringify(tempos)}`);
  const first = tempos[0]!;
  assert.ok(first.at < 1000 + 2.1 * (60_000 / 123.4), 'asked after two beats');
  assert.ok(Math.abs(room().bpm - 123.4) < 0.5, `room at ${room().bpm}`);
});

test("Start: the room starts on the DAW's bar line at its tempo, from the bar the DAW is in there", () => {
  const { asked, send, room } = rig(100);
  // The DAW's clock runs while stopped (as many do), then Start at t = 3000, its downbeat the next clock.
  const period = daw(send, 120, 1000, 96, 1, 2);
  const downbeat = 1000 + 96 * period;
  send([0xfa], downbeat - 1);
  daw(send, 120, downbeat, 24 * 4 * 4, 1, 3);
  const play = asked.find((a) => a.request.action === 'play')!;
  assert.ok(play, JSON.stringify(asked));
  assert.ok(asked.indexOf(play) > asked.findIndex((a) => a.request.action === 'tempo'), 'the tempo first');
  const state = room();
  assert.equal(state.playing, true);
  assert.equal(state.bpm, 120);
  // The room's downbeat on one of the DAW's bar lines (ideal grid), with the bar number it has there.
  const barMs = 2000;
  const dawBarAtRoomStart = (state.anchorMs - OFFSET - downbeat) / barMs;
  assert.ok(
    Math.abs(dawBarAtRoomStart - Math.round(dawBarAtRoomStart)) * barMs < 2,
    `room starts ${(dawBarAtRoomStart * barMs).toFixed(2)} ms after the DAW's downbeat: not on its bar line`,
  );
  assert.equal(state.anchorBar, Math.round(dawBarAtRoomStart));
});

test('Continue from a Song Position Pointer; SPP while running jumps; Stop stops', () => {
  const { asked, send, room } = rig(120);
  daw(send, 120, 0, 48, 0);
  send(songPosition(32), 1000); // bar 2 of 4/4
  send([0xfb], 1001);
  daw(send, 120, 1010, 24 * 8, 0);
  const play = asked.find((a) => a.request.action === 'play')!.request as { fromBar: number };
  assert.ok(play.fromBar >= 2, `plays from bar ${play.fromBar}`);
  assert.equal(room().playing, true);
  const before = asked.length;
  const t = 1010 + 24 * 8 * (60_000 / 120 / 24);
  send(songPosition(0), t);
  daw(send, 120, t + 5, 24 * 4, 0);
  const jump = asked.slice(before).find((a) => a.request.action === 'play');
  assert.ok(jump, 'a jump asked for');
  send([0xfc], t + 3000);
  assert.deepEqual(asked.at(-1)!.request, { action: 'stop' });
});
