/**
 * The room's jam: the jam channel's client (core/jam/jam-client.ts) bound to this window's audio
 * engine and song. It
 * - makes the engine follow the server's transport (time-map.ts: server time → audio time, with
 *   the clock estimate, the output latency and this peer's compensation), re-anchoring exactly at
 *   each state's anchor and pulling drift back onto the shared timeline;
 * - hands the UI a Transport (jam-transport.ts) whose play/stop/seek ask the server while the
 *   channel is up (and act locally when it is not), and sends the song's tempo, loop and meter
 *   along when they change here;
 * - plays live notes (this user's at once, bandmates' as they arrive) and sends this user's;
 * - records a take of live notes into a clip (take-recorder.ts: through the page's EditRunner and
 *   the teacher's rules, like every edit), and asks the AI to answer (answer.ts);
 * - keeps what the jam panel shows (peers, live indicators, rules, settings) as one store.
 */
import type { JamPeer, LiveNote, RoomRules, TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { DEFAULT_RULES, JAM_LIMITS } from '../../core/jam/contract.ts';
import { LOCAL_EDIT } from '../../core/song/edits.ts';
import type { EditRunner } from '../app/edit-runner.ts';
import { recordRefusal } from './rules-guard.ts';
import type { Song } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { AudioTransport, FollowCommand } from '../audio/contract.ts';
import { resolveMix } from '../audio/mix.ts';
import type { RoomSession } from '../state/session.ts';
import type { Quantize } from './recording.ts';
import { audioAt, barMsOf, driftCorrection, followCommand, joinRequest, serverAt, type ClockMap, type ServerClock } from './time-map.ts';
import { ticksPerSecond } from '../audio/timing.ts';
import { JamTransport, type RoomTransport } from './jam-transport.ts';
import { TakeRecorder, type RecordState } from './take-recorder.ts';

export type { RecordState };

/** What the session needs of core/jam/jam-client.ts's JamClient. */
export interface JamClientLike {
  readonly clock: ServerClock & { readonly ready: boolean; readonly offsetMs: number; readonly rttMs: number };
  readonly me: { clientId: string; id: string; name: string; role: 'owner' | 'editor' | 'viewer' } | null;
  readonly status: string;
  transport(): TransportState | null;
  rules(): RoomRules;
  peers(): JamPeer[];
  /** False when not connected (the request was not sent). */
  request(request: TransportRequest): boolean;
  sendLive(notes: LiveNote[]): void;
  setRules(rules: RoomRules): void;
  onChange(listener: (kind: string) => void): () => void;
  onLive(listener: (message: { from: string; name: string; notes: LiveNote[]; relayedAt: number }, receivedAt: number) => void): () => void;
  onRefused(listener: (reason: string, request: string | undefined) => void): () => void;
  /** Why the server closed the channel for its token (4401), until a newer one is given. */
  readonly expired: string | null;
  /** Renews the channel's token (in place when open; reconnects a channel closed for its token). */
  setToken(token: string): void;
  close(): void;
}

export interface LiveIndicator {
  name: string;
  /** performance.now() of the last note received (or played, for this user). */
  lastAt: number;
  /** Receive time − note.at on the server clock, ms (null for this user's own notes). */
  latencyMs: number | null;
  pitch: number;
  held: number;
}

export interface JamSettings {
  /** Latency compensation, ms (positive: this peer plays earlier). */
  compensationMs: number;
  typing: boolean;
  quantize: Quantize;
  aiAnswers: boolean;
  aiBars: 1 | 2 | 4;
}

export interface JamView {
  /** The channel is up, the clock estimated and the transport known: the shared clock rules. */
  live: boolean;
  status: string;
  me: JamClientLike['me'];
  transport: TransportState | null;
  rules: RoomRules;
  peers: JamPeer[];
  liveBy: Record<string, LiveIndicator>;
  record: RecordState;
  settings: JamSettings;
  /** The last refusal or problem, for the panel. */
  message: string | null;
  /** The AI answer's state ("listening", "answering", the last answer's label). */
  ai: string | null;
}

const SETTINGS_KEY = 'riffroom.jam.settings';
const DEFAULT_SETTINGS: JamSettings = { compensationMs: 0, typing: false, quantize: '16th', aiAnswers: false, aiBars: 2 };
/** How often drift between the audio clock and the shared clock is checked (ms). */
const DRIFT_CHECK_MS = 250;
/**
 * How far ahead (s) a player already playing asks the room to start: the server's lead
 * (JAM_LEAD_MS) plus the request's trip there and the tempo and loop requests sent before it.
 */
const JOIN_LEAD_S = 0.5;

function loadSettings(): JamSettings {
  try {
    const raw = globalThis.localStorage?.getItem(SETTINGS_KEY);
    return raw ? { ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<JamSettings>), typing: false, aiAnswers: false } : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** The loop the song asks for: its loop range, or the whole song (as the local transport plays). */
export function songLoop(song: Song): { startBar: number; endBar: number } {
  if (song.meta.loop && song.meta.loop.endBar > song.meta.loop.startBar) return song.meta.loop;
  let end = 1;
  for (const c of song.clips) end = Math.max(end, c.startBar + c.lengthBars);
  return { startBar: 0, endBar: end };
}

const sameLoop = (a: TransportState['loop'], b: TransportState['loop']): boolean =>
  a === b || (!!a && !!b && a.startBar === b.startBar && a.endBar === b.endBar);

/** Spotlight: the track soloed in place in everyone's mix. */
export function spotlightSong(song: Song, trackId: string | null): Song {
  if (!trackId || !song.tracks.some((t) => t.id === trackId)) return song;
  return { ...song, tracks: song.tracks.map((t) => ({ ...t, solo: t.id === trackId, mute: t.id === trackId ? false : t.mute })) };
}

export class JamSession {
  readonly transport: AudioTransport;
  private view: JamView;
  private readonly listeners = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];
  private followedRevision = -1;
  /** Play was pressed before the channel was ready: the room is asked to play from here. */
  private playingAhead = false;
  private wasLive = false;
  private driftTimer: ReturnType<typeof setInterval> | undefined;
  private readonly recorder: TakeRecorder;
  private localEdited = false;
  /** Live notes this user played recently (the AI answer's prompt), server times. */
  readonly played: LiveNote[] = [];
  /**
   * Downbeats as scheduled (for tests and the bench): bar, server ms (through this page's audio ↔
   * server mapping, which carries the output timestamp's jitter) and the audio time itself (s).
   */
  readonly scheduledDownbeats: { bar: number; serverMs: number; audioTime: number }[] = [];
  /**
   * Clicks as scheduled while live (count-in and metronome), on the server clock (tests, bench):
   * bar (negative during a count-in from bar 0), beat, accent, count-in or not, server ms.
   */
  readonly scheduledClicks: { bar: number; beat: number; accent: boolean; countIn: boolean; serverMs: number; audioTime: number }[] = [];
  /**
   * Every change of the engine's timeline this session asked for while following (tests, bench):
   * the audio time (s) from which the engine plays on a new mapping (a count-in's first click for a
   * start with one), and why: 'follow' (a shared state applied) or 'drift' (the next bar line pulled
   * back onto the shared clock, moved by `shiftMs` on the audio clock). A downbeat gap that spans one
   * is the re-anchoring's, not the tempo's.
   */
  readonly retimes: { audioTime: number; reason: 'follow' | 'drift'; shiftMs: number | null }[] = [];
  /** Live notes received: server ms of the note, receive time on the server clock (tests, bench). */
  readonly received: { from: string; pitch: number; kind: string; at: number; receivedAt: number }[] = [];
  /** The song as the audio engine last took it (through the song filter: the spotlight applied), or null before it did. */
  private heardSong: Song | null = null;

  readonly session: RoomSession;
  readonly engine: AudioTransport;
  readonly client: JamClientLike;

  constructor(session: RoomSession, engine: AudioTransport, client: JamClientLike) {
    this.session = session;
    this.engine = engine;
    this.client = client;
    this.view = {
      live: false, status: client.status, me: client.me, transport: null, rules: DEFAULT_RULES, peers: [], liveBy: {},
      record: { phase: 'off' }, settings: loadSettings(), message: null, ai: null,
    };
    this.transport = new JamTransport(engine, this.roomTransport());
    this.recorder = new TakeRecorder({
      doc: session.doc,
      live: () => this.view.live,
      shared: () => this.client.transport(),
      onShared: (listener) => this.client.onChange(listener),
      serverNow: () => this.serverNow(),
      quantize: () => this.view.settings.quantize,
      refusal: (trackId) => this.recordRefusal(trackId),
      state: () => this.view.record,
      show: (record, message) => this.set(message === undefined ? { record } : { record, message }),
      say: (message) => this.set({ message }),
      play: () => void this.transport.play(),
      metronome: () => this.engine.getState().metronome,
      setMetronome: (on) => this.engine.setMetronome(on),
      author: () => this.client.me?.name ?? null,
    });
    this.cleanups.push(client.onChange((kind) => this.onClientChange(kind)));
    this.cleanups.push(client.onLive((m, receivedAt) => this.onLive(m, receivedAt)));
    this.cleanups.push(client.onRefused((reason, request) => {
      // A renewal sent in place and refused: the channel stays until its exp, then closes (4401).
      if (request === 'token') return this.set({ message: `Your access could not be renewed: ${reason}` });
      this.playingAhead = false;
      this.set({ message: `Refused: ${reason}` });
    }));
    // The page's token, renewed as the session goes: the channel takes each renewal in place.
    this.cleanups.push(session.token.subscribe((event) => {
      if (event.type === 'renewed') this.client.setToken(event.token);
    }));
    this.cleanups.push(engine.onEvent((e) => {
      if (e.kind !== 'click' || !this.view.live) return;
      const song = this.session.store.getSnapshot();
      const barTicks = ticksPerBar(song.meta.meter);
      const bar = Math.floor(e.tick / barTicks + 1e-9);
      const serverMs = serverAt(e.time, this.map());
      const beat = Math.round(((e.tick - bar * barTicks) / barTicks) * song.meta.meter.numerator);
      // A re-timed click (a drift correction rewinds the scheduler and silences what it had
      // committed past the new anchor) replaces the one it was scheduled as, rather than adding one.
      recordClick(this.scheduledClicks, { bar, beat, accent: e.accent, countIn: e.countIn, serverMs, audioTime: e.time }, (a, b) => a.beat === b.beat && a.countIn === b.countIn, 1024);
      // The song's downbeats (count-in clicks are not the song's bars).
      if (e.accent && !e.countIn) recordClick(this.scheduledDownbeats, { bar, serverMs, audioTime: e.time }, () => true, 256);
    }));
    // Tempo, loop and meter set here go to the shared transport (a bandmate's edit arrives with
    // their own request).
    const onTransaction = (tr: { origin: unknown }): void => {
      if (tr.origin === LOCAL_EDIT) this.localEdited = true;
    };
    session.doc.on('afterTransaction', onTransaction);
    this.cleanups.push(() => session.doc.off('afterTransaction', onTransaction));
    this.cleanups.push(session.store.subscribe(() => {
      if (!this.localEdited) return;
      this.localEdited = false;
      if (this.view.live) this.syncSongToShared(false);
    }));
    // The browser let the sound start (a guest's click): the audio clock only now runs, so the
    // timeline laid on it while it stood still is laid again, at once, rather than a bar late
    // by the drift check.
    let suspended = engine.getState().audioSuspended;
    this.cleanups.push(engine.subscribe(() => {
      const now = engine.getState().audioSuspended;
      if (suspended && !now && this.view.live) this.follow(true);
      suspended = now;
    }));
    this.driftTimer = setInterval(() => this.checkDrift(), DRIFT_CHECK_MS);
    this.onClientChange('init');
  }

  // ------------------------------------------------------------------------------ the store

  getState = (): JamView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<JamView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of [...this.listeners]) l();
  }

  setSettings(patch: Partial<JamSettings>): void {
    const settings = { ...this.view.settings, ...patch };
    this.set({ settings });
    try {
      globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
    } catch {
      // storage off: settings last for this window
    }
    if ('compensationMs' in patch && this.view.live) this.follow(true);
  }

  get isOwner(): boolean {
    return this.client.me?.role === 'owner';
  }

  /** This user's identity id (tracks are owned by it): the jam welcome's, else the link's token. */
  get myId(): string {
    return this.client.me?.id ?? this.session.link.claims.id;
  }

  /**
   * Why a take cannot be recorded into `trackId` now (rules-guard.ts recordRefusal: 'live-only',
   * or under 'own-track' a track not this user's), or null when it can.
   */
  recordRefusal(trackId: string | null): string | null {
    const track = this.session.store.getSnapshot().tracks.find((t) => t.id === trackId) ?? null;
    const role = this.client.me?.role ?? this.session.link.claims.role;
    return recordRefusal(this.view.rules, role, track, this.myId);
  }

  /** May this user change the transport (the rules can lock it to the owner)? */
  get canDriveTransport(): boolean {
    return !this.view.rules.transportLocked || this.isOwner;
  }

  setRules(rules: RoomRules): void {
    this.client.setRules(rules);
  }

  dispose(): void {
    clearInterval(this.driftTimer);
    this.recorder.dispose();
    for (const c of this.cleanups.splice(0)) c();
    this.engine.follow(null);
    this.engine.setSongFilter(null);
    this.client.close();
    this.listeners.clear();
  }

  /**
   * The mix as the audio engine hears it (for tests and the bench): each track of the song the
   * engine last compiled (the spotlight applied), soloed or not and audible or not.
   */
  heardMix(): { id: string; name: string; solo: boolean; audible: boolean }[] {
    const song = this.heardSong;
    if (!song) return [];
    const mix = resolveMix(song.tracks);
    return song.tracks.map((t) => ({ id: t.id, name: t.name, solo: t.solo, audible: mix.get(t.id)?.audible ?? false }));
  }

  // ------------------------------------------------------------------------- clock and follow

  /** Recent (audio ms − performance ms) of the heard stamps: their median steadies a jittery stamp. */
  private stampOffsets: { at: number; offset: number }[] = [];

  /** The audio ↔ performance clock pair, steadied: the median offset of the last few seconds' stamps. */
  private steadyStamp(): { contextTime: number; performanceTime: number } {
    const stamp = this.engine.heardStamp();
    const offset = stamp.contextTime * 1000 - stamp.performanceTime;
    const last = this.stampOffsets.at(-1);
    if (!last || stamp.performanceTime - last.at > 100) this.stampOffsets.push({ at: stamp.performanceTime, offset });
    // A jump (the context suspended, a device change): start over.
    if (last && Math.abs(offset - last.offset) > 50) this.stampOffsets = [{ at: stamp.performanceTime, offset }];
    while (this.stampOffsets.length > 31) this.stampOffsets.shift();
    const sorted = this.stampOffsets.map((s) => s.offset).sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1] ?? offset;
    return { contextTime: (median + stamp.performanceTime) / 1000, performanceTime: stamp.performanceTime };
  }

  /** The server ↔ audio mapping as of now. */
  map(): ClockMap {
    return {
      clock: this.client.clock,
      stamp: this.steadyStamp(),
      timeOrigin: performance.timeOrigin,
      compensationMs: this.view.settings.compensationMs,
    };
  }

  /** The server clock now (this peer's estimate). */
  serverNow(): number {
    return this.client.clock.serverNow(performance.timeOrigin + performance.now());
  }

  /** The channel was closed because its token ran out: reconnect with a newer one, or say why not. */
  private async tokenRanOut(): Promise<void> {
    const token = await this.session.token.fresh();
    if (this.client.expired === null) return; // renewed meanwhile
    if (token) this.client.setToken(token);
    else this.set({ message: this.session.token.endedProblem() });
  }

  private onClientChange(kind: string): void {
    if (kind === 'status' && this.client.status === 'closed' && this.client.expired !== null) void this.tokenRanOut();
    const transport = this.client.transport();
    const rules = this.client.rules();
    const live = this.client.status === 'ready' && this.client.clock.ready && transport !== null;
    const rulesChanged = rules !== this.view.rules;
    this.set({
      live,
      status: this.client.status,
      me: this.client.me,
      transport,
      rules,
      peers: this.client.peers(),
    });
    if (rulesChanged) {
      const spotlight = rules.spotlightTrackId;
      // Always a filter (the identity without a spotlight), so heardMix() reads what the engine took.
      this.engine.setSongFilter((song) => (this.heardSong = spotlight ? spotlightSong(song, spotlight) : song));
    }
    if (live && !this.wasLive) {
      this.wasLive = true;
      if (!transport.playing && this.engine.getState().playing && !this.engine.following) {
        // Play was pressed before the channel was ready (its first moments): the room's stopped
        // transport must not stop what this player already hears. The room plays from here
        // instead (from its next bar line) and everyone follows. Refused (a viewer, a locked
        // transport), this player keeps playing on its own.
        this.followedRevision = transport.revision;
        this.playingAhead = true;
        this.syncSongToShared(true);
        this.request(this.joinMeRequest());
        return;
      }
      this.follow(true);
    } else if (live) {
      this.follow(false);
    } else if (!live && this.wasLive) {
      // The channel went down: keep playing on the last timeline (the audio clock carries on); the
      // next state after the reconnect re-anchors.
      this.wasLive = false;
    }
  }

  /**
   * The play request of a player already playing on their own: the room starts on their next bar
   * line (far enough ahead for the request to arrive), from the bar they will be in, so what they
   * hear goes on without a jump; without a bar line to go by, from the bar they are in.
   */
  private joinMeRequest(): Extract<TransportRequest, { action: 'play' }> {
    const line = this.engine.nextBarLine();
    if (line) {
      const song = this.session.store.getSnapshot();
      const barTicks = ticksPerBar(song.meta.meter);
      const barSeconds = barTicks / ticksPerSecond(song.meta.bpm);
      const loop = this.engine.getState().loop ? songLoop(song) : null;
      return { action: 'play', ...joinRequest(line, barTicks, barSeconds, this.engine.audioTime(), JOIN_LEAD_S, loop, this.map()) };
    }
    return { action: 'play', fromBar: this.playFromBar() };
  }

  /** The bar a play request starts from: the playhead's, pulled into the song's loop. */
  private playFromBar(): number {
    const loop = songLoop(this.session.store.getSnapshot());
    const bar = Math.max(0, Math.floor(this.engine.getState().playheadBar + 1e-6));
    return bar >= loop.endBar || bar < loop.startBar ? loop.startBar : bar;
  }

  /** Applies the shared transport state to the engine (again when `force`: a clock or latency change). */
  private follow(force: boolean): void {
    const state = this.client.transport();
    if (!state) return;
    if (!force && state.revision === this.followedRevision) return;
    this.followedRevision = state.revision;
    if (this.playingAhead) {
      // The tempo and loop sent ahead of this player's own play request arrive as stopped states:
      // what it already hears goes on until the room plays (or refuses, or someone else moves it).
      if (!state.playing && state.changedBy === this.client.me?.name && this.engine.getState().playing) return;
      this.playingAhead = false;
    }
    const command: FollowCommand = followCommand(state, this.map(), this.engine.audioTime());
    if (command.kind === 'play') this.noteRetime(command.at.countIn?.time ?? command.at.time, 'follow', null);
    this.engine.follow(command);
  }

  private noteRetime(audioTime: number, reason: 'follow' | 'drift', shiftMs: number | null): void {
    this.retimes.push({ audioTime, reason, shiftMs });
    if (this.retimes.length > 256) this.retimes.splice(0, 64);
  }

  private checkDrift(): void {
    const state = this.view.transport;
    if (!this.view.live || !state?.playing || !this.engine.following || !this.engine.getState().playing) return;
    const line = this.engine.nextBarLine();
    if (!line) return;
    const map = this.map();
    // Not across a change still pending: the engine plays the earlier segment until it lands.
    if (serverAt(line.time, map) < state.anchorMs + 10) return;
    const fix = driftCorrection(state, map, line, 2.5);
    if (!fix || fix.time <= this.engine.audioTime() + 0.2) return;
    this.noteRetime(fix.time, 'drift', (fix.time - line.time) * 1000);
    this.engine.follow({ kind: 'play', at: fix });
  }

  // -------------------------------------------------------------------- transport for the UI

  private request(request: TransportRequest): void {
    if (!this.canDriveTransport) {
      this.set({ message: 'The transport is locked by the room owner.' });
      return;
    }
    // Not connected (the channel dropped a moment ago): say so, rather than lose the press silently.
    if (!this.client.request(request)) this.set({ message: 'Not connected to the room\'s transport just now; try again in a moment.' });
  }

  /** Sends the song's tempo, loop and meter where they differ from the shared transport's. */
  private syncSongToShared(includeLoop: boolean): void {
    const state = this.client.transport();
    if (!state || !this.canDriveTransport) return;
    const song = this.session.store.getSnapshot();
    if (song.meta.meter.numerator !== state.meter.numerator || song.meta.meter.denominator !== state.meter.denominator) {
      this.client.request({ action: 'meter', meter: song.meta.meter });
    }
    if (song.meta.bpm !== state.bpm) this.client.request({ action: 'tempo', bpm: song.meta.bpm });
    const loop = songLoop(song);
    if ((includeLoop || song.meta.loop) && !sameLoop(loop, state.loop)) this.client.request({ action: 'loop', loop });
  }

  /** What a press of the UI's transport does while the channel is live (jam-transport.ts). */
  private roomTransport(): RoomTransport {
    return {
      live: () => this.view.live,
      playing: () => !!this.view.transport?.playing,
      play: () => {
        this.syncSongToShared(true);
        const request: Extract<TransportRequest, { action: 'play' }> = { action: 'play', fromBar: this.playFromBar() };
        // The count-in setting (the top bar's): everyone hears it, on the shared clock.
        const countInBars = Math.min(JAM_LIMITS.maxCountInBars, Math.max(0, Math.floor(this.engine.getState().countInBars || 0)));
        if (countInBars > 0) request.countInBars = countInBars;
        this.request(request);
      },
      stop: () => this.request({ action: 'stop' }),
      playFrom: (bar) => this.request({ action: 'play', fromBar: bar }),
      barTicks: () => ticksPerBar(this.session.store.getSnapshot().meta.meter),
    };
  }

  // ------------------------------------------------------------------------------ live notes

  /** Plays a note live on `trackId`'s instrument now, and sends it to the room. */
  playLive(kind: 'on' | 'off', pitch: number, velocity: number, trackId: string | null): void {
    const me = this.client.me?.clientId ?? 'me';
    this.engine.liveNote({ kind, key: `${me}:${trackId}:${pitch}`, trackId, pitch, velocity });
    const at = this.view.live ? this.serverNow() : performance.timeOrigin + performance.now();
    const note: LiveNote = { kind, pitch, velocity, trackId, at };
    if (this.view.live) this.client.sendLive([note]);
    this.played.push(note);
    if (this.played.length > 512) this.played.splice(0, 128);
    this.recorder.played(note);
    this.markLive(me, this.client.me?.name ?? 'you', pitch, null, kind);
  }

  private onLive(message: { from: string; name: string; notes: LiveNote[]; relayedAt: number }, receivedLocal?: number): void {
    const receivedAt = receivedLocal === undefined ? this.serverNow() : this.client.clock.serverNow(receivedLocal);
    for (const n of message.notes) {
      this.engine.liveNote({ kind: n.kind, key: `${message.from}:${n.trackId}:${n.pitch}`, trackId: n.trackId, pitch: n.pitch, velocity: n.velocity });
      this.received.push({ from: message.name, pitch: n.pitch, kind: n.kind, at: n.at, receivedAt });
      if (this.received.length > 512) this.received.splice(0, 128);
      this.markLive(message.from, message.name, n.pitch, receivedAt - n.at, n.kind);
    }
  }

  private markLive(id: string, name: string, pitch: number, latencyMs: number | null, kind: 'on' | 'off'): void {
    const before = this.view.liveBy[id];
    const held = Math.max(0, (before?.held ?? 0) + (kind === 'on' ? 1 : -1));
    this.set({
      liveBy: {
        ...this.view.liveBy,
        [id]: { name, lastAt: performance.now(), latencyMs: latencyMs === null ? before?.latencyMs ?? null : Math.round(latencyMs * 10) / 10, pitch, held },
      },
    });
  }

  // ------------------------------------------------------------------------------- recording

  /** Arms a take into `trackId`, or disarms (take-recorder.ts): written through `edits`, the page's runner. */
  toggleRecord(trackId: string | null, edits: EditRunner): void {
    this.recorder.toggle(trackId, edits);
  }

  /** When bar line `serverMs` is heard here, in performance.now() ms (for timers). */
  perfAt(serverMs: number): number {
    const map = this.map();
    const audio = audioAt(serverMs, map);
    return map.stamp.performanceTime + (audio - map.stamp.contextTime) * 1000;
  }

  barMs(): number {
    return this.view.transport ? barMsOf(this.view.transport) : 2000;
  }
}

/**
 * Appends a scheduled click to `list`, or replaces the last one when it is the same click re-timed
 * (same bar, `same` otherwise, within 100 ms); keeps at most `max` entries (dropping the oldest quarter).
 */
function recordClick<T extends { bar: number; serverMs: number }>(list: T[], entry: T, same: (last: T, entry: T) => boolean, max: number): void {
  const last = list.at(-1);
  if (last && last.bar === entry.bar && same(last, entry) && Math.abs(last.serverMs - entry.serverMs) < 100) list[list.length - 1] = entry;
  else list.push(entry);
  if (list.length > max) list.splice(0, max / 4);
}
