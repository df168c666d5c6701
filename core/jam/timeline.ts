/**
 * The shared transport's timeline: pure functions over TransportState (core/jam/contract.ts).
 *
 * A state is a chain of segments: the state's own values from `anchorMs` on, and `earlier`
 * segments before it. In a playing segment bar `anchorBar`'s downbeat sounds at `anchorMs` and
 * bars follow every barMs, wrapping inside the loop (when the segment starts before the loop's
 * end). Every change is placed on a bar line at least JAM_LEAD_MS ahead and becomes a new
 * segment there, so every position before it stays where it was for everyone.
 */
import {
  type CountIn,
  JAM_LEAD_MS,
  JAM_LIMITS,
  type RoomRules,
  type ServerMs,
  type TransportRequest,
  type TransportSegment,
  type TransportState,
} from './contract.ts';

export type Meter = TransportState['meter'];
export type Loop = NonNullable<TransportState['loop']>;

/** A request or rules with values out of range or of the wrong type. */
export class JamValueError extends Error {
  override name = 'JamValueError';
}

/** Earlier segments are kept for this long after they end (ms of server time) ... */
export const EARLIER_KEEP_MS = 30_000;
/** ... and at most this many. */
export const EARLIER_MAX = 8;

export function initialTransport(options: { bpm?: number; meter?: Meter; loop?: Loop | null; nowMs?: ServerMs } = {}): TransportState {
  const loop = options.loop ?? null;
  return {
    playing: false,
    bpm: options.bpm ?? 120,
    meter: options.meter ?? { numerator: 4, denominator: 4 },
    loop,
    anchorMs: options.nowMs ?? 0,
    anchorBar: loop ? loop.startBar : 0,
    revision: 0,
    changedBy: '',
  };
}

/** Length of one bar (ms): bpm counts quarter notes, a bar holds numerator × 4/denominator of them. */
export function barMs(state: { bpm: number; meter: Meter }): number {
  return (state.meter.numerator * (4 / state.meter.denominator) * 60_000) / state.bpm;
}

/** Length of one beat of the meter (ms): a quarter in 4/4, an eighth in 6/8. */
export function beatMs(state: { bpm: number; meter: Meter }): number {
  return barMs(state) / state.meter.numerator;
}

export interface Position {
  /** The bar (whole number, wrapped inside the loop). */
  bar: number;
  /** The beat within the bar, from 0. */
  beat: number;
  /** How far into the beat, [0, 1). */
  fraction: number;
  /** bar + how far into the bar, [bar, bar + 1). */
  barFloat: number;
  /** Times the loop has wrapped since the segment began. */
  wraps: number;
  playing: boolean;
  /**
   * False before the first downbeat of a start from stopped (the lead-in: bar/beat count up to
   * the start bar from below, barFloat < the start bar, never wrapped).
   */
  started: boolean;
  /**
   * True during a count-in (state.countIn): bar/beat are the count-in's, counting up to the start
   * bar from below (bar -1 is the last count-in bar before bar 0), started is false.
   */
  countIn: boolean;
}

function segmentOf(state: TransportState): TransportSegment {
  const { playing, bpm, meter, loop, anchorMs, anchorBar, countIn } = state;
  const segment: TransportSegment = { playing, bpm, meter, loop, anchorMs, anchorBar };
  if (countIn) segment.countIn = countIn;
  return segment;
}

/** Whether `atMs` falls in a segment's count-in (before its anchor, from the count-in's start). */
function inCountIn(segment: TransportSegment, atMs: ServerMs): boolean {
  return !!segment.countIn && atMs >= segment.countIn.startMs && atMs < segment.anchorMs;
}

/** All segments, oldest first; each applies from its anchor until the next one's. */
export function segments(state: TransportState): TransportSegment[] {
  return [...(state.earlier ?? [])].reverse().concat(segmentOf(state));
}

/**
 * The segment in effect at `atMs`: the latest whose anchor (or count-in start) is at or before it
 * (else the oldest).
 */
export function segmentAt(state: TransportState, atMs: ServerMs): TransportSegment {
  if (atMs >= state.anchorMs || !state.earlier?.length) return segmentOf(state);
  const current = segmentOf(state);
  if (inCountIn(current, atMs)) return current;
  for (const segment of state.earlier) if (segment.anchorMs <= atMs || inCountIn(segment, atMs)) return segment;
  return state.earlier.at(-1)!;
}

