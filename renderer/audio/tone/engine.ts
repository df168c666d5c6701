/**
 * The engine: binds the pure scheduler (../scheduler.ts) to a clock and the mixer's instruments.
 * It runs the same way live and offline — one scheduling window per tick of Tone's context clock
 * (every 50 ms) live, one per pause of the rendering offline (offline.ts) — so an offline render
 * is a faithful recording of what playback sounds like.
 *
 * Song changes are pulled, not pushed: a change only marks the song dirty, and the next tick
 * compiles the latest snapshot once, however many edits arrived in between.
 *
 * Live, nothing heavy happens in one go on the main thread: the tracks' instruments are built
 * ahead in idle slices (warm()), and the notes of a window are turned into audio nodes a few
 * milliseconds' worth per task (pump()): the first window after play holds every track's downbeat
 * at once, and would otherwise be one long task on the press of the button. A note is never put
 * off past its time's approach (URGENT), and offline renders (manual clock) do everything at once.
 */
import type { BaseContext, ToneAudioNode } from 'tone';
import type { Song } from '../../../core/song/types.ts';
import type { Ticks } from '../../../core/time.ts';
import { AUDITION_TRACK_ID, auditionSong } from '../audition-song.ts';
import type { AuditionHandle, AuditionRequest, EngineStats } from '../contract.ts';
import type { SamplerPort } from '../sampler/sampled-voice.ts';
import { Scheduler, type PlayheadTick, type Retime, type ScheduledEvent, type StartOptions } from '../scheduler.ts';
import { compileSong, type CompiledSong } from '../song-events.ts';
import { Mixer } from './mixer.ts';

export interface EngineOptions {
  /** Seconds of events committed ahead of the clock (default 0.15: three 50 ms ticks). */
  lookAhead?: number;
  /**
   * How far the clock may stall (a frozen tab, a long task, a busy machine) before the missed
   * stretch is skipped rather than played late (default 0.25 s; see SchedulerOptions).
   */
  maxLateness?: number;
  /**
   * 'context' (default): a scheduling window on every tick of the Tone context's clock.
   * 'manual': the owner calls tick(now) itself (offline renders pause the rendering to do so).
   */
  clock?: 'context' | 'manual';
  /** Where the master bus goes (default: the context's destination). */
  destination?: ToneAudioNode;
}

/** Extra time after an audition's end before it counts as done (most of the release tails). */
const AUDITION_TAIL = 0.3;
/** How many window timings stats() summarises (the most recent). */
const STATS_WINDOW = 4096;
/** Main-thread time one task spends turning committed notes into audio nodes before yielding, ms. */
const NODE_BUDGET_MS = 8;
/** A note due within this long of the audio clock gets its nodes at once, budget or not, seconds. */
const URGENT = 0.03;
/** Main-thread time one idle slice spends building instruments ahead, ms. */
const WARM_BUDGET_MS = 6;

/** A committed event whose audio nodes are still to be made. */
interface PendingSound {
  time: number;
  make: () => void;
  /** Already late when committed (counted then, by emit()). */
  late: boolean;
}

interface Audition {
  scheduler: Scheduler;
  finish: () => void;
}

export class AudioEngine {
  readonly context: BaseContext;
  readonly scheduler: Scheduler;
  private readonly destination: ToneAudioNode;
  private mixerMade: Mixer | null = null;
  private readonly getSong: () => Song;
  private readonly lookAhead: number;
  private readonly maxLateness: number | undefined;
  private compiled: CompiledSong | null = null;
  private dirty = true;
  private current: Audition | null = null;
  private readonly listeners = new Set<(event: ScheduledEvent) => void>();
  private readonly windowMs: number[] = [];
  private windows = 0;
  private compiles = 0;
  private compileMsTotal = 0;
  private compileMsMax = 0;
  private events = 0;
  private lateEvents = 0;
  private disposed = false;
  private readonly manualClock: boolean;
  /** Committed events still without their nodes, in order (live only; see pump()). */
  private pending: PendingSound[] = [];
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private warmCancel: (() => void) | null = null;
  /** Tracks heard elsewhere only (a MIDI port, "instead"): their events are told, not sounded here. */
  private silenced: ReadonlySet<string> = new Set();
  /** Live notes held on a sampled instrument: key → the strip's voice and the pitch. */
  private readonly liveHeld = new Map<string, { release: (time: number) => void }>();

