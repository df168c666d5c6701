/**
 * The live transport: the app shell's `Transport` (../transport.ts) over the engine, on an
 * AudioContext of its own (wrapped for Tone). It owns what the UI sees — playing or not, the playhead, loop, metronome,
 * count-in — and turns button presses into engine starts and stops.
 *
 * The playhead is read from the audio clock, corrected for output latency, so the drawn position
 * matches what is heard. position() is the smooth one, cheap enough to poll every animation frame
 * (the shell's usePlayheadBar does). The state's playheadBar moves too, as the shell's contract
 * asks, but in quarter-bar steps: a state change re-renders every subscriber, and sixty of those
 * a second would cost the UI far more than the playhead is worth.
 */
import { Context, type BaseContext } from 'tone';
import type { Ticks } from '../../../core/time.ts';
import type {
  AudioTransport,
  AudioTransportState,
  AuditionRequest,
  FollowCommand,
  HeardStamp,
  SongSource,
  TransportPosition,
} from '../contract.ts';
import type { CompiledSong } from '../song-events.ts';
import type { PlayheadTick } from '../scheduler.ts';
import { barBeatTick, ticksPerSecond } from '../timing.ts';
import { WorkletSampler, type SamplerLoadOptions } from '../sampler/worklet-sampler.ts';
import { patchForTrack } from '../sampler/patch.ts';
import { AudioEngine } from './engine.ts';
import { LIMITER_LATENCY } from './master.ts';

export interface AudioTransportOptions {
  /**
   * Tone context to play on. Default: the transport's own, over a native AudioContext (closed by
   * dispose()). Native, not Tone's default wrapper (standardized-audio-context), because every note
   * creates a few nodes and the wrapper's bookkeeping made that several times dearer on the main
   * thread.
   */
  context?: BaseContext;
  /** Scheduler look-ahead, seconds (default 0.15). */
  lookAhead?: number;
  /** How long a stalled clock may fall behind before the missed stretch is skipped, seconds (default 0.25). */
  maxLateness?: number;
  /** Gap between pressing play and the first beat, seconds: room for the first window (default 0.06). */
  startDelay?: number;
  /**
   * Play the tracks' sampled instruments (default true): the sound bank loads in the background
   * and the synthesized voices play until it has (state.instruments). False: synthesized only.
   */
  sampled?: boolean | SamplerLoadOptions;
  /** Initial state (loop defaults to on, metronome and count-in to off). */
  initial?: Partial<Pick<AudioTransportState, 'loop' | 'metronome' | 'countInBars'>>;
}

/** State updates of the playhead per bar while playing (see the header). */
const PLAYHEAD_STEPS_PER_BAR = 4;