/** The bar number `linear` bars after a segment's anchor bar, wrapped into its loop; and the wraps. */
function wrapBar(segment: TransportSegment, linear: number): { bar: number; wraps: number } {
  const loop = segment.loop;
  if (!loop || segment.anchorBar >= loop.endBar || linear < loop.endBar) return { bar: linear, wraps: 0 };
  const length = loop.endBar - loop.startBar;
  const into = linear - loop.startBar;
  const wraps = Math.floor(into / length);
  return { bar: loop.startBar + (into - wraps * length), wraps };
}

/** Where the music is at a server time. */
export function positionAt(state: TransportState, atMs: ServerMs): Position {
  const segment = segmentAt(state, atMs);
  if (!segment.playing) {
    // Stopped: the bar the segment stopped on (for the oldest kept segment, its own anchor bar).
    return {
      bar: segment.anchorBar,
      beat: 0,
      fraction: 0,
      barFloat: segment.anchorBar,
      wraps: 0,
      playing: false,
      started: false,
      countIn: false,
    };
  }
  if (inCountIn(segment, atMs)) {
    const countIn = segment.countIn!;
    const barFloat = segment.anchorBar - (segment.anchorMs - atMs) / countInBarMs(segment, countIn);
    const bar = Math.floor(barFloat);
    const inBeats = (barFloat - bar) * countIn.beats;
    const beat = Math.min(countIn.beats - 1, Math.floor(inBeats));
    return { bar, beat, fraction: inBeats - beat, barFloat, wraps: 0, playing: true, started: false, countIn: true };
  }
  const length = barMs(segment);
  const elapsed = (atMs - segment.anchorMs) / length;
  const beats = segment.meter.numerator;
  if (elapsed < 0) {
    const barFloat = segment.anchorBar + elapsed;
    const bar = Math.floor(barFloat);
    const inBeats = (barFloat - bar) * beats;
    const beat = Math.min(beats - 1, Math.floor(inBeats));
    return { bar, beat, fraction: inBeats - beat, barFloat, wraps: 0, playing: true, started: false, countIn: false };
  }
  const whole = Math.floor(elapsed);
  const { bar, wraps } = wrapBar(segment, segment.anchorBar + whole);
  const intoBar = elapsed - whole;
  const inBeats = intoBar * beats;
  const beat = Math.min(beats - 1, Math.floor(inBeats));
  return { bar, beat, fraction: inBeats - beat, barFloat: bar + intoBar, wraps, playing: true, started: true, countIn: false };
}

/** Length of one count-in bar (ms): the count-in spans its bars evenly up to the segment's anchor. */
function countInBarMs(segment: TransportSegment, countIn: CountIn): number {
  return (segment.anchorMs - countIn.startMs) / countIn.bars;
}

export interface CountInClick {
  /** Server time of the click. */
  atMs: ServerMs;
  /** The count-in bar, counting up to the start bar from below (-1: the bar just before bar 0's downbeat when starting at 0). */
  bar: number;
  /** The beat within the count-in bar, from 0 (0: the accented one). */
  beat: number;
  accent: boolean;
  /** The bar the song starts on and when (the first real downbeat right after the count-in). */
  startBar: number;
  startMs: ServerMs;
}

/**
 * The count-in clicks in [fromMs, toMs), across segments, oldest first: what a peer plays before
 * a start with a count-in (a stop landing during a count-in cuts it there).
 */
export function countInClicks(state: TransportState, fromMs: ServerMs = -Infinity, toMs: ServerMs = Infinity): CountInClick[] {
  const chain = segments(state);
  const out: CountInClick[] = [];
  for (let i = 0; i < chain.length; i++) {
    const segment = chain[i]!;
    const countIn = segment.countIn;
    if (!countIn) continue;
    const end = Math.min(toMs, segment.anchorMs, i + 1 < chain.length ? chain[i + 1]!.anchorMs : Infinity);
    const clicks = countIn.bars * countIn.beats;
    const step = (segment.anchorMs - countIn.startMs) / clicks;
    for (let k = 0; k < clicks; k++) {
      const atMs = countIn.startMs + k * step;
      if (atMs >= end) break;
      if (atMs < fromMs) continue;
      const beat = k % countIn.beats;
      out.push({
        atMs,
        bar: segment.anchorBar - countIn.bars + Math.floor(k / countIn.beats),
        beat,
        accent: beat === 0,
        startBar: segment.anchorBar,
        startMs: segment.anchorMs,
      });
    }
  }
  return out;
}

