import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { applyTransportRequest, downbeats, initialTransport } from '../../core/jam/timeline.ts';
import { clockMessages, pulseMs, type ClockMessage } from './clock-out-schedule.ts';

/** The room's transport after `requests`, each asked at its server time (as the server applies them). */
function room(requests: [number, TransportRequest][], loop: { startBar: number; endBar: number } | null = null): TransportState {
  let state = initialTransport({ bpm: 120, loop, nowMs: 0 });
  for (const [at, request] of requests) state = applyTransportRequest(state, request, at, 'owner');
  return state;
}

/** The messages of [from, to) asked for window by window, as the clock output's timer does. */
function windowed(state: TransportState, from: number, to: number, step = 25): ClockMessage[] {
  const out: ClockMessage[] = [];
  for (let t = from; t < to; t += step) out.push(...clockMessages(state, t, Math.min(to, t + step)));
  return out;
}

const clocks = (messages: ClockMessage[]) => messages.filter((m) => m.kind === 'clock' && !m.countIn).map((m) => m.atMs);
/** Worst distance (ms) of each clock from the ideal grid: the nearest point anchor + n · pulse. */
function gridError(times: number[], anchor: number, bpm: number): number {
  const p = pulseMs(bpm);
  return Math.max(...times.map((t) => Math.abs(t - (anchor + Math.round((t - anchor) / p) * p))));
}

test('a start from the top: Start on the downbeat, then 24 clocks a quarter on the ideal grid', () => {
  const state = room([[1000, { action: 'play', fromBar: 0 }]]);
  const downbeat = state.anchorMs;
  const messages = windowed(state, 0, downbeat + 10_000);
  const start = messages.find((m) => m.kind === 'start')!;
  assert.ok(Math.abs(start.atMs - downbeat) <= 2, `Start ${start.atMs - downbeat} ms off the room's downbeat (target 2 ms)`);
  assert.equal(start.atMs, downbeat, 'exactly on it');
  assert.deepEqual(
    messages.slice(0, 2).map((m) => m.kind),
    ['start', 'clock'],
    'Start first, then the downbeat clock',
  );
  const times = clocks(messages);
  assert.equal(times.length, 480, '10 s at 120 BPM: 20 quarters of 24 clocks');
  assert.ok(gridError(times, downbeat, 120) < 1, `clock off the grid by ${gridError(times, downbeat, 120)} ms (target 1 ms)`);
  assert.ok(gridError(times, downbeat, 120) < 1e-6, 'computed from the anchor, never summed: no drift at all');
  for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i]! - times[i - 1]! - 60_000 / 120 / 24) < 1e-6);
  assert.deepEqual(windowed(state, 0, downbeat + 10_000, 7), messages, 'any window size gives the same messages');
  assert.deepEqual(clockMessages(state, 0, downbeat + 10_000), messages);
});

test('a tempo change lands on the shared bar line: old spacing before it, new after, a clock on the line', () => {
  const state = room([
    [1000, { action: 'play', fromBar: 0 }],
    [4100, { action: 'tempo', bpm: 90 }],
  ]);
  const line = state.anchorMs;
  const before = state.earlier![0]!;
  // The change's anchor is one of the room's bar lines as they were before it.
  const bars = downbeats({ ...state, ...before, earlier: [] }, before.anchorMs, 10).map((d) => d.atMs);
  assert.ok(bars.includes(line), `tempo change at ${line}, bar lines ${bars.join(' ')}`);
  const times = clocks(windowed(state, 0, line + 8000));
  const old = times.filter((t) => t < line);
  const next = times.filter((t) => t >= line);
  assert.equal(next[0], line, 'a clock on the bar line');
  assert.ok(gridError(old, before.anchorMs, 120) < 1e-6);
  assert.ok(gridError(next, line, 90) < 1e-6);
  assert.ok(Math.abs(line - old.at(-1)! - pulseMs(120)) < 1e-6, 'the last old clock a 120 BPM clock before the line');
  assert.ok(Math.abs(next[1]! - line - pulseMs(90)) < 1e-6, 'the first new gap a 90 BPM clock');
  assert.equal(
    windowed(state, 0, line + 8000).filter((m) => m.kind !== 'clock').length,
    1,
    'no position or transport message for a tempo change: only the Start',
  );
});