export function createAudioTransport(source: SongSource, options: AudioTransportOptions = {}): AudioTransport {
  const ownContext = !options.context;
  const context = options.context ?? new Context(new AudioContext({ latencyHint: 'interactive' }));
  /** Browsers start an AudioContext suspended until a user gesture; play() and audition() are one. */
  const resume = (): Promise<void> => (context.state === 'running' ? Promise.resolve() : context.resume());
  const startDelay = options.startDelay ?? 0.06;
  let songFilter: ((song: ReturnType<SongSource['getSong']>) => ReturnType<SongSource['getSong']>) | null = null;
  const getSong = () => (songFilter ? songFilter(source.getSong()) : source.getSong());
  const engine = new AudioEngine(context, getSong, { lookAhead: options.lookAhead, maxLateness: options.maxLateness });
  const unsubscribe = source.subscribe(() => engine.songChanged());
  const listeners = new Set<() => void>();
  const raw = context.rawContext as AudioContext;
  let state: AudioTransportState = {
    playing: false,
    playheadBar: 0,
    metronome: false,
    countInBars: 0,
    loop: true,
    audioSuspended: raw.state !== 'running',
    ...options.initial,
  };
  // Suspended until a gesture (autoplay policy), or by the system: the UI offers a click to resume.
  const onContextState = (): void => {
    const suspended = raw.state !== 'running';
    if (suspended !== state.audioSuspended) set({ audioSuspended: suspended });
  };
  raw.addEventListener?.('statechange', onContextState);
  let sampler: WorkletSampler | null = null;
  let samplerReady: Promise<void> = Promise.resolve();
  let disposed = false;
  const samplerOptions =
    options.sampled === false ? null : options.sampled === true || options.sampled === undefined ? {} : options.sampled;
  if (samplerOptions && typeof AudioWorkletNode === 'function' && raw.audioWorklet) {
    state = { ...state, instruments: 'loading' };
    // The song's instruments are decoded first (the worker decodes while the worklet loads).
    const patches = samplerOptions.patches ?? getSong().tracks.map(patchForTrack);
    const loading = WorkletSampler.load(raw, { ...samplerOptions, patches });
    /** Resolves once the tracks play sampled (or it is known they cannot): tests and benchmarks wait on it. */
    samplerReady = loading.then(
      async (loaded) => {
        if (disposed) return void loaded.dispose();
        sampler = loaded;
        engine.setSampler(loaded);
        // Patches the song gained while loading (an edit, a bandmate's instrument change).
        await loaded.settled();
        if (!disposed) set({ instruments: 'sampled' });
      },
      (error: unknown) => {
        console.warn('riffroom: sampled instruments unavailable, playing synthesized voices', error);
        if (!disposed) set({ instruments: 'synthesized' });
      },
    );
  } else {
    state = { ...state, instruments: 'synthesized' };
  }
  /** Where playback starts from when stopped; the playhead shown while stopped. */
  let stoppedTick: Ticks = 0;
  let frame: (() => void) | null = null;
  let starting: Promise<void> | null = null;
  /** Bumped by stop(): a play() still waiting for the AudioContext to resume must not start. */
  let generation = 0;
  engine.scheduler.loop = state.loop;
  engine.scheduler.metronome = state.metronome;

  function set(patch: Partial<AudioTransportState>): void {
    state = { ...state, ...patch };
    for (const l of [...listeners]) l();
  }

  /**
   * The audio time being heard now: the context clock minus what is still in the output pipeline,
   * from the output timestamp when the browser gives a sane one (it is garbage before the first
   * callback), else from the reported latency. Never decreasing: timestamps jitter by a few ms,
   * and a playhead must not twitch backwards.
   */
  let lastHeard = 0;
  const audibleTime = (): number => {
    const now = context.currentTime;
    const stamp = typeof raw.getOutputTimestamp === 'function' ? raw.getOutputTimestamp() : undefined;
    const fromStamp =
      stamp?.contextTime && stamp.performanceTime ? stamp.contextTime + (performance.now() - stamp.performanceTime) / 1000 : NaN;
    const heard = fromStamp <= now && fromStamp > now - 0.5 ? fromStamp : now - (raw.outputLatency || raw.baseLatency || 0);
    lastHeard = Math.max(lastHeard, heard - LIMITER_LATENCY);
    return Math.max(0, lastHeard);
  };

  /** Following a shared timeline (a jam): play/stop come from follow(), not the buttons. */
  let following = false;

  const songTickNow = (): PlayheadTick => {
    if (!state.playing) return { tick: stoppedTick, countIn: false };
    return engine.playheadAt(audibleTime()) ?? { tick: stoppedTick, countIn: false };
  };

  /** Where play() starts: the stopped position, pulled into the loop or back to the top when past the end. */
  const startTick = (song: CompiledSong): Ticks => {
    if (state.loop && stoppedTick >= song.loop.end) return song.loop.start;
    if (!state.loop && stoppedTick >= song.endTick) return 0;
    return stoppedTick;
  };

  const onFrame = (): void => {
    frame = null;
    if (!state.playing) return;
    const song = engine.song();
    const ended = engine.scheduler.endedAt;
    if (ended && audibleTime() >= ended.time) {
      // Loop off and the song is over: stop where it ended, as a player would.
      engine.stop();
      // Following a jam, the shared state says where play resumes (set by the stop command).
      if (!following) stoppedTick = ended.tick;
      set({ playing: false, playheadBar: stoppedTick / song.barTicks });
      return;
    }
    const now = songTickNow();
    const bar = (now.countIn ? stoppedTick : now.tick) / song.barTicks;
    const step = (b: number) => Math.floor(b * PLAYHEAD_STEPS_PER_BAR);
    if (step(bar) !== step(state.playheadBar)) set({ playheadBar: bar });
    requestFrame();
  };

  const requestFrame = (): void => {
    if (frame) return;
    const visible = typeof document === 'undefined' || !document.hidden;
    if (visible && typeof requestAnimationFrame === 'function') {
      const id = requestAnimationFrame(onFrame);
      frame = () => cancelAnimationFrame(id);
    } else {
      // Hidden tabs get no animation frames; the end-of-song check still has to run.
      const id = setTimeout(onFrame, 100);
      frame = () => clearTimeout(id);
    }
  };

  const startAt = (tick: Ticks, countInBars: number): void => {
    engine.prepare();
    engine.start({ time: context.currentTime + startDelay, tick, countInBars });
    requestFrame();
  };

  const transport: AudioTransport = {
    getState: () => state,

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    get isPlaying() {
      return state.playing;
    },

    play() {
      if (state.playing) return Promise.resolve();
      const asked = generation;
      starting ??= (async () => {
        await resume();
        if (state.playing || asked !== generation) return;
        const song = engine.song();
        stoppedTick = startTick(song);
        set({ playing: true, playheadBar: stoppedTick / song.barTicks });
        startAt(stoppedTick, state.countInBars);
      })().finally(() => (starting = null));
      return starting;
    },

    stop() {
      generation++;
      if (!state.playing) return;
      frame?.();
      frame = null;
      stoppedTick = engine.stop(audibleTime());
      set({ playing: false, playheadBar: stoppedTick / engine.song().barTicks });
    },

    toggle() {
      if (state.playing) {
        transport.stop();
        return Promise.resolve();
      }
      return transport.play();
    },

    seek(bar) {
      transport.seekTick(Math.max(0, bar) * engine.song().barTicks);
    },

    seekTick(tick) {
      const song = engine.song();
      stoppedTick = Math.max(0, tick);
      if (state.playing) {
        // Jump: silence what was committed from the old position, restart at the new one.
        engine.stop();
        startAt(stoppedTick, 0);
      }
      set({ playheadBar: stoppedTick / song.barTicks });
    },

    setLoop(on) {
      engine.scheduler.loop = on;
      set({ loop: on });
    },

    setMetronome(on) {
      engine.scheduler.metronome = on;
      set({ metronome: on });
    },

    setCountIn(bars) {
      set({ countInBars: Math.max(0, Math.floor(bars)) });
    },

    position(): TransportPosition {
      const song = engine.song();
      const now = songTickNow();
      const { tick, countIn } = now;
      return {
        ...barBeatTick(tick, song.meter),
        seconds: tick / ticksPerSecond(song.bpm),
        songTick: tick,
        countIn,
        ticksPerSecond: now.ticksPerSecond ?? 0,
      };
    },

    audition(request: AuditionRequest) {
      void resume();
      return engine.audition(request);
    },

    stopAudition() {
      engine.stopAudition();
    },

    onEvent: (listener) => engine.onEvent(listener),

    audioTime: () => context.currentTime,

    get following() {
      return following;
    },

    follow(command: FollowCommand | null) {
      if (!command) {
        if (!following) return;
        following = false;
        engine.scheduler.externalTempo = false;
        engine.scheduler.clearLoopOverride();
        engine.scheduler.endTick = null;
        engine.scheduler.loop = state.loop;
        engine.songChanged();
        return;
      }
      following = true;
      engine.scheduler.externalTempo = true;
      // The shared loop (or none: play on) decides wraps; the song's end does not stop anyone.
      engine.scheduler.endTick = Number.POSITIVE_INFINITY;
      const song = engine.song();
      if (command.kind === 'rest') {
        stoppedTick = Math.max(0, command.tick);
        if (!state.playing) set({ playheadBar: stoppedTick / song.barTicks });
        return;
      }
      const at = command.at;
      if (at.stop) {
        stoppedTick = Math.max(0, at.tick);
        if (!state.playing) return;
        engine.retime(at);
        return;
      }
      generation++;
      void resume();
      engine.retime(at);
      if (!state.playing) set({ playing: true, playheadBar: at.tick / song.barTicks });
      requestFrame();
    },

    liveNote(note, time) {
      void resume();
      const at = time ?? context.currentTime;
      if (note.kind === 'on') engine.liveNoteOn(note.key, note.trackId, note.pitch, note.velocity, at);
      else engine.liveNoteOff(note.key, at);
    },

    heardStamp(): HeardStamp {
      const now = context.currentTime;
      const perf = performance.now();
      const stamp = typeof raw.getOutputTimestamp === 'function' ? raw.getOutputTimestamp() : undefined;
      if (
        stamp?.contextTime &&
        stamp.performanceTime &&
        stamp.contextTime <= now &&
        stamp.contextTime > now - 0.5 &&
        stamp.performanceTime <= perf + 1
      ) {
        return { contextTime: stamp.contextTime - LIMITER_LATENCY, performanceTime: stamp.performanceTime };
      }
      return { contextTime: now - (raw.outputLatency || raw.baseLatency || 0) - LIMITER_LATENCY, performanceTime: perf };
    },

    resume,

    setLocalSilence(trackIds) {
      engine.setSilenced(new Set(trackIds));
    },

    setSongFilter(filter) {
      songFilter = filter;
      engine.songChanged();
    },

    nextBarLine() {
      if (!engine.scheduler.isPlaying) return null;
      const song = engine.song();
      const cursor = engine.scheduler.cursorTick;
      const tick = Math.ceil((cursor + 1e-6) / song.barTicks) * song.barTicks;
      return { tick, time: engine.scheduler.timeAtTick(tick) };
    },

    stats: () => engine.stats(),

    instrumentsReady: () => samplerReady,

    dispose() {
      frame?.();
      frame = null;
      raw.removeEventListener?.('statechange', onContextState);
      unsubscribe();
      disposed = true;
      engine.dispose();
      sampler?.dispose();
      sampler = null;
      listeners.clear();
      if (ownContext) context.dispose();
    },
  };
  return transport;
}
