/**
 * The audio engine's contract with the app, beyond the UI's `Transport` (./transport.ts, owned by
 * the app shell): where the song comes from, the richer playhead, auditions, offline renders and
 * the engine's statistics. Types only — no Tone, no DOM — so any module and any Node test can
 * import it. The implementations live in ./tone/.
 */
import type { Note, Song, TrackRole } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';
import type { Retime, ScheduledEvent } from './scheduler.ts';
import type { Transport, TransportState } from './transport.ts';

export type { Retime, ScheduledEvent } from './scheduler.ts';

/**
 * What a shared timeline (a jam, renderer/jam/) tells the engine, in audio-context seconds:
 * play (start, or re-anchor while playing) from `at`, stop at `at.time` (`at.stop`), or, while
 * stopped, rest the playhead at `tick`.
 */
export type FollowCommand = { kind: 'play'; at: Retime } | { kind: 'rest'; tick: Ticks };

/**
 * A pair of clocks read together: audio-context time `contextTime` is heard at
 * `performanceTime` (performance.now() ms). The output latency is inside it.
 */
export interface HeardStamp {
  contextTime: number;
  performanceTime: number;
}

/** One note played live (a key or a MIDI key going down or up). */
export interface LiveNoteCommand {
  kind: 'on' | 'off';
  /** Who holds it and which key: an 'off' ends the 'on' of the same key. */
  key: string;
  trackId: string | null;
  pitch: number;
  velocity: number;
}

/**
 * Where the engine reads the song: a snapshot getter and a change subscription. SongStore fits
 * as it is: `{ getSong: store.getSnapshot, subscribe: store.subscribe }`.
 */
export interface SongSource {
  getSong(): Song;
  /** Calls `onChange` after the song changed (any edit, local or a bandmate's); returns an unsubscribe. */
  subscribe(onChange: () => void): () => void;
}

export interface TransportPosition {
  /** 0-based bar (the UI shows bar + 1). During a count-in: the bars before the start (-1 from bar 0). */
  bar: number;
  /** 0-based beat within the bar. */
  beat: number;
  /** Ticks into the beat (fractional while playing; 480 per quarter). */
  tick: Ticks;
  /** Song time of the position at the song's tempo (negative during a count-in from bar 0). */
  seconds: number;
  /** Absolute grid tick: the value to draw a playhead from. */
  songTick: Ticks;
  /** True while count-in clicks play. */
  countIn: boolean;
  /**
   * How fast songTick moves from here, ticks per second (0 while the playhead waits: stopped,
   * before the start, a stall). A drawn playhead can glide at this rate to the next bar line
   * (renderer/state/playhead-motion.ts) instead of being moved every frame.
   */
  ticksPerSecond: number;
}

export interface AudioTransportState extends TransportState {
  /**
   * Loop the song's loop range, or the whole song when it has none (the default, for jamming);
   * off: play to the end of the song once and stop there.
   */
  loop: boolean;
  /**
   * The browser holds the sound: its AudioContext waits for a user gesture (autoplay policy), as
   * for a guest whose page starts following a jam already playing. The UI asks for a click.
   */
  audioSuspended: boolean;
  /**
   * What the tracks play: 'loading' while the sound bank loads (the synthesized voices play
   * meanwhile), 'sampled' once it has, 'synthesized' where it cannot (no AudioWorklet, the bank
   * failed to load, or sampling was turned off).
   */
  instruments?: 'loading' | 'sampled' | 'synthesized';
}

/** A note list previewed on an instrument: a clip, or a generated variation before it is accepted. */
export interface AuditionRequest {
  /** Ticks relative to the first bar of the preview (Clip.notes and generated notes both fit). */
  notes: ReadonlyArray<Pick<Note, 'pitch' | 'tick' | 'duration' | 'velocity'>>;
  /** The role whose preset plays it, unless `instrument` names another (a track's instrument). */
  role: TrackRole;
  instrument?: string;
  /** Length in bars (default: enough whole bars to hold every note). */
  bars?: number;
  /** Tempo (default: the song's). Meter and swing are always the song's. */
  bpm?: number;
  /** Repeat until stopped. */
  loop?: boolean;
  /** Fader for the preview, dB (default 0). */
  volumeDb?: number;
}

export interface AuditionHandle {
  stop(): void;
  /** Resolves when the preview has played to its end or was stopped. */
  readonly done: Promise<void>;
}