export interface Downbeat {
  /** Server time of the bar's first beat. */
  atMs: ServerMs;
  bar: number;
  bpm: number;
  meter: Meter;
}

/**
 * The next `count` downbeats at or after `fromMs` (fewer when the transport stops before them),
 * across segments: what a peer schedules.
 */
export function downbeats(state: TransportState, fromMs: ServerMs, count: number): Downbeat[] {
  const chain = segments(state);
  const out: Downbeat[] = [];
  for (let i = 0; i < chain.length && out.length < count; i++) {
    const segment = chain[i]!;
    const end = i + 1 < chain.length ? chain[i + 1]!.anchorMs : Infinity;
    if (!segment.playing || end <= fromMs) continue;
    const length = barMs(segment);
    const start = Math.max(fromMs, segment.anchorMs);
    // The first whole bar k ≥ 0 with anchorMs + k·length ≥ start (tolerating float noise).
    let k = Math.max(0, Math.ceil((start - segment.anchorMs) / length - 1e-9));
    for (; out.length < count; k++) {
      const atMs = segment.anchorMs + k * length;
      if (atMs >= end) break;
      if (atMs < fromMs) continue;
      out.push({ atMs, bar: wrapBar(segment, segment.anchorBar + k).bar, bpm: segment.bpm, meter: segment.meter });
    }
  }
  return out;
}

/** The downbeat of the k-th upcoming bar (k = 0: the next) at or after `fromMs`, or null. */
export function downbeatAfter(state: TransportState, fromMs: ServerMs, k = 0): Downbeat | null {
  return downbeats(state, fromMs, k + 1)[k] ?? null;
}

/**
 * The first bar line at least `leadMs` after `serverNow`: where a change asked for now lands while
 * the transport plays. Null when it is stopped by then.
 */
export function nextBarLine(state: TransportState, serverNow: ServerMs, leadMs = JAM_LEAD_MS): Downbeat | null {
  return downbeatAfter(state, serverNow + leadMs);
}

// ---------------------------------------------------------------------------------------------
// Validation (the server gets these values from the network).

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkBar(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > JAM_LIMITS.maxBar) {
    throw new JamValueError(`${what} must be a whole number of bars from 0 to ${JAM_LIMITS.maxBar}`);
  }
  return value;
}

export function checkCountInBars(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > JAM_LIMITS.maxCountInBars) {
    throw new JamValueError(`countInBars must be a whole number from 0 to ${JAM_LIMITS.maxCountInBars}`);
  }
  return value;
}

export function checkBpm(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < JAM_LIMITS.minBpm || value > JAM_LIMITS.maxBpm) {
    throw new JamValueError(`bpm must be a number from ${JAM_LIMITS.minBpm} to ${JAM_LIMITS.maxBpm}`);
  }
  return value;
}

export function checkMeter(value: unknown): Meter {
  if (!isObject(value)) throw new JamValueError('meter must be { numerator, denominator }');
  const { numerator, denominator } = value;
  if (typeof numerator !== 'number' || !Number.isInteger(numerator) || numerator < 1 || numerator > JAM_LIMITS.maxMeterNumerator) {
    throw new JamValueError(`meter numerator must be a whole number from 1 to ${JAM_LIMITS.maxMeterNumerator}`);
  }
  if (typeof denominator !== 'number' || !JAM_LIMITS.meterDenominators.includes(denominator)) {
    throw new JamValueError(`meter denominator must be one of ${JAM_LIMITS.meterDenominators.join(', ')}`);
  }
  return { numerator, denominator };
}

export function checkLoop(value: unknown): Loop | null {
  if (value === null) return null;
  if (!isObject(value)) throw new JamValueError('loop must be { startBar, endBar } or null');
  const startBar = checkBar('loop startBar', value.startBar);
  const endBar = checkBar('loop endBar', value.endBar);
  if (endBar <= startBar) throw new JamValueError('loop endBar must be after startBar');
  return { startBar, endBar };
}