  constructor(context: BaseContext, getSong: () => Song, options: EngineOptions = {}) {
    this.context = context;
    this.getSong = getSong;
    this.lookAhead = options.lookAhead ?? 0.15;
    this.maxLateness = options.maxLateness;
    this.destination = options.destination ?? context.destination;
    this.scheduler = new Scheduler((e) => this.dispatch(e), { lookAhead: this.lookAhead, maxLateness: this.maxLateness });
    this.manualClock = options.clock === 'manual';
    if (!this.manualClock) context.on('tick', this.onTick);
    this.warm();
  }

  /**
   * The master bus, reverb, metronome and instrument strips: made on first use — in idle time by
   * warm(), or by whatever needs it first — not while the room loads (about 80 ms of main thread
   * on a 2-core laptop, the reverb's impulse above all).
   */
  get mixer(): Mixer {
    return (this.mixerMade ??= new Mixer(this.context, this.destination));
  }

  /** The song changed; the next tick picks up the new snapshot. */
  songChanged(): void {
    this.dirty = true;
    this.warm();
  }

  /** The compiled song, recompiled first if it changed (and the mixer brought in line). */
  song(time = this.context.currentTime): CompiledSong {
    if (this.dirty || !this.compiled) {
      const t0 = performance.now();
      this.compiled = compileSong(this.getSong());
      this.dirty = false;
      this.scheduler.setSong(this.compiled);
      // Notes committed before the change go to the instruments they were committed to.
      this.flush();
      this.mixer.sync(this.compiled, time);
      this.warm();
      const ms = performance.now() - t0;
      this.compiles++;
      this.compileMsTotal += ms;
      this.compileMsMax = Math.max(this.compileMsMax, ms);
    }
    return this.compiled;
  }

  /**
   * Builds the instruments of every audible track. start() does it too; calling it first lets the
   * caller pick the start time after the (tens of ms of) building, so the first notes are not late.
   */
  prepare(now = this.context.currentTime): void {
    this.mixer.prepare(this.song(now));
    // The ones just taken need successors for the next start.
    this.warm();
  }

  /** Starts the song and commits the first window right away (its nodes: see pump()). */
  start(options: StartOptions, now = this.context.currentTime): void {
    this.prepare(now);
    this.scheduler.start(options);
    this.scheduler.advance(now);
    this.pump();
  }

  /**
   * Stops the song and silences what was already committed, from now; returns the tick playing at
   * `heardAt` (the audible time, a little behind the context clock).
   */
  stop(heardAt = this.context.currentTime): Ticks {
    const tick = this.scheduler.stop(heardAt);
    this.flush();
    this.mixer.silenceAll(this.context.currentTime);
    this.tell({ kind: 'cut', time: this.context.currentTime });
    this.warm();
    return tick;
  }

  /**
   * Follows a shared timeline (a jam): from `at.time` the song is at `at.tick` at `at.bpm` (or
   * stops there). Starts when stopped; what was committed after the change is silenced.
   */
  retime(at: Retime, now = this.context.currentTime): void {
    if (!this.scheduler.isPlaying) this.prepare(now);
    else this.song(now);
    // Where the old timeline had the change's tick: a drift correction moves a bar line by a few
    // ms, and what was committed from the earlier of the two goes, or a downbeat sounds twice.
    const before = this.scheduler.isPlaying ? this.scheduler.timeAtTick(at.tick) : Infinity;
    if (this.scheduler.retime(at)) {
      this.flush();
      const from = Math.abs(before - at.time) < 0.05 ? Math.min(before, at.time) : at.time;
      this.mixer.silenceAll(Math.max(now, from));
      this.tell({ kind: 'cut', time: Math.max(now, from) });
      this.warm();
    }
    this.scheduler.advance(now);
    this.pump();
  }

  /**
   * Plays every track on the sampler from now on (the transport calls it once the bank is loaded).
   * Notes already committed stay on the synthesized voices they were committed to.
   */
  setSampler(sampler: SamplerPort<AudioNode>, now = this.context.currentTime): void {
    this.flush();
    this.mixer.setSampler(sampler, this.song(now), now);
  }

  /** Whether tracks play sampled instruments (false: synthesized, while the bank loads or if it cannot). */
  get sampled(): boolean {
    return this.mixerMade?.sampling ?? false;
  }

