/**
 * The shared clock of a jam mapped onto this window's audio clock. Pure: the clock estimate, the
 * audio/performance clock pair and the transport state come in as values, so every rule here is
 * tested under Node.
 *
 * Three clocks meet here:
 * - the server's (ServerMs: the session host's timeOrigin + now), where the transport's anchors are;
 * - this machine's (local ms = performance.timeOrigin + performance.now()), which the clock
 *   estimate maps to and from the server's;
 * - the AudioContext's (seconds), on which notes are scheduled. A `HeardStamp` pairs an audio time
 *   with the performance.now() at which it is heard (output latency inside it), so scheduling a
 *   downbeat at audioAt(S) makes it *heard* at server time S, on every peer.
 */
import type { Retime } from '../audio/scheduler.ts';
import type { FollowCommand, HeardStamp } from '../audio/contract.ts';
import type { ServerMs, TransportState } from '../../core/jam/contract.ts';
import { barMs, positionAt } from '../../core/jam/timeline.ts';
import { TICKS_PER_QUARTER, type Ticks } from '../../core/time.ts';

/** What the clock estimate offers (core/jam/clock.ts ClockEstimator fits). */
export interface ServerClock {
  serverNow(localMs: number): number;
  localAt(serverMs: number): number;
}

export interface ClockMap {
  clock: ServerClock;
  stamp: HeardStamp;
  /** performance.timeOrigin: local ms = timeOrigin + performance.now(). */
  timeOrigin: number;
  /**
   * This peer's latency compensation, ms: positive plays earlier (speakers or a Bluetooth link
   * slower than reported), negative later.
   */
  compensationMs: number;
}

/** The audio time to schedule at, so that it is heard at server time `serverMs`. */
export function audioAt(serverMs: ServerMs, map: ClockMap): number {
  const localPerf = map.clock.localAt(serverMs) - map.timeOrigin;
  return map.stamp.contextTime + (localPerf - map.stamp.performanceTime) / 1000 - map.compensationMs / 1000;
}

/** The server time at which something scheduled at `audioTime` is heard (inverse of audioAt). */
export function serverAt(audioTime: number, map: ClockMap): ServerMs {
  const heardPerf = map.stamp.performanceTime + (audioTime + map.compensationMs / 1000 - map.stamp.contextTime) * 1000;
  return map.clock.serverNow(map.timeOrigin + heardPerf);
}

/** Ticks of one bar of the state's meter. */
export function barTicksOf(state: Pick<TransportState, 'meter'>): Ticks {
  return ((TICKS_PER_QUARTER * 4) / state.meter.denominator) * state.meter.numerator;
}

/** Milliseconds of one bar (the tempo counts quarter notes, as in the song). */
export const barMsOf = (state: Pick<TransportState, 'bpm' | 'meter'>): number => barMs(state);

/**
 * Where the music is (in bars, fractional) at server time `at`, wrapping inside the loop
 * (core/jam/timeline.ts positionAt, across the state's earlier segments).
 */
export function barAt(state: TransportState, at: ServerMs): number {
  return positionAt(state, at).barFloat;
}

/** The loop of a state in ticks (null: play on). */
export function loopTicks(state: TransportState): { start: Ticks; end: Ticks } | null {
  if (!state.loop || state.loop.endBar <= state.loop.startBar) return null;
  const bar = barTicksOf(state);
  return { start: state.loop.startBar * bar, end: state.loop.endBar * bar };
}

export interface FollowOptions {
  /** A playing state whose anchor is this close (s) or already past joins at now + joinDelay instead. */
  minLead?: number;
  /** How far ahead of now a late joiner starts (s): room for the first window. */
  joinDelay?: number;
}

/**
 * What the audio engine does for a transport state: play from its anchor (start or re-anchor
 * there), or — the anchor passed (a late join, a reconnect) — from where the shared timeline is a
 * moment from now; stop at the anchor; while stopped, rest at the anchor bar.
 */