/** A request as received (any JSON) turned into a valid TransportRequest, or JamValueError. */
export function checkTransportRequest(value: unknown): TransportRequest {
  if (!isObject(value)) throw new JamValueError('a transport request must be an object');
  switch (value.action) {
    case 'play': {
      const play: TransportRequest & { action: 'play' } = { action: 'play' };
      if (value.fromBar !== undefined) play.fromBar = checkBar('fromBar', value.fromBar);
      if (value.countInBars !== undefined) play.countInBars = checkCountInBars(value.countInBars);
      if (value.atMs !== undefined) {
        if (typeof value.atMs !== 'number' || !Number.isFinite(value.atMs)) throw new JamValueError('atMs must be a server time in ms');
        play.atMs = value.atMs;
      }
      return play;
    }
    case 'stop':
      return { action: 'stop' };
    case 'tempo':
      return { action: 'tempo', bpm: checkBpm(value.bpm) };
    case 'loop':
      if (!('loop' in value)) throw new JamValueError('loop request without a loop (null clears it)');
      return { action: 'loop', loop: checkLoop(value.loop) };
    case 'meter':
      return { action: 'meter', meter: checkMeter(value.meter) };
    default:
      throw new JamValueError(`unknown transport action ${JSON.stringify(String(value.action)).slice(0, 40)}`);
  }
}

export function checkRules(value: unknown): RoomRules {
  if (!isObject(value)) throw new JamValueError('rules must be an object');
  const { transportLocked, students, spotlightTrackId } = value;
  if (typeof transportLocked !== 'boolean') throw new JamValueError('rules.transportLocked must be true or false');
  if (students !== 'edit' && students !== 'own-track' && students !== 'live-only') {
    throw new JamValueError("rules.students must be 'edit', 'own-track' or 'live-only'");
  }
  if (spotlightTrackId !== null && (typeof spotlightTrackId !== 'string' || spotlightTrackId.length > JAM_LIMITS.maxTrackIdLength)) {
    throw new JamValueError('rules.spotlightTrackId must be a track id or null');
  }
  return { transportLocked, students, spotlightTrackId };
}

// ---------------------------------------------------------------------------------------------
// Changes.

/**
 * A player's own bar line (play's atMs, see the contract), or null when it cannot be used. One
 * that arrives too soon (the request was slow: a loaded machine, a long trip) moves on by whole
 * bars of the state's tempo and meter to the first at or after `at`, its bar with it: the player's
 * music still goes on without a jump, a bar or two later than asked. More than
 * JAM_LIMITS.maxPlayAheadMs early or late: null.
 */
function ownBarLine(
  segment: TransportSegment,
  atMs: ServerMs,
  bar: number,
  at: ServerMs,
  earliest: ServerMs,
): { atMs: ServerMs; bar: number } | null {
  if (atMs > earliest + JAM_LIMITS.maxPlayAheadMs || atMs < at - JAM_LIMITS.maxPlayAheadMs) return null;
  const length = barMs(segment);
  const late = Math.max(0, Math.ceil((at - atMs) / length - 1e-9));
  const line = Math.ceil(atMs + late * length);
  return { atMs: line, bar: late ? wrapBar({ ...segment, anchorBar: bar }, bar + late).bar : bar };
}

/**
 * The state after `request` (validated; JamValueError when out of range), asked at `serverNow` by
 * `by`. While playing, the change lands on the first bar line at least JAM_LEAD_MS ahead (or
 * merges into a change already pending there); positions before it are unchanged. From stopped,
 * play starts at `fromBar` (default: the loop's start, else 0) JAM_LEAD_MS ahead (whole ms), or
 * at its `atMs` (ownBarLine: moved on by whole bars when it came too soon);
 * tempo, loop and meter changes of a stopped transport apply at once. A request that changes
 * nothing (play while playing without fromBar, stop while stopped) returns `state` itself.
 *
 * Count-in: play from stopped with countInBars n ≥ 1 starts n bars of clicks (current tempo and
 * meter) JAM_LEAD_MS ahead and puts bar `fromBar`'s downbeat (the anchor, whole ms) right after
 * them: state.countIn. Changes asked during a count-in land on that downbeat (the count-in itself
 * does not move), except stop, which cuts the count-in JAM_LEAD_MS ahead (whole ms).
 */