export interface EngineStats {
  /** Scheduling windows run (clock ticks that had work: compile, mixer sync, events). */
  windows: number;
  /** Main-thread time per window, ms: the scheduler plus the Tone calls it makes. */
  windowMs: { mean: number; p50: number; p95: number; max: number };
  /** Song recompiles (one per batch of edits) and their cost, ms. */
  compiles: number;
  compileMs: { mean: number; max: number };
  /** Events handed to instruments since the engine started. */
  events: number;
  /** Notes whose time had already passed when scheduled (a stalled clock). */
  lateEvents: number;
  /**
   * Stretches of the song skipped because the clock stalled past maxLateness (dropouts: their
   * notes never sounded), and their total length, seconds.
   */
  skipped: number;
  skippedSeconds: number;
}

export interface AudioTransport extends Transport {
  getState(): AudioTransportState;
  /** Same as getState().playing. */
  readonly isPlaying: boolean;
  /** Resolves once the AudioContext runs and the first window is scheduled. */
  play(): Promise<void>;
  toggle(): Promise<void>;
  /** Like seek(), in song ticks. */
  seekTick(tick: Ticks): void;
  setLoop(on: boolean): void;
  /** The playhead now, as heard (output latency allowed for). Cheap: poll it every frame. */
  position(): TransportPosition;
  /** Plays notes on an instrument, alongside playback or alone; a new audition replaces the last. */
  audition(request: AuditionRequest): AuditionHandle;
  stopAudition(): void;
  /**
   * Every event as it is committed to the instruments, up to a look-ahead before it sounds: light
   * a note at `event.time - audioTime()` seconds from now.
   */
  onEvent(listener: (event: ScheduledEvent) => void): () => void;
  /** The audio clock now, seconds: the timeline that ScheduledEvent times are on. */
  audioTime(): number;
  stats(): EngineStats;
  /** Resolves once state.instruments has left 'loading' (the bank is in, or it is known it cannot be). */
  instrumentsReady?(): Promise<void>;
  /**
   * Follows a shared timeline (a jam): the scheduler's tempo and loop come from the commands, not
   * the song, and play/stop happen at their times. follow(null): back to local playing.
   */
  follow(command: FollowCommand | null): void;
  /** True while following a shared timeline. */
  readonly following: boolean;
  /** Plays a live note at audio time `time` (default: now). */
  liveNote(note: LiveNoteCommand, time?: number): void;
  /** The audio clock and the performance clock read together, as heard (see HeardStamp). */
  heardStamp(): HeardStamp;
  /** Resumes the AudioContext (browsers start it suspended until a user gesture). */
  resume(): Promise<void>;
  /**
   * Tracks whose notes are heard elsewhere only (sent to a MIDI port "instead"): still scheduled
   * and told to onEvent's listeners, not sounded here (nor their live notes).
   */
  setLocalSilence(trackIds: readonly string[]): void;
  /** Changes the song as the engine hears it (a jam's spotlight: solo in place); null: as it is. */
  setSongFilter(filter: ((song: Song) => Song) | null): void;
  /** The next bar line ahead of what was committed, with its audio time, while playing: drift checks. */
  nextBarLine(): { tick: Ticks; time: number } | null;
  dispose(): void;
}

export interface RenderOptions {
  /** First bar rendered (default 0). */
  fromBar?: number;
  /** Bar after the last rendered (default: the song's end). */
  toBar?: number;
  sampleRate?: number;
  /** Seconds rendered after the last bar for releases and reverb (default 1.5). */
  tailSeconds?: number;
  /** Include metronome clicks (default false). */
  metronome?: boolean;
  /**
   * 'sampled' (default): the tracks' sampled instruments, rendered by the synth in a worker and
   * mixed through the same mixer as live; if the bank or the worker is unavailable, the
   * synthesized voices. 'synthesized': the synthesized voices only.
   */
  instruments?: 'sampled' | 'synthesized';
}

export interface RenderedAudio {
  sampleRate: number;
  channels: Float32Array[];
  /** Seconds. */
  duration: number;
}

/**
 * The audio engine's transport behind the UI's `Transport`, or null for one without sound (the
 * tests' null transport): the one place that asks what a transport can do, so the UI passes the
 * answer on instead of casting.
 */
export function audioTransportOf(transport: Transport): AudioTransport | null {
  const t = transport as Partial<AudioTransport>;
  const can = (name: keyof AudioTransport) => typeof t[name] === 'function';
  return can('audition') && can('follow') && can('position') && can('heardStamp') && can('resume') && can('setLocalSilence')
    ? (transport as AudioTransport)
    : null;
}
