/**
 * The MIDI clock a room's shared transport makes, as a pure function: the messages due in a
 * window of server time, each with its server time. Clock (24 a quarter note), Start, Continue,
 * Stop and Song Position Pointer follow the transport's segments (core/jam/timeline.ts):
 *
 * - A start from stopped: Start on the downbeat when it is the top of the song (bar 0), else the
 *   position (SPP) and Continue there; the first clock of the song on the same downbeat, after it.
 *   A count-in's clicks get clocks of their own (the receiver, still stopped, learns the tempo).
 * - A tempo or meter change lands on the shared bar line (the server puts it there): the clocks
 *   before it keep the old spacing, those from it the new one, with a clock on the bar line.
 * - A jump while playing (a seek: play from another bar) and every loop wrap: SPP at the bar line,
 *   before that bar line's clock; the clocks run on (no Stop/Continue, which would make many
 *   receivers stumble; a receiver relocates on SPP).
 * - A stop: Stop on its bar line, then SPP of the bar play resumes from.
 *
 * Each clock's time is computed from its segment's anchor (anchor + k · pulse), never summed, so
 * windows of any size give the same messages and none drifts off the grid.
 */
import type { ServerMs, TransportSegment, TransportState } from '../../core/jam/contract.ts';
import { barMs, segments } from '../../core/jam/timeline.ts';
import { CLOCK, CONTINUE, PULSES_PER_QUARTER, START, STOP, songPosition } from './midi-bytes.ts';

export type ClockMessageKind = 'clock' | 'start' | 'continue' | 'stop' | 'position';

export interface ClockMessage {
  kind: ClockMessageKind;
  /** Server time it is due (ms). */
  atMs: ServerMs;
  data: number[];
  /** Count-in clocks (the receiver still stopped): true; the song's: absent. */
  countIn?: boolean;
}

/** In what order messages of the same instant go out: a Stop, then the position, then Start/Continue, then the clock. */
const ORDER: Record<ClockMessageKind, number> = { stop: 0, position: 1, start: 2, continue: 2, clock: 3 };

type Meter = TransportSegment['meter'];

/** Milliseconds between clocks at `bpm` (quarter notes a minute). */
export function pulseMs(bpm: number): number {
  return 60_000 / bpm / PULSES_PER_QUARTER;
}

/** Clocks in one bar of `meter`. */
export function pulsesPerBar(meter: Meter): number {
  return (PULSES_PER_QUARTER * 4 * meter.numerator) / meter.denominator;
}

/** The Song Position Pointer value (sixteenth notes) of a bar's downbeat. */
export function sixteenthsAtBar(bar: number, meter: Meter): number {
  return (bar * 16 * meter.numerator) / meter.denominator;
}

/** The bar a segment is in `linear` bars after its start, wrapped into its loop (as the timeline does). */
function wrappedBar(segment: TransportSegment, linear: number): number {
  const loop = segment.loop;
  if (!loop || segment.anchorBar >= loop.endBar || linear < loop.endBar) return linear;
  const length = loop.endBar - loop.startBar;
  return loop.startBar + ((linear - loop.startBar) % length);
}

/** Whether the receiver runs (was given Start or Continue) when `next` lands: `prev` played past its downbeat. */
function runningAt(prev: TransportSegment | undefined, atMs: ServerMs): boolean {
  return !!prev && prev.playing && atMs > prev.anchorMs;
}

/** The messages due in [fromMs, toMs) of server time, in the order they go out. */
export function clockMessages(state: TransportState, fromMs: ServerMs, toMs: ServerMs): ClockMessage[] {
  const chain = segments(state);
  const out: ClockMessage[] = [];
  const inWindow = (at: number): boolean => at >= fromMs && at < toMs;
  const push = (kind: ClockMessageKind, atMs: number, data: number[], countIn?: boolean): void => {
    if (!inWindow(atMs)) return;
    out.push(countIn ? { kind, atMs, data, countIn } : { kind, atMs, data });
  };
  for (let i = 0; i < chain.length; i++) {
    const segment = chain[i]!;
    const prev = chain[i - 1];
    const end = chain[i + 1]?.anchorMs ?? Number.POSITIVE_INFINITY;
    const at = segment.anchorMs;
    const running = runningAt(prev, at);
    const position = (bar: number, when: number) => push('position', when, songPosition(sixteenthsAtBar(bar, segment.meter)));
    if (!segment.playing) {
      if (running) {
        push('stop', at, [STOP]);
        position(segment.anchorBar, at);
      }
      continue;
    }
    if (running) {
      // Where the earlier segment's music would be on this bar line: the same bar is a tempo or
      // meter change (the clocks just change spacing), another bar is a jump.
      const length = barMs(prev!);
      const linear = prev!.anchorBar + Math.round((at - prev!.anchorMs) / length);
      if (wrappedBar(prev!, linear) !== segment.anchorBar) position(segment.anchorBar, at);
    } else {
      if (segment.countIn && segment.countIn.bars > 0) countInClocks(segment, Math.min(at, end), push);
      if (at < end) {
        if (segment.anchorBar === 0) push('start', at, [START]);
        else {
          position(segment.anchorBar, at);
          push('continue', at, [CONTINUE]);
        }
      }
    }
    // The song's clocks, from the anchor to the next segment's.
    const step = pulseMs(segment.bpm);
    const perBar = pulsesPerBar(segment.meter);
    const last = Math.min(end, toMs);
    let k = Math.max(0, Math.ceil((Math.max(fromMs, at) - at) / step - 1e-9));
    for (let t = at + k * step; t < last; k++, t = at + k * step) {
      if (t < fromMs) continue;
      const bars = k / perBar;
      if (k > 0 && Number.isInteger(bars) && segment.loop && segment.anchorBar < segment.loop.endBar) {
        const linear = segment.anchorBar + bars;
        // A wrap: this bar line is the loop's start again, coming from its end.
        if (linear >= segment.loop.endBar && wrappedBar(segment, linear) === segment.loop.startBar) position(segment.loop.startBar, t);
      }
      push('clock', t, [CLOCK]);
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs || ORDER[a.kind] - ORDER[b.kind]);
}

/** A count-in's clocks: its bars evenly from its start up to (not including) `until`. */
function countInClocks(
  segment: TransportSegment,
  until: number,
  push: (kind: ClockMessageKind, atMs: number, data: number[], countIn?: boolean) => void,
): void {
  const countIn = segment.countIn!;
  const count = countIn.bars * pulsesPerBar(segment.meter);
  const step = (segment.anchorMs - countIn.startMs) / count;
  for (let k = 0; k < count; k++) {
    const t = countIn.startMs + k * step;
    if (t >= until) break;
    push('clock', t, [CLOCK], true);
  }
}