test('a seek while playing: SPP on the bar line before its clock, the clocks run on', () => {
  const state = room([
    [1000, { action: 'play', fromBar: 0 }],
    [3000, { action: 'play', fromBar: 8 }],
  ]);
  const messages = windowed(state, 0, state.anchorMs + 3000);
  const spp = messages.filter((m) => m.kind === 'position');
  assert.equal(spp.length, 1);
  assert.equal(spp[0]!.atMs, state.anchorMs);
  assert.deepEqual(spp[0]!.data, [0xf2, 0, 1], 'bar 8 of 4/4: 128 sixteenths (7 bits each)');
  const i = messages.indexOf(spp[0]!);
  assert.equal(messages[i + 1]!.kind, 'clock');
  assert.equal(messages[i + 1]!.atMs, state.anchorMs);
  assert.ok(!messages.some((m) => m.kind === 'stop' || m.kind === 'continue'));
});

test('every loop wrap: SPP of the loop start on the wrap bar line', () => {
  const state = room([[1000, { action: 'play', fromBar: 0 }]], { startBar: 0, endBar: 2 });
  const downbeat = state.anchorMs;
  const messages = windowed(state, 0, downbeat + 4 * 2000 + 100);
  const spp = messages.filter((m) => m.kind === 'position');
  // 2-bar loop at 120 BPM (4 s): wraps at 4 s and 8 s after the downbeat.
  assert.deepEqual(
    spp.map((m) => m.atMs - downbeat),
    [4000, 8000],
  );
  for (const m of spp) assert.deepEqual(m.data, [0xf2, 0, 0]);
  assert.ok(gridError(clocks(messages), downbeat, 120) < 1e-6, 'a wrap does not move the grid');
});

test('a start from bar 3 of stopped: SPP then Continue on the downbeat; a stop: Stop then the position to resume from', () => {
  const state = room([
    [1000, { action: 'play', fromBar: 3 }],
    [4000, { action: 'stop' }],
  ]);
  const start = state.earlier![0]!.anchorMs;
  const messages = windowed(state, 0, state.anchorMs + 2000);
  const kinds = messages.filter((m) => m.kind !== 'clock').map((m) => `${m.kind}@${m.atMs}`);
  assert.deepEqual(kinds, [`position@${start}`, `continue@${start}`, `stop@${state.anchorMs}`, `position@${state.anchorMs}`]);
  assert.deepEqual(messages.find((m) => m.kind === 'position')!.data, [0xf2, 48, 0]);
  assert.ok(!messages.some((m) => m.kind === 'clock' && m.atMs >= state.anchorMs), 'no clocks after the stop');
});

test('a count-in: its clocks lead up to the downbeat, where Start and the song clocks begin', () => {
  const state = room([[1000, { action: 'play', fromBar: 0, countInBars: 1 }]]);
  const messages = windowed(state, 0, state.anchorMs + 1000);
  const countIn = messages.filter((m) => m.countIn);
  assert.equal(countIn.length, 96, 'a 4/4 bar of clocks');
  assert.equal(countIn[0]!.atMs, state.countIn!.startMs);
  assert.ok(countIn.every((m) => m.atMs < state.anchorMs));
  const start = messages.find((m) => m.kind === 'start')!;
  assert.equal(start.atMs, state.anchorMs);
});

test('6/8: 72 clocks a bar, bar positions in sixteenths', () => {
  const state = room([
    [0, { action: 'meter', meter: { numerator: 6, denominator: 8 } }],
    [1000, { action: 'play', fromBar: 2 }],
  ]);
  const messages = windowed(state, 0, state.anchorMs + 1500);
  assert.deepEqual(messages.find((m) => m.kind === 'position')!.data, [0xf2, 24, 0]);
});