  /**
   * A note played live, at once. Sampled: on the track's own instrument (a note-on now, its
   * note-off on release). Synthesized: on an extra strip of the track's instrument per held key, so
   * its note-off cuts just that note (instruments play notes of a set length). `key` names the
   * held note (player, track, pitch).
   */
  liveNoteOn(key: string, trackId: string | null, pitch: number, velocity: number, time: number): void {
    const song = this.song(time);
    const track = song.tracks.find((t) => t.id === trackId) ?? song.tracks[0];
    if (!track || this.silenced.has(track.id)) return;
    const voice = this.mixer.strip(track.id)?.sampled;
    if (voice) {
      this.liveHeld.get(key)?.release(time);
      voice.noteOn(pitch, velocity, time);
      this.liveHeld.set(key, { release: (at) => voice.noteOff(pitch, at) });
      return;
    }
    const strip = this.mixer.extraStrip(`live:${key}`, track.preset, track.gainDb, time);
    strip.silence(time);
    strip.play(pitch, time, 30, velocity);
  }

  liveNoteOff(key: string, time: number): void {
    const held = this.liveHeld.get(key);
    if (held) {
      this.liveHeld.delete(key);
      held.release(time);
      return;
    }
    this.mixer.silenceExtra(`live:${key}`, time + 0.02);
  }

  /**
   * Tracks not to sound here (their notes go to a MIDI port instead): their events are still
   * scheduled and told to onEvent's listeners. What already sounds of them is cut.
   */
  setSilenced(trackIds: ReadonlySet<string>, now = this.context.currentTime): void {
    const added = [...trackIds].filter((id) => !this.silenced.has(id));
    this.silenced = new Set(trackIds);
    if (!added.length || !this.mixerMade) return;
    this.flush();
    for (const id of added) this.mixer.strip(id)?.silence(now);
  }

  playheadAt(time: number): PlayheadTick | null {
    return this.scheduler.playheadAt(time);
  }

  audition(request: AuditionRequest, delay = 0.03): AuditionHandle {
    const now = this.context.currentTime;
    this.stopAudition(now);
    const song = compileSong(auditionSong(request, this.getSong().meta));
    const strip = this.mixer.extraStrip(AUDITION_TRACK_ID, song.tracks[0]!.preset, song.tracks[0]!.gainDb, now, song.tracks[0]!.patch);
    if (!strip.sampled) strip.ensureInstrument();
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const scheduler = new Scheduler(
      (e) => {
        if (e.kind === 'note') strip.play(e.pitch, e.time, e.duration, e.velocity);
        // The audition's own end and wraps are not the song's: a listener (MIDI out) would end
        // the song's notes there. Its notes are told (note lights).
        if (e.kind === 'note' || e.kind === 'click') this.emit(e);
      },
      { lookAhead: this.lookAhead, maxLateness: this.maxLateness },
    );
    scheduler.loop = !!request.loop;
    scheduler.setSong(song);
    scheduler.start({ time: now + delay, tick: 0 });
    const audition: Audition = { scheduler, finish };
    this.current = audition;
    scheduler.advance(now);
    return {
      stop: () => {
        if (this.current === audition) this.stopAudition(this.context.currentTime);
      },
      done,
    };
  }

  /** Stops the audition now, cutting what still sounds (a natural end lets the tails ring). */
  stopAudition(now = this.context.currentTime): void {
    this.endAudition(now, true);
  }

  private endAudition(now: number, cut: boolean): void {
    const audition = this.current;
    if (!audition) return;
    this.current = null;
    audition.scheduler.stop(now);
    if (cut) this.mixer.silenceExtra(AUDITION_TRACK_ID, now);
    audition.finish();
  }

