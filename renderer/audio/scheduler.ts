/**
 * The look-ahead scheduler: a pure state machine that turns a compiled song into timed events,
 * a small window at a time. Its owner calls advance(now) on every clock tick (Tone's context ticker
 * in real time, the simulated ticks of an OfflineContext when rendering); each call emits the
 * notes and clicks that fall between what was already scheduled and now + lookAhead.
 *
 * Because only ~lookAhead seconds are ever committed, an edit (a bandmate's included) is heard as
 * soon as the cursor reaches it — at the latest on the next pass of the loop — without stopping,
 * and a long song never floods the audio graph.
 *
 * Times are audio-context seconds; positions are grid ticks (before swing). The cursor runs
 * through up to three kinds of stretch: the count-in bars (clicks only), the song, and wraps back
 * to the loop start. Each change of the tick↔time mapping (start, count-in end, wrap, tempo
 * change) is kept as a segment, so the playhead can be read back for any recent time.
 */
import type { Ticks } from '../../core/time.ts';
import type { PresetId } from './presets.ts';
import { forEachNoteIn, type CompiledSong, type TickRange } from './song-events.ts';
import { swingTick, ticksPerSecond, type Seconds } from './timing.ts';

export type ScheduledEvent =
  | {
      kind: 'note';
      time: Seconds;
      duration: Seconds;
      trackId: string;
      preset: PresetId;
      pitch: number;
      /** MIDI velocity, 1..127. */
      velocity: number;
      /** Grid position in the song. */
      tick: Ticks;
    }
  | { kind: 'click'; time: Seconds; accent: boolean; countIn: boolean; tick: Ticks }
  /** The cursor jumped from the loop's end back to its start. */
  | { kind: 'loop'; time: Seconds; from: Ticks; to: Ticks }
  /** Playback reached the end (song end, or the range end of an offline render). */
  | { kind: 'end'; time: Seconds; tick: Ticks }
  /**
   * What was committed from `time` on was silenced (a stop, a seek, a shared change that came
   * within the look-ahead): told by the engine, not the scheduler, so that whatever follows the
   * events (MIDI out) ends its notes there too.
   */
  | { kind: 'cut'; time: Seconds };

export interface SchedulerOptions {
  /** How far ahead of now events are committed. Must exceed the clock's tick interval plus jitter. */
  lookAhead?: Seconds;
  /**
   * When the clock stalls (a frozen tab, a long task) and the cursor falls further behind than
   * this, the missed stretch is skipped silently rather than played as a burst of late notes.
   */
  maxLateness?: Seconds;
}

export interface StartOptions {
  /** Audio time at which the start tick (or the count-in before it) sounds. */
  time: Seconds;
  /** Grid tick the song starts from. */
  tick: Ticks;
  /** Bars of clicks before the start tick (0 or absent: none). */
  countInBars?: number;
}

interface Segment {
  time: Seconds;
  tick: Ticks;
  tps: number;
  countIn: boolean;
}

export interface PlayheadTick {
  /** Grid tick; during the count-in it runs through the bar before the start tick. */
  tick: Ticks;
  countIn: boolean;
  /**
   * How fast the tick moves from here (ticks per second): 0 while it waits (before the start,
   * at a stall, after the end). A playhead can glide at this rate to the next bar line.
   */
  ticksPerSecond?: number;
}

type Boundary = { tick: Ticks; kind: 'count-in' | 'loop' | 'end' | 'jump' };

/** A change of the tick↔time mapping decided elsewhere (a shared jam clock): from `time` on, `tick` at `bpm`. */
export interface Retime {
  time: Seconds;
  tick: Ticks;
  bpm: number;
  /**
   * The loop from then on, in ticks, overriding the song's (null: no wrap, play on); absent: as
   * before.
   */
  loop?: TickRange | null;
  /** Stop there instead (playback ends at `time`, as at a song's end). */
  stop?: boolean;
  /**
   * Count-in clicks before `time` (a jam start with a count-in; only when starting from stopped):
   * `bars` whole bars of the song's meter from audio time `time` of this field, evenly up to the
   * retime's `time`, where `tick` starts. Ignored while playing.
   */
  countIn?: { bars: number; time: Seconds };
}

export class Scheduler {
  readonly lookAhead: Seconds;
  readonly maxLateness: Seconds;
  /** Wrap at the loop range's end; off: play to the end and stop. */
  loop = true;
  /** Clicks on every beat while playing (the count-in always clicks). */
  metronome = false;
  /** Stop here instead of at the song's end (offline renders of a bar range); null: song end. */
  endTick: Ticks | null = null;
  /**
   * The tempo is set by retime() only (a jam's shared clock): a song whose tempo differs does not
   * re-anchor at the cursor, which would put the change off the bar line everyone else uses.
   */
  externalTempo = false;