export function applyTransportRequest(
  state: TransportState,
  request: TransportRequest,
  serverNow: ServerMs,
  by: string,
  leadMs = JAM_LEAD_MS,
): TransportState {
  const r = checkTransportRequest(request);
  const earliest = serverNow + leadMs;
  const current = segmentOf(state);
  let next: TransportSegment;
  let at: ServerMs;

  if (!current.playing) {
    // Stopped from state.anchorMs on (possibly a stop still pending: the music plays until then).
    if (r.action === 'stop') return state;
    if (r.action === 'play') {
      const anchorBar = r.fromBar ?? current.loop?.startBar ?? 0;
      const bars = r.countInBars ?? 0;
      if (bars > 0) {
        const length = bars * barMs(current);
        at = Math.ceil(Math.max(earliest, current.anchorMs) + length);
        next = {
          ...current,
          playing: true,
          anchorMs: at,
          anchorBar,
          countIn: { bars, startMs: at - length, beats: current.meter.numerator },
        };
      } else {
        at = Math.max(Math.ceil(earliest), current.anchorMs);
        let bar = anchorBar;
        const own = r.atMs === undefined ? null : ownBarLine(current, r.atMs, anchorBar, at, earliest);
        if (own) ({ atMs: at, bar } = own);
        next = { ...current, playing: true, anchorMs: at, anchorBar: bar };
        delete next.countIn;
      }
    } else {
      // Nothing sounds after the stop: change the stopped segment itself.
      at = current.anchorMs;
      next = { ...current };
      if (r.action === 'tempo') next.bpm = r.bpm;
      if (r.action === 'meter') next.meter = r.meter;
      if (r.action === 'loop') {
        next.loop = r.loop;
        next.anchorBar = r.loop ? r.loop.startBar : 0;
      }
    }
  } else {
    if (r.action === 'play' && r.fromBar === undefined) return state;
    // The first bar line of the current segment at or after both the lead and its own anchor.
    const length = barMs(current);
    const k = Math.max(0, Math.ceil((Math.max(earliest, current.anchorMs) - current.anchorMs) / length - 1e-9));
    at = current.anchorMs + k * length;
    const barThere = wrapBar(current, current.anchorBar + k).bar;
    next = { ...current, anchorMs: at, anchorBar: barThere };
    // A count-in belongs to its own segment: one merging into it (landing on its anchor) keeps it.
    if (at !== current.anchorMs) delete next.countIn;
    if (r.action === 'stop' && current.countIn && Math.ceil(earliest) < current.anchorMs) {
      // A stop during a count-in cuts it (rather than letting it click on into silence).
      at = Math.max(Math.ceil(earliest), current.countIn.startMs);
      next = { ...current, playing: false, anchorMs: at, anchorBar: current.loop?.startBar ?? 0 };
      delete next.countIn;
    }
    switch (r.action) {
      case 'play':
        next.anchorBar = r.fromBar!;
        break;
      case 'stop':
        next.playing = false;
        next.anchorBar = current.loop?.startBar ?? 0;
        break;
      case 'tempo':
        next.bpm = r.bpm;
        break;
      case 'meter':
        next.meter = r.meter;
        break;
      case 'loop':
        next.loop = r.loop;
        // Past the new loop's end: jump to its start on that bar line (before its start: play into it).
        if (r.loop && barThere >= r.loop.endBar) next.anchorBar = r.loop.startBar;
        break;
    }
  }

  // Segments before the new anchor: the current one (unless the change merges into it, landing on
  // its own anchor) and the earlier ones, pruned.
  // A stop cutting a count-in lands before the count-in segment's anchor: that segment stays too.
  if (!next.playing) delete next.countIn;
  const keepCurrent = at > current.anchorMs || (!next.playing && current.playing && !!current.countIn && at <= current.anchorMs);
  const earlier = keepCurrent ? [current, ...(state.earlier ?? [])] : [...(state.earlier ?? [])];
  const kept: TransportSegment[] = [];
  let end = at;
  for (const segment of earlier) {
    if (kept.length >= EARLIER_MAX || end < serverNow - EARLIER_KEEP_MS) break;
    kept.push(segment);
    end = segment.anchorMs;
  }
  const result: TransportState = { ...next, revision: state.revision + 1, changedBy: by };
  if (kept.length) result.earlier = kept;
  return result;
}
