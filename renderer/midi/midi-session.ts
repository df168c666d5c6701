/**
 * MIDI for a room's page: the tracks' notes and bandmates' live notes out to the user's ports
 * (note-out.ts), the room's clock out (clock-out.ts) and, for the room's owner, an external clock
 * in (clock-in.ts), with the settings kept on this machine (midi-settings.ts) and one store the
 * MIDI panel renders (ports, routes, latencies, activity lights).
 *
 * Where the times come from: a scheduled note's audio-context time, read through the engine's
 * heard stamp (the jam's steadied one when there is a jam), is when this page hears it; the clock's
 * server times through the jam's clock map. Both less the port's latency (midi-time.ts).
 *
 * No note is left hanging: the engine's `cut` and `end` events (stop, seek, a shared change
 * landing within the look-ahead, the song's end) end every scheduled note there, a stop with All
 * Notes Off after; a track muted, soloed away or routed elsewhere has its notes ended at once; a port that
 * goes away is forgotten and gets All Notes Off when it comes back; the page going away
 * (pagehide) ends everything and stops the clock.
 */
import type { TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { programForTrack } from '../../core/midi/general-midi.ts';
import type { Song } from '../../core/song/types.ts';
import type { AudioTransport, HeardStamp } from '../audio/contract.ts';
import { resolveMix } from '../audio/mix.ts';
import type { LiveNoteEvents } from '../jam/live-notes.ts';
import type { ClockMap } from '../jam/time-map.ts';
import { ClockIn } from './clock-in.ts';
import { ClockOut } from './clock-out.ts';
import { clockInputOf } from './midi-bytes.ts';
import type { MidiPortInfo } from './midi-ports.ts';
import { clampLatency, loadMidiSettings, saveMidiSettings, type MidiSettings, type TrackRoute } from './midi-settings.ts';
import { perfAtAudio, perfAtServer, SteadyClockPair, SteadyOffset } from './midi-time.ts';
import { NoteOut, type MidiRoute } from './note-out.ts';
import { changedRoute } from './track-route.ts';

/** What the session needs of the page's MIDI ports (midi-ports.ts MidiPorts). */
export interface PortsLike {
  outputs(): MidiPortInfo[];
  inputs(): MidiPortInfo[];
  send(portId: string, data: number[], timestamp: number): boolean;
  listen(portId: string, listener: (data: Uint8Array, timeStamp: number) => void): () => void;
  onChange(listener: (port: MidiPortInfo | null) => void): () => void;
}

/** What the session needs of the room's jam (jam-session.ts JamSession). */
export interface JamLike {
  readonly timeline: { map(): ClockMap; serverNow(): number };
  readonly client: { transport(): TransportState | null; readonly clock: ClockMap['clock'] };
  readonly liveNotes: { on<K extends keyof LiveNoteEvents>(name: K, listener: (event: LiveNoteEvents[K]) => void): () => void };
  readonly isOwner: boolean;
  getState(): { live: boolean };
  requestTransport(request: TransportRequest): void;
}

export interface MidiSessionHost {
  room: string;
  engine: Pick<AudioTransport, 'onEvent' | 'heardStamp' | 'setLocalSilence' | 'getState' | 'subscribe'>;
  song(): Song;
  onSong(listener: () => void): () => void;
  jam: JamLike | null;
  /** performance.now() (a fake in unit tests). */
  now?: () => number;
  /** Calls `tick` steadily (ticker.ts); returns the stop. Default: none (tests call tick()). */
  ticker?: (tick: () => void) => () => void;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Where `pagehide` is heard (default: the window). */
  page?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

export interface MidiView {
  /** 'off' until ports are asked for; 'ready' with them; 'problem' when they cannot be had. */
  status: 'off' | 'asking' | 'ready' | 'problem';
  problem: string | null;
  outputs: MidiPortInfo[];
  inputs: MidiPortInfo[];
  settings: MidiSettings;
  /** Port id → performance.now() of the last message sent to it (or received, for the clock input). */
  activity: Record<string, number>;
  /** Track id → performance.now() of its last note-on sent to a port (the track header's light). */
  trackActivity: Record<string, number>;
  /** The external clock's tempo as estimated (null: none yet or clock in off). */
  clockInBpm: number | null;
}

/** How often the activity lights may re-render the panel, ms. */
const ACTIVITY_MS = 100;

export class MidiSession {
  readonly notes: NoteOut;
  private readonly host: MidiSessionHost;
  private readonly now: () => number;
  private ports: PortsLike | null = null;
  private view: MidiView;
  private readonly listeners = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];
  private clockOut: ClockOut | null = null;
  private clockIn: { clock: ClockIn; stop: () => void; portId: string } | null = null;
  /** Routed tracks heard last time the song changed (a mute or solo ends their notes). */
  private audible = new Map<string, boolean>();
  /** Listeners for every clock message sent (tests, the benchmark). */
  private readonly clockListeners = new Set<(message: { kind: string; atMs: number; timestamp: number }) => void>();
  private stopTicker: (() => void) | null = null;
  private readonly pair = new SteadyClockPair();

  constructor(host: MidiSessionHost) {
    this.host = host;
    this.now = host.now ?? (() => performance.now());
    this.view = {
      status: 'off',
      problem: null,
      outputs: [],
      inputs: [],
      settings: loadMidiSettings(host.room, host.storage),
      activity: {},
      trackActivity: {},
      clockInBpm: null,
    };
    this.notes = new NoteOut({
      now: this.now,
      latencyMs: (portId) => this.view.settings.latencyMs[portId] ?? 0,
      send: (portId, data, timestamp) => this.ports?.send(portId, data, timestamp) ?? false,
    });
    this.cleanups.push(this.notes.on('sent', ({ portId }) => this.light(portId)));
    this.cleanups.push(host.engine.onEvent((e) => this.onEngineEvent(e)));
    this.cleanups.push(host.onSong(() => this.songChanged()));
    // A stop (the engine's own, or the room's landing): every scheduled note has ended at the
    // cut; All Notes Off after them, for any receiver that missed one.
    let playing = host.engine.getState().playing;
    this.cleanups.push(
      host.engine.subscribe(() => {
        const now = host.engine.getState().playing;
        if (playing && !now && this.ports) this.notes.cut(this.now(), { scheduledOnly: true, allOff: true });
        playing = now;
      }),
    );
    const jam = host.jam;
    if (jam) {
      this.cleanups.push(
        jam.liveNotes.on('received', ({ note, from }) => this.liveNote(note, `${from}:${note.trackId}:${note.pitch}`, true)),
      );
      this.cleanups.push(jam.liveNotes.on('played', ({ note, by }) => this.liveNote(note, `${by}:${note.trackId}:${note.pitch}`, false)));
    }
    const onPageHide = (): void => this.releaseAll();
    const page = host.page ?? (globalThis as Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>);
    page.addEventListener?.('pagehide', onPageHide);
    this.cleanups.push(() => page.removeEventListener?.('pagehide', onPageHide));
    this.rememberAudible();
  }

  // ------------------------------------------------------------------------------ the store

  getState = (): MidiView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<MidiView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of [...this.listeners]) l();
  }

  // ------------------------------------------------------------------------------ the ports

  /** Ports were asked for (the panel's button, or at load when already allowed). */
  asking(): void {
    if (this.view.status === 'off') this.set({ status: 'asking' });
  }

  /** The page's ports, or why there are none. */
  setPorts(ports: PortsLike | { problem: string }): void {
    if ('problem' in ports) return this.set({ status: 'problem', problem: ports.problem });
    if (this.ports) return;
    this.ports = ports;
    this.set({ status: 'ready', problem: null, outputs: ports.outputs(), inputs: ports.inputs() });
    this.cleanups.push(ports.onChange((port) => this.portChanged(port)));
    this.stopTicker = this.host.ticker?.(() => this.tick()) ?? null;
    this.applySettings(null);
  }

  /** The timer's call: held note-offs and the clock's next stretch go out. */
  tick(): void {
    this.notes.flush();
    this.clockOut?.tick();
  }

  private portChanged(port: MidiPortInfo | null): void {
    const before = port ? [...this.view.outputs, ...this.view.inputs].find((p) => p.id === port.id) : undefined;
    this.set({ outputs: this.ports!.outputs(), inputs: this.ports!.inputs() });
    if (!port) return;
    if (!port.connected) {
      this.notes.portLost(port.id);
      if (port.id === this.view.settings.clockOut) this.clockOut = this.makeClockOut();
    } else if (before && !before.connected) {
      this.notes.portBack(port.id);
      this.sendPrograms();
    }
    this.silenceLocally();
  }

  // ------------------------------------------------------------------------------ the settings

  /** Routes a track to a port and channel (null: not routed); its notes on the old route end now. */
  routeTrack(trackId: string, route: TrackRoute | null): void {
    const routes = { ...this.view.settings.routes };
    if (route) routes[trackId] = route;
    else delete routes[trackId];
    this.update({ routes });
  }

  /**
   * Changes a track's route from what it is (track-route.ts changedRoute: a port, channel or mode;
   * a new route gets the role's default channel; a port of '' or null: not routed). What the
   * track header's MIDI button and the MIDI panel's routing table both call.
   */
  changeRoute(trackId: string, patch: Partial<TrackRoute> | null): void {
    const role = this.host.song().tracks.find((t) => t.id === trackId)?.role;
    this.routeTrack(trackId, changedRoute(this.view.settings.routes[trackId], patch, role));
  }

  setLatency(portId: string, ms: number): void {
    this.update({ latencyMs: { ...this.view.settings.latencyMs, [portId]: clampLatency(ms) } });
  }

  update(patch: Partial<MidiSettings>): void {
    const before = this.view.settings;
    const settings = { ...before, ...patch };
    this.set({ settings });
    saveMidiSettings(this.host.room, settings, this.host.storage);
    this.applySettings(before);
  }

  private applySettings(before: MidiSettings | null): void {
    const settings = this.view.settings;
    if (before) {
      const now = this.now();
      for (const [trackId, old] of Object.entries(before.routes)) {
        const route = settings.routes[trackId];
        if (!route || route.portId !== old.portId || route.channel !== old.channel) this.notes.cut(now, { owner: trackId });
      }
    }
    this.sendPrograms();
    this.silenceLocally();
    if (!before || before.clockOut !== settings.clockOut) {
      this.clockOut?.stop();
      this.clockOut = this.makeClockOut();
    }
    if (!before || before.clockIn !== settings.clockIn) this.listenClockIn();
  }

  /** Each routed track's program (the General MIDI program of its instrument) on its channel. */
  private sendPrograms(): void {
    const song = this.host.song();
    for (const track of song.tracks) {
      const route = this.view.settings.routes[track.id];
      if (route) this.notes.program(route, programForTrack(track));
    }
  }

  /** Tracks routed "instead" to a port that is there: not sounded by the page. */
  private silenceLocally(): void {
    const connected = new Set(this.view.outputs.filter((p) => p.connected).map((p) => p.id));
    const silent = Object.entries(this.view.settings.routes)
      .filter(([, r]) => r.mode === 'instead' && connected.has(r.portId))
      .map(([id]) => id);
    this.host.engine.setLocalSilence(silent);
  }

  // ------------------------------------------------------------------------------ notes

  /** The audio clock ↔ performance clock pair (the jam's steadied one, else the engine's), slew-limited (midi-time.ts). */
  private stamp(): HeardStamp {
    return this.pair.read(this.host.jam ? this.host.jam.timeline.map().stamp : this.host.engine.heardStamp());
  }

  private onEngineEvent(e: Parameters<Parameters<AudioTransport['onEvent']>[0]>[0]): void {
    if (!this.ports) return;
    if (e.kind === 'note') {
      const route = this.view.settings.routes[e.trackId];
      if (!route) return;
      const stamp = this.stamp();
      const track = this.host.song().tracks.find((t) => t.id === e.trackId);
      if (track) this.notes.program(route, programForTrack(track));
      const sent = this.notes.note(
        route,
        e.trackId,
        e.pitch,
        e.velocity,
        perfAtAudio(e.time, stamp),
        perfAtAudio(e.time + e.duration, stamp),
      );
      if (sent) this.lightTrack(e.trackId);
    } else if (e.kind === 'cut') {
      // Silenced from here (a seek, a shared change that came late): the notes end, and the
      // engine schedules on from the new position, so no All Notes Off that would catch those.
      this.notes.cut(perfAtAudio(e.time, this.stamp()), { scheduledOnly: true });
    } else if (e.kind === 'end') {
      this.notes.cut(perfAtAudio(e.time, this.stamp()), { scheduledOnly: true, allOff: true });
    }
  }

  private liveNote(
    note: { kind: 'on' | 'off'; pitch: number; velocity: number; trackId: string | null },
    key: string,
    bandmate: boolean,
  ): void {
    if (!this.ports) return;
    if (note.kind === 'off') return this.notes.liveOff(key);
    const trackRoute = note.trackId ? this.view.settings.routes[note.trackId] : undefined;
    // This user's own notes go out on a routed track only; a bandmate's also to the live route.
    const route: MidiRoute | null | undefined = trackRoute ?? (bandmate ? this.view.settings.live : null);
    if (!route) return;
    const track = trackRoute ? this.host.song().tracks.find((t) => t.id === note.trackId) : undefined;
    if (track) this.notes.program(route, programForTrack(track));
    if (this.notes.liveOn(route, key, note.pitch, note.velocity) && track) this.lightTrack(track.id);
  }

  private rememberAudible(): Map<string, boolean> {
    const mix = resolveMix(this.host.song().tracks);
    const before = this.audible;
    this.audible = new Map([...mix].map(([id, m]) => [id, m.audible]));
    return before;
  }

  /** A routed track muted or soloed away: its notes end now. An instrument changed: its program. */
  private songChanged(): void {
    const before = this.rememberAudible();
    const now = this.now();
    for (const trackId of Object.keys(this.view.settings.routes)) {
      if (before.get(trackId) && !this.audible.get(trackId)) this.notes.cut(now, { owner: trackId });
    }
    if (this.ports) this.sendPrograms();
  }

  // ------------------------------------------------------------------------------ clock

  /** Calls `listener` with each clock message sent (kind, server time, timestamp); returns the unsubscribe. */
  onClock(listener: (message: { kind: string; atMs: number; timestamp: number }) => void): () => void {
    this.clockListeners.add(listener);
    return () => this.clockListeners.delete(listener);
  }

  private makeClockOut(): ClockOut | null {
    const jam = this.host.jam;
    const portId = this.view.settings.clockOut;
    if (!jam || !portId) return null;
    // Server → performance time, steadied: the clock estimate moves by a ms or two as pings come
    // in, which would put those jumps into the clock's spacing (midi-time.ts SteadyOffset; a
    // fitted clock drift is at most 0.5 ms a second, the slew allows 2: 0.04 ms a clock).
    const steady = new SteadyOffset({ slewMsPerS: 2, snapMs: 50 });
    const out = new ClockOut({
      transport: () => (jam.getState().live ? jam.client.transport() : null),
      serverNow: () => jam.timeline.serverNow(),
      perfAt: (serverMs) => {
        const now = jam.timeline.serverNow();
        const offset = steady.read(perfAtServer(now, jam.timeline.map()) - now, this.now());
        return serverMs + offset - (this.view.settings.latencyMs[portId] ?? 0);
      },
      send: (data, timestamp) => this.ports?.send(portId, data, timestamp) ?? false,
    });
    out.on('sent', (m) => {
      this.light(portId);
      for (const l of this.clockListeners) l({ kind: m.kind, atMs: m.atMs, timestamp: m.timestamp });
    });
    return out;
  }

  /** The owner's external clock drives the room: listens to the chosen input (or stops listening). */
  private listenClockIn(): void {
    this.clockIn?.stop();
    this.clockIn = null;
    const jam = this.host.jam;
    const portId = this.view.settings.clockIn;
    if (!jam || !portId || !this.ports || !jam.isOwner) {
      if (this.view.clockInBpm !== null) this.set({ clockInBpm: null });
      return;
    }
    const timeOrigin = performance.timeOrigin;
    const clock = new ClockIn({
      room: () => (jam.getState().live ? jam.client.transport() : null),
      serverAt: (perf) => jam.client.clock.serverNow(timeOrigin + perf),
      perfAt: (serverMs) => jam.client.clock.localAt(serverMs) - timeOrigin,
      request: (request) => jam.requestTransport(request),
    });
    const stop = this.ports.listen(portId, (data, timeStamp) => {
      const input = clockInputOf(data);
      if (!input) return;
      clock.message(input, timeStamp);
      this.light(portId);
      const bpm = clock.tempo.bpm === null ? null : Math.round(clock.tempo.bpm * 10) / 10;
      if (bpm !== this.view.clockInBpm) this.set({ clockInBpm: bpm });
    });
    this.clockIn = { clock, stop, portId };
  }

  // ------------------------------------------------------------------------------ the end

  /** Every note ends now and the clock stops (the page going away, MIDI switched off). */
  releaseAll(): void {
    this.notes.releaseAll();
    this.clockOut?.stop();
  }

  dispose(): void {
    this.releaseAll();
    this.stopTicker?.();
    this.clockIn?.stop();
    this.host.engine.setLocalSilence([]);
    for (const c of this.cleanups.splice(0)) c();
    this.listeners.clear();
    this.clockListeners.clear();
  }

  private light(portId: string): void {
    const now = this.now();
    if (now - (this.view.activity[portId] ?? -Infinity) < ACTIVITY_MS) return;
    this.set({ activity: { ...this.view.activity, [portId]: now } });
  }

  private lightTrack(trackId: string): void {
    const now = this.now();
    if (now - (this.view.trackActivity[trackId] ?? -Infinity) < ACTIVITY_MS) return;
    this.set({ trackActivity: { ...this.view.trackActivity, [trackId]: now } });
  }
}