  private song: CompiledSong | null = null;
  private playing = false;
  private startTick: Ticks = 0;
  private cursor: Ticks = 0;
  private anchor: Segment = { time: 0, tick: 0, tps: 1, countIn: false };
  /** The song's rate after a count-in that runs at a rate of its own (a retime's countIn); null: the count-in's. */
  private afterCountInTps: number | null = null;
  private segments: Segment[] = [];
  private ended: { time: Seconds; tick: Ticks } | null = null;
  /** A retime() still ahead of the cursor. */
  private pending: Retime | null = null;
  /** A play retime after a pending stop: begins once the stop is committed. */
  private restart: Retime | null = null;
  /** The loop set by retime(), overriding the song's and `loop`; undefined: the song's. */
  private loopOverride: TickRange | null | undefined = undefined;
  /** Events emitted since start, for stats. */
  emitted = 0;
  /**
   * Stretches skipped because the clock fell more than maxLateness behind (dropouts: their notes
   * never sound), and their total length in seconds; counted since the scheduler was made.
   */
  skipped = 0;
  skippedSeconds = 0;

  private readonly emit: (event: ScheduledEvent) => void;

  constructor(emit: (event: ScheduledEvent) => void, options: SchedulerOptions = {}) {
    this.emit = emit;
    this.lookAhead = options.lookAhead ?? 0.15;
    this.maxLateness = options.maxLateness ?? 0.25;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** The grid tick up to which events have been committed. */
  get cursorTick(): Ticks {
    return this.cursor;
  }

  /** Audio time of `tick` on the current stretch (no wrap or change between): drift checks. */
  timeAtTick(tick: Ticks): Seconds {
    return this.timeOf(tick);
  }

  /** The audio time up to which events have been committed. */
  get scheduledUntil(): Seconds {
    return this.timeOf(this.cursor);
  }

  /** When playback ended (or will end: it is known a look-ahead early), or null. */
  get endedAt(): { time: Seconds; tick: Ticks } | null {
    return this.ended;
  }

  /** A new snapshot takes effect from the next window; a tempo change re-anchors at the cursor. */
  setSong(song: CompiledSong): void {
    const tps = ticksPerSecond(song.bpm);
    if (this.playing && tps !== this.anchor.tps && !this.externalTempo) {
      this.pushSegment({ time: this.timeOf(this.cursor), tick: this.cursor, tps, countIn: this.cursor < this.startTick });
    }
    this.song = song;
  }

  start(options: StartOptions): void {
    const song = this.requireSong();
    this.startTick = options.tick;
    const countIn = Math.max(0, Math.floor(options.countInBars ?? 0));
    this.cursor = options.tick - countIn * song.barTicks;
    this.anchor = { time: options.time, tick: this.cursor, tps: ticksPerSecond(song.bpm), countIn: countIn > 0 };
    this.segments = [this.anchor];
    this.ended = null;
    this.pending = null;
    this.restart = null;
    this.afterCountInTps = null;
    this.emitted = 0;
    this.playing = true;
  }

  /**
   * From audio time `at.time` on, the song is at `at.tick` and runs at `at.bpm` (a shared jam
   * timeline re-anchored: a tempo, loop or position change that lands on a bar line). Until then
   * the current mapping goes on. Not playing: starts there. When events after `at.time` were
   * already committed (the change came in less than a look-ahead before it lands) the cursor goes
   * back to it and true is returned: the caller silences what was committed from `at.time`.
   */
  retime(at: Retime): boolean {
    if (!this.playing) {
      if (at.stop) return false;
      this.begin(at, true);
      return false;
    }
    if (this.ended && !at.stop && at.time >= this.ended.time) {
      // Stopped already (the stop is committed, its tail still sounding): play again from there.
      this.begin(at);
      return false;
    }
    if (at.time >= this.timeOf(this.cursor)) {
      if (this.pending?.stop && !at.stop && at.time > this.pending.time) {
        // Stop, then play again later (two presses, two bandmates): the stop still lands first.
        this.restart = at;
        return false;
      }
      this.pending = at;
      this.restart = null;
      return false;
    }
    this.pending = null;
    this.restart = null;
    if (at.stop) {
      const heard = this.playheadAt(at.time);
      this.ended = { time: at.time, tick: heard?.tick ?? at.tick };
      this.cursor = heard?.tick ?? at.tick;
      this.emitEvent({ kind: 'end', time: at.time, tick: this.ended.tick });
      return true;
    }
    this.ended = null;
    this.cursor = at.tick;
    // Segments after the new one no longer hold (they were committed ahead of it).
    while (this.segments.length > 1 && this.segments.at(-1)!.time > at.time) this.segments.pop();
    this.pushSegment({ time: at.time, tick: at.tick, tps: ticksPerSecond(at.bpm), countIn: false });
    this.startTick = Math.min(this.startTick, at.tick);
    if (at.loop !== undefined) this.loopOverride = at.loop;
    return true;
  }

  /**
   * Starts at a retime's time and tick, its count-in spanning up to it: from stopped (`fresh`:
   * the stats count from here) or again after a stop within a run.
   */
  private begin(at: Retime, fresh = false): void {
    const emitted = this.emitted;
    const bars = at.countIn ? Math.max(0, Math.floor(at.countIn.bars)) : 0;
    if (bars > 0 && at.countIn!.time < at.time) {
      // The count-in's clicks span exactly up to the shared start, whatever rounding made it.
      this.start({ time: at.countIn!.time, tick: at.tick, countInBars: bars });
      this.anchor.tps = (bars * this.requireSong().barTicks) / (at.time - at.countIn!.time);
      this.afterCountInTps = ticksPerSecond(at.bpm);
    } else {
      this.start({ time: at.time, tick: at.tick });
      this.anchor.tps = ticksPerSecond(at.bpm);
    }
    // A restart within a run keeps counting (advance() returns what it emitted).
    if (!fresh) this.emitted = emitted;
    if (at.loop !== undefined) this.loopOverride = at.loop;
  }

  /** Back to the song's loop range (leaving a jam). */
  clearLoopOverride(): void {
    this.loopOverride = undefined;
  }

  /** The loop range in force: retime()'s, else the song's when `loop` is on. */
  private loopRange(song: CompiledSong): TickRange | null {
    if (this.loopOverride !== undefined) return this.loopOverride;
    return this.loop ? song.loop : null;
  }

  /** Stops committing events; returns the grid tick playing at `now` (the start tick during a count-in). */
  stop(now: Seconds): Ticks {
    const at = this.playheadAt(now);
    this.pending = null;
    this.restart = null;
    this.playing = false;
    return at === null || at.countIn ? this.startTick : at.tick;
  }

  /** Commits every event due before now + lookAhead. Returns how many were emitted. */
  advance(now: Seconds): number {
    if (!this.playing || !this.song || this.ended) return 0;
    const before = this.emitted;
    const behind = now - this.timeOf(this.cursor);
    if (behind > this.maxLateness) {
      this.skipped++;
      this.skippedSeconds += behind;
      this.run(now, false);
    }
    this.run(now + this.lookAhead, true);
    this.prune(now);
    return this.emitted - before;
  }

  /** Where the playhead is at audio time `now` (null when stopped). */
  playheadAt(now: Seconds): PlayheadTick | null {
    if (!this.playing || this.segments.length === 0) return null;
    if (this.ended && now >= this.ended.time) return { tick: this.ended.tick, countIn: false, ticksPerSecond: 0 };
    let seg = this.segments[0]!;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      if (this.segments[i]!.time <= now) {
        seg = this.segments[i]!;
        break;
      }
    }
    // Before the start time the playhead waits at the first tick; past the committed cursor (a
    // stalled clock) it waits at the cursor rather than running past a wrap not yet taken.
    const tick = seg.tick + Math.max(0, now - seg.time) * seg.tps;
    const clamped = seg === this.anchor ? Math.min(tick, this.cursor) : tick;
    const moving = now >= seg.time && clamped === tick;
    return { tick: clamped, countIn: seg.countIn && clamped < this.startTick, ticksPerSecond: moving ? seg.tps : 0 };
  }

