import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { applyTransportRequest, initialTransport } from '../../core/jam/timeline.ts';
import { pulseMs } from './clock-out-schedule.ts';
import { ClockOut } from './clock-out.ts';
import { perfAtServer } from './midi-time.ts';

/** A page whose clock estimate puts the server 3 s ahead (with 200 ppm of drift), a port 8 ms slow. */
function rig(state: () => TransportState) {
  const clock = { now: 0 };
  const map = {
    clock: { localAt: (s: number) => (s - 3000) * (1 - 200e-6), serverNow: (l: number) => l / (1 - 200e-6) + 3000 },
    timeOrigin: 0,
    compensationMs: 0,
  };
  const sent: { data: number[]; timestamp: number }[] = [];
  const out = new ClockOut({
    transport: state,
    serverNow: () => map.clock.serverNow(clock.now),
    perfAt: (s) => perfAtServer(s, map) - 8,
    send: (data, timestamp) => (sent.push({ data, timestamp }), true),
  });
  /** Runs the timer every `period` ms (± jitter) from now to `until` (perf ms). */
  const run = (until: number, period = 20, jitter = 0) => {
    let k = 0;
    while (clock.now < until) {
      clock.now += period + (k++ % 2 ? jitter : -jitter);
      out.tick();
    }
  };
  return { out, sent, clock, map, run };
}

test('clock out through the clock map: every clock within 1 ms of the ideal grid, Start within 2 ms of the downbeat', () => {
  let state: TransportState = initialTransport({ bpm: 120, nowMs: 3000 });
  const { out, sent, clock, map, run } = rig(() => state);
  const ask = (r: TransportRequest) => (state = applyTransportRequest(state, r, map.clock.serverNow(clock.now), 'owner'));
  run(500, 20, 7);
  ask({ action: 'play', fromBar: 0 });
  const downbeat = state.anchorMs;
  run(5000, 20, 7);
  ask({ action: 'tempo', bpm: 140 });
  const change = state.anchorMs;
  run(9000, 20, 7);
  out.stop();
  // Back to server time, exactly as the page maps it (the port's 8 ms put back).
  const serverOf = (ts: number) => map.clock.serverNow(ts + 8);
  const start = sent.find((m) => m.data[0] === 0xfa)!;
  const startError = Math.abs(serverOf(start.timestamp) - downbeat);
  assert.ok(startError < 2, `Start ${startError} ms off the room's downbeat`);
  const clocks = sent.filter((m) => m.data[0] === 0xf8).map((m) => serverOf(m.timestamp));
  let worst = 0;
  for (const t of clocks) {
    const [anchor, bpm] = t < change - 1e-6 ? [downbeat, 120] : [change, 140];
    const p = pulseMs(bpm);
    worst = Math.max(worst, Math.abs(t - (anchor + Math.round((t - anchor) / p) * p)));
  }
  assert.ok(worst < 1, `worst clock ${worst} ms off the grid`);
  for (let i = 1; i < clocks.length; i++) assert.ok(clocks[i]! > clocks[i - 1]!, 'no clock twice, none out of order');
  assert.ok(clocks.includes(change) || clocks.some((t) => Math.abs(t - change) < 1e-6), 'a clock on the tempo change');
  assert.deepEqual(sent.at(-1)!.data, [0xfc], 'stop() while running sends Stop');
  assert.equal(sent.filter((m) => m.data[0] === 0xfa).length, 1, 'one Start');
});

test('switched on while the room plays: SPP and Continue on the next bar line, clocks from there; off: Stop', () => {
  let state: TransportState = initialTransport({ bpm: 120, nowMs: 3000 });
  state = applyTransportRequest(state, { action: 'play', fromBar: 4 }, 3000, 'owner');
  const { out, sent, clock, map, run } = rig(() => state);
  clock.now = map.clock.localAt(state.anchorMs + 2500); // mid bar 5
  out.tick();
  const kinds = sent.map((m) => m.data[0]);
  assert.deepEqual(kinds.slice(0, 2), [0xf2, 0xfb]);
  assert.deepEqual(sent[0]!.data, [0xf2, 96, 0], 'bar 6: 96 sixteenths');
  const line = state.anchorMs + 4000;
  assert.ok(Math.abs(map.clock.serverNow(sent[1]!.timestamp + 8) - line) < 1e-3, 'Continue on the bar line');
  run(clock.now + 2000);
  assert.ok(sent.filter((m) => m.data[0] === 0xf8).every((m) => map.clock.serverNow(m.timestamp + 8) >= line - 1e-6));
  out.stop();
  assert.deepEqual(sent.at(-1)!.data, [0xfc]);
});

test('a stalled timer skips what it missed instead of a burst of late clocks', () => {
  let state: TransportState = initialTransport({ bpm: 120, nowMs: 3000 });
  state = applyTransportRequest(state, { action: 'play', fromBar: 0 }, 3000, 'owner');
  const { sent, clock, run } = rig(() => state);
  run(1000);
  const before = sent.length;
  clock.now += 1000; // a frozen second
  run(clock.now + 20);
  const late = sent.slice(before).filter((m) => m.timestamp < clock.now - 50);
  assert.equal(late.length, 0, `${late.length} late messages`);
});

test('a stall over a stop: the clocks it missed are dropped, the Stop is not', () => {
  let state: TransportState = initialTransport({ bpm: 120, nowMs: 3000 });
  state = applyTransportRequest(state, { action: 'play', fromBar: 0 }, 3000, 'owner');
  const { sent, clock, map, run } = rig(() => state);
  run(2000);
  state = applyTransportRequest(state, { action: 'stop' }, map.clock.serverNow(clock.now), 'owner');
  clock.now += 2500; // frozen past the stop's bar line (at most a bar and the lead ahead)
  run(clock.now + 20);
  const stops = sent.filter((m) => m.data[0] === 0xfc);
  assert.equal(stops.length, 1, 'Stop sent, late');
  assert.deepEqual(sent.at(-1)!.data, [0xf2, 0, 0], 'then the position to resume from');
  const stopAt = map.clock.serverNow(stops[0]!.timestamp + 8);
  assert.ok(Math.abs(stopAt - state.anchorMs) < 1e-3, 'stamped at its own time');
});
