/**
 * Recording a live take: when it starts and how long it runs on the shared timeline, and the live
 * notes played in it turned into a clip's notes (quantized on request). Pure.
 *
 * A take is one pass of the loop, from the loop's next start (so the clip is the loop's bars and
 * everyone hears it there on the next pass); without a loop, `bars` bars from the next bar line.
 */
import type { LiveNote, ServerMs, TransportState } from '../../core/jam/contract.ts';
import type { NoteInput } from '../../core/song/types.ts';
import { TICKS_PER_QUARTER, type Ticks } from '../../core/time.ts';
import { barMsOf, barTicksOf } from './time-map.ts';

export const QUANTIZE = ['off', '16th', '8th', 'triplet'] as const;
export type Quantize = (typeof QUANTIZE)[number];

/** Grid step of a quantize setting, ticks (triplet: triplet 8ths). */
export function quantizeStep(q: Quantize): Ticks {
  switch (q) {
    case '16th':
      return TICKS_PER_QUARTER / 4;
    case '8th':
      return TICKS_PER_QUARTER / 2;
    case 'triplet':
      return TICKS_PER_QUARTER / 3;
    default:
      return 1;
  }
}

export interface TakeWindow {
  /** Server time of the take's first downbeat. */
  startMs: ServerMs;
  /** The song bar it starts on. */
  startBar: number;
  bars: number;
  /** Server time it ends. */
  endMs: ServerMs;
}

/**
 * The next take of a playing transport, starting at least `minLeadMs` after `nowMs`: at the loop's
 * next start, else at the next bar line, for `bars` bars (the loop's length when looping).
 */
export function nextTake(state: TransportState, nowMs: ServerMs, bars = 4, minLeadMs = 30): TakeWindow | null {
  if (!state.playing) return null;
  const barMs = barMsOf(state);
  const from = Math.max(nowMs + minLeadMs, state.anchorMs);
  const loop = state.loop && state.loop.endBar > state.loop.startBar ? state.loop : null;
  // Bars since the anchor, unwrapped: bar line k sounds at anchorMs + k * barMs.
  let k = Math.ceil((from - state.anchorMs) / barMs - 1e-9);
  const barOf = (i: number): number => {
    const bar = state.anchorBar + i;
    if (!loop || bar < loop.endBar) return bar;
    return loop.startBar + ((bar - loop.startBar) % (loop.endBar - loop.startBar));
  };
  if (loop) {
    // Up to one loop length on, the loop starts again.
    for (let i = 0; i <= loop.endBar - Math.min(loop.startBar, state.anchorBar) && barOf(k) !== loop.startBar; i++) k++;
  }
  const length = loop ? loop.endBar - loop.startBar : bars;
  const startMs = state.anchorMs + k * barMs;
  return { startMs, startBar: barOf(k), bars: length, endMs: startMs + length * barMs };
}

/**
 * The notes of a take: on/off pairs (by pitch) placed by their server time in the window, cut at
 * its end (a key still held ends there), starts and ends snapped to the quantize grid. A note
 * played a little early (up to half a grid step, or a 32nd unquantized) counts from the downbeat.
 */
export function takeNotes(
  notes: readonly LiveNote[],
  window: TakeWindow,
  state: Pick<TransportState, 'bpm' | 'meter'>,
  quantize: Quantize = 'off',
): NoteInput[] {
  const barTicks = barTicksOf(state);
  const total = window.bars * barTicks;
  const ticksPerMs = barTicks / barMsOf(state);
  const step = quantizeStep(quantize);
  const early = quantize === 'off' ? TICKS_PER_QUARTER / 8 : step / 2;
  const toTick = (at: ServerMs): Ticks => (at - window.startMs) * ticksPerMs;
  const snap = (t: Ticks): Ticks => (quantize === 'off' ? Math.round(t) : Math.round(t / step) * step);
  const held = new Map<number, { tick: Ticks; velocity: number }>();
  const out: NoteInput[] = [];
  const close = (pitch: number, endTick: Ticks): void => {
    const on = held.get(pitch);
    if (!on) return;
    held.delete(pitch);
    if (on.tick < -early || on.tick >= total) return;
    const start = Math.max(0, snap(on.tick));
    // Snapped onto the end: it belongs to the next pass.
    if (start >= total) return;
    let end = Math.min(total, snap(Math.min(endTick, total)));
    if (end <= start) end = Math.min(total, start + step);
    if (end <= start) return;
    out.push({ pitch, tick: start, duration: end - start, velocity: Math.max(1, Math.min(127, Math.round(on.velocity))) });
  };
  const sorted = [...notes].sort((a, b) => a.at - b.at);
  for (const n of sorted) {
    const tick = toTick(n.at);
    if (n.kind === 'on') {
      close(n.pitch, tick);
      held.set(n.pitch, { tick, velocity: n.velocity });
    } else {
      close(n.pitch, tick);
    }
  }
  for (const pitch of [...held.keys()]) close(pitch, total);
  return out.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

/** "recorded 12 notes" */
export function takeLabel(count: number): string {
  return `recorded ${count} note${count === 1 ? '' : 's'}`;
}