  private requireSong(): CompiledSong {
    if (!this.song) throw new Error('Scheduler: setSong() before start()');
    return this.song;
  }

  private timeOf(tick: Ticks): Seconds {
    return this.anchor.time + (tick - this.anchor.tick) / this.anchor.tps;
  }

  private pushSegment(segment: Segment): void {
    this.anchor = segment;
    this.segments.push(segment);
  }

  /** Drops segments that ended more than a second ago (the playhead never looks that far back). */
  private prune(now: Seconds): void {
    let keep = 0;
    while (keep + 1 < this.segments.length && this.segments[keep + 1]!.time <= now - 1) keep++;
    if (keep > 0) this.segments.splice(0, keep);
  }

  private nextBoundary(song: CompiledSong): Boundary {
    const other = this.otherBoundary(song);
    if (this.pending) {
      let tick = this.anchor.tick + (this.pending.time - this.anchor.time) * this.anchor.tps;
      // The new timeline plays from its own tick on: when the old one would reach that tick before
      // the change's time (a bar line pulled a few ms later by a drift correction), it hands over
      // there, or the events on that tick (a downbeat, its notes) would be committed twice.
      if (this.pending.tick >= this.cursor && this.pending.tick < tick) tick = this.pending.tick;
      // At a count-in's end the shared start lands exactly there: float noise must not put the
      // count-in boundary (and a sliver of the song) before it.
      if (tick <= other.tick + (other.kind === 'count-in' ? 1e-6 : 0))
        return { tick: Math.max(this.cursor, Math.min(tick, other.tick)), kind: 'jump' };
    }
    return other;
  }