export function followCommand(state: TransportState, map: ClockMap, audioNow: number, options: FollowOptions = {}): FollowCommand {
  const barTicks = barTicksOf(state);
  const loop = loopTicks(state);
  const anchorTime = audioAt(state.anchorMs, map);
  const base = { bpm: state.bpm, loop };
  if (!state.playing) {
    return { kind: 'play', at: { ...base, time: Math.max(anchorTime, audioNow), tick: state.anchorBar * barTicks, stop: true } };
  }
  if (anchorTime >= audioNow + (options.minLead ?? 0.01)) {
    const at: Retime = { ...base, time: anchorTime, tick: state.anchorBar * barTicks };
    const countIn = countInAt(state, map, audioNow + (options.minLead ?? 0.01));
    if (countIn) at.countIn = countIn;
    return { kind: 'play', at };
  }
  const time = audioNow + (options.joinDelay ?? 0.1);
  return { kind: 'play', at: { ...base, time, tick: barAt(state, serverAt(time, map)) * barTicks } };
}

/**
 * The count-in of a state (core/jam/contract.ts CountIn) in audio time: the whole count-in bars
 * still at or after `earliest` (a peer that hears of the start late, mid count-in, clicks the bars
 * left), or null when there is none (or none left).
 */
export function countInAt(state: TransportState, map: ClockMap, earliest: number): { bars: number; time: number } | null {
  const countIn = state.countIn;
  if (!countIn || !state.playing || countIn.bars < 1) return null;
  const barMsOfCountIn = (state.anchorMs - countIn.startMs) / countIn.bars;
  for (let bars = countIn.bars; bars >= 1; bars--) {
    const time = audioAt(state.anchorMs - bars * barMsOfCountIn, map);
    if (time >= earliest) return { bars, time };
  }
  return null;
}

/**
 * How far (ms) the engine's next bar line is from where the shared timeline puts it: positive
 * when the engine is late. `bar` is the bar the engine will play at `time` (after any wrap).
 */
export function phaseErrorMs(state: TransportState, map: ClockMap, line: { tick: Ticks; time: number }): number {
  const barTicks = barTicksOf(state);
  let bar = line.tick / barTicks;
  if (state.loop && bar >= state.loop.endBar) bar = state.loop.startBar + (bar - state.loop.endBar);
  const shared = barAt(state, serverAt(line.time, map));
  let diff = shared - bar;
  const len = state.loop ? state.loop.endBar - state.loop.startBar : 0;
  if (len > 0) diff = ((((diff + len / 2) % len) + len) % len) - len / 2;
  return diff * barMsOf(state);
}

/**
 * A correction for drift between the audio clock and the shared one: re-anchor the engine's next
 * bar line to where it belongs, or null when within `toleranceMs`.
 */
export function driftCorrection(
  state: TransportState,
  map: ClockMap,
  line: { tick: Ticks; time: number },
  toleranceMs = 1.5,
): Retime | null {
  const error = phaseErrorMs(state, map, line);
  if (Math.abs(error) <= toleranceMs) return null;
  const barTicks = barTicksOf(state);
  const loop = loopTicks(state);
  const tick = loop && line.tick >= loop.end ? loop.start + (line.tick - loop.end) : line.tick;
  // The engine is late by `error`: the bar line belongs that much earlier.
  return { time: line.time - error / 1000, tick: Math.round(tick / barTicks) * barTicks, bpm: state.bpm, loop };
}

/**
 * Where a player already playing on their own asks the room to start (a play request's fromBar
 * and atMs): their own next bar line that is at least `minLead` seconds away, so the room's start
 * lands where their music already is and nothing jumps. `line` is the engine's next bar line
 * (its tick and audio time), `barSeconds` a bar at the tempo playing; a bar past the loop's end
 * wraps as the engine will.
 */
export function joinRequest(
  line: { tick: Ticks; time: number },
  barTicks: Ticks,
  barSeconds: number,
  audioNow: number,
  minLead: number,
  loop: { startBar: number; endBar: number } | null,
  map: ClockMap,
): { fromBar: number; atMs: ServerMs } {
  let { tick, time } = line;
  while (time < audioNow + minLead) {
    tick += barTicks;
    time += barSeconds;
  }
  let bar = Math.round(tick / barTicks);
  if (loop && loop.endBar > loop.startBar && bar >= loop.endBar)
    bar = loop.startBar + ((bar - loop.endBar) % (loop.endBar - loop.startBar));
  return { fromBar: bar, atMs: serverAt(time, map) };
}