  onEvent(listener: (event: ScheduledEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): EngineStats {
    const sorted = [...this.windowMs].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      windows: this.windows,
      windowMs: { mean: sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1), p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 },
      compiles: this.compiles,
      compileMs: { mean: this.compileMsTotal / (this.compiles || 1), max: this.compileMsMax },
      events: this.events,
      lateEvents: this.lateEvents,
      skipped: this.scheduler.skipped,
      skippedSeconds: this.scheduler.skippedSeconds,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.manualClock) this.context.off('tick', this.onTick);
    this.warmCancel?.();
    this.warmCancel = null;
    if (this.pumpTimer !== null) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    this.pending = [];
    this.stopAudition();
    this.scheduler.stop(this.context.currentTime);
    this.mixerMade?.dispose();
    this.listeners.clear();
  }

  /** One scheduling window: everything due before now + lookAhead is committed. */
  tick(now: number): void {
    // Stopped, a changed song waits: play, an audition or warm()'s idle slices compile it (a room
    // that just loaded would otherwise build its whole mixer on the first tick, mid-load).
    if (this.disposed || (!this.scheduler.isPlaying && !this.current)) return;
    const t0 = performance.now();
    this.song(now);
    this.scheduler.advance(now);
    this.pump();
    const audition = this.current;
    if (audition) {
      audition.scheduler.advance(now);
      const ended = audition.scheduler.endedAt;
      if (ended && now >= ended.time + AUDITION_TAIL) this.endAudition(now, false);
    }
    this.windows++;
    this.windowMs.push(performance.now() - t0);
    if (this.windowMs.length > STATS_WINDOW) this.windowMs.splice(0, this.windowMs.length - STATS_WINDOW);
  }

  private readonly onTick = (): void => this.tick(this.context.currentTime);

  private dispatch(event: ScheduledEvent): void {
    if (event.kind === 'note') {
      const strip = this.silenced.has(event.trackId) ? undefined : this.mixer.strip(event.trackId);
      if (strip) this.sound(event.time, () => strip.play(event.pitch, event.time, event.duration, event.velocity));
    } else if (event.kind === 'click') {
      this.sound(event.time, () => this.mixer.metronome.click(event.time, event.accent));
    }
    this.emit(event);
  }

  /** Makes an event's nodes now (offline) or queues it for pump() (live), keeping the order. */
  private sound(time: number, make: () => void): void {
    if (this.manualClock) make();
    else this.pending.push({ time, make, late: time < this.context.currentTime });
  }

  /**
   * Makes the queued events' nodes, NODE_BUDGET_MS worth per task; the rest follows in the next
   * tasks (or the next tick, whichever comes first). Urgent ones are made regardless.
   */
  private pump(): void {
    if (!this.pending.length) return;
    const t0 = performance.now();
    let done = 0;
    while (done < this.pending.length) {
      const item = this.pending[done]!;
      if (done > 0 && performance.now() - t0 > NODE_BUDGET_MS && item.time > this.context.currentTime + URGENT) break;
      done++;
      // Late only because its nodes were put off: counted here (emit() counted those late already).
      if (!item.late && item.time < this.context.currentTime) this.lateEvents++;
      item.make();
    }
    this.pending.splice(0, done);
    if (this.pending.length && this.pumpTimer === null && !this.disposed) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, 0);
    }
  }

  /** Makes every queued event's nodes now (before the instruments they belong to are silenced or replaced). */
  private flush(): void {
    const pending = this.pending;
    if (!pending.length) return;
    this.pending = [];
    for (const item of pending) item.make();
  }

  /**
   * Builds the tracks' next instruments ahead, in idle slices (live only): on creation, after the
   * tracks change, and after a start or a stop used some up. Play then finds them built.
   */
  private warm(): void {
    if (this.manualClock || this.disposed || this.warmCancel) return;
    const step = (deadline?: IdleDeadline): void => {
      this.warmCancel = null;
      if (this.disposed) return;
      if (!this.mixerMade) {
        // The mixer alone in its slice; the instruments in the next ones.
        void this.mixer;
        this.warm();
        return;
      }
      const t0 = performance.now();
      const song = this.song();
      while (this.mixer.prebuildOne(song)) {
        const left = deadline && !deadline.didTimeout ? deadline.timeRemaining() : Infinity;
        if (performance.now() - t0 > WARM_BUDGET_MS || left < 3) {
          this.warm();
          return;
        }
      }
    };
    if (typeof requestIdleCallback === 'function') {
      // The first slice (the mixer) waits for real idle time: a page still loading comes first.
      const id = requestIdleCallback(step, { timeout: this.mixerMade ? 500 : 3000 });
      this.warmCancel = () => cancelIdleCallback(id);
    } else {
      const id = setTimeout(step, 0);
      this.warmCancel = () => clearTimeout(id);
    }
  }

  /** Tells listeners of an event that is not a sound (stats leave it out). */
  private tell(event: ScheduledEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private emit(event: ScheduledEvent): void {
    this.events++;
    if (event.time < this.context.currentTime) this.lateEvents++;
    for (const listener of this.listeners) listener(event);
  }
}