  private otherBoundary(song: CompiledSong): Boundary {
    if (this.cursor < this.startTick) return { tick: this.startTick, kind: 'count-in' };
    const end = this.endTick ?? song.endTick;
    const loop = this.loopRange(song);
    if (loop && loop.end <= end) {
      // A loop range moved (or looping switched on) behind the cursor: wrap right away, so
      // looping always means "stay in the loop" and a jam never plays on into silence.
      return { tick: Math.max(this.cursor, loop.end), kind: 'loop' };
    }
    return { tick: Math.max(this.cursor, end), kind: 'end' };
  }

  /** Moves the cursor up to `horizon` (audio time), emitting events unless `audible` is false. */
  private run(horizon: Seconds, audible: boolean): void {
    const song = this.song!;
    while (this.playing && !this.ended && this.timeOf(this.cursor) < horizon) {
      const boundary = this.nextBoundary(song);
      const reach = this.anchor.tick + (horizon - this.anchor.time) * this.anchor.tps;
      const to = Math.min(boundary.tick, reach);
      if (audible && to > this.cursor) this.emitRange(song, this.cursor, to, boundary);
      this.cursor = to;
      if (to < boundary.tick) break;
      const time = this.timeOf(boundary.tick);
      if (boundary.kind === 'count-in') {
        this.pushSegment({ time, tick: boundary.tick, tps: this.afterCountInTps ?? this.anchor.tps, countIn: false });
        this.afterCountInTps = null;
      } else if (boundary.kind === 'jump') {
        const jump = this.pending!;
        this.pending = null;
        if (jump.stop) {
          this.ended = { time: jump.time, tick: boundary.tick };
          this.emitEvent({ kind: 'end', time: jump.time, tick: boundary.tick });
          const restart = this.restart;
          if (!restart) break;
          this.restart = null;
          this.begin(restart);
          continue;
        }
        this.cursor = jump.tick;
        this.startTick = Math.min(this.startTick, jump.tick);
        if (jump.loop !== undefined) this.loopOverride = jump.loop;
        this.pushSegment({ time: jump.time, tick: jump.tick, tps: ticksPerSecond(jump.bpm), countIn: false });
      } else if (boundary.kind === 'loop') {
        const start = this.loopRange(song)?.start ?? song.loop.start;
        if (audible) this.emitEvent({ kind: 'loop', time, from: boundary.tick, to: start });
        this.cursor = start;
        // Started mid-loop (a late joiner): the next pass plays the whole loop, no count-in in it.
        this.startTick = Math.min(this.startTick, start);
        this.pushSegment({ time, tick: start, tps: this.anchor.tps, countIn: false });
      } else {
        this.ended = { time, tick: boundary.tick };
        this.emitEvent({ kind: 'end', time, tick: boundary.tick });
      }
    }
  }

  private emitEvent(event: ScheduledEvent): void {
    this.emitted++;
    this.emit(event);
  }

  private emitRange(song: CompiledSong, from: Ticks, to: Ticks, boundary: Boundary): void {
    if (from < this.startTick) {
      this.emitClicks(song, from, Math.min(to, this.startTick), true);
      if (to <= this.startTick) return;
      from = this.startTick;
    }
    if (this.metronome) this.emitClicks(song, from, to, false);
    // Notes are cut where the cursor will jump (loop end, range end), so nothing hangs over a wrap.
    const cut = boundary.kind === 'count-in' ? Infinity : boundary.tick;
    const tps = this.anchor.tps;
    for (const track of song.tracks) {
      if (!track.audible) continue;
      forEachNoteIn(track.notes, from, to, (n) => {
        const start = swingTick(n.tick, song.swing, song.barTicks);
        const end = swingTick(Math.min(n.end, cut), song.swing, song.barTicks);
        this.emitEvent({
          kind: 'note',
          time: this.timeOf(start),
          // A floor keeps a zero-length note (cut right at its start) from becoming a silent event.
          duration: Math.max(0.005, (end - start) / tps),
          trackId: track.id,
          preset: track.preset,
          pitch: n.pitch,
          velocity: n.velocity,
          tick: n.tick,
        });
      });
    }
  }

  private emitClicks(song: CompiledSong, from: Ticks, to: Ticks, countIn: boolean): void {
    const beat = song.beatTicks;
    for (let b = Math.ceil(from / beat) * beat; b < to; b += beat) {
      const accent = ((b % song.barTicks) + song.barTicks) % song.barTicks === 0;
      this.emitEvent({ kind: 'click', time: this.timeOf(b), accent, countIn, tick: b });
    }
  }
}
