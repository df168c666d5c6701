/**
 * The room's jam: the jam channel's client (core/jam/jam-client.ts) bound to this window's audio
 * engine and song. It wires together
 * - the timeline follower (timeline-follower.ts): the engine follows the server's transport,
 *   re-anchored at each state's anchor and pulled back onto the shared clock when it drifts; the
 *   session tells it when the channel is live and asks the room to join a player who pressed
 *   play before the channel was up;
 * - the UI's Transport (jam-transport.ts), whose presses while the channel is up become the room's
 *   requests (room-requests.ts), and the song's tempo, loop and meter sent along when they change
 *   here;
 * - live notes (live-notes.ts): this user's played at once and sent, bandmates' played as they
 *   arrive; each lights the panel's live indicators, and this user's go into a take;
 * - the take recorder (take-recorder.ts: through the page's EditRunner and the room's rules);
 * - the jam panel's view (jam-view.ts: peers, live indicators, rules, settings) as one store, and
 *   the room's spotlight on the song the engine hears.
 * The parts tell what happens as events (states applied and bar lines retimed, notes played and
 * received), and so does the session (the song the engine took): the page's test probes
 * (jam-probes.ts) and whatever else follows the jam listen from outside; the session keeps no
 * list for them.
 */
import type { JamPeer, LiveNote, RoomRules, TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { DEFAULT_RULES } from '../../core/jam/contract.ts';
import { LOCAL_EDIT } from '../../core/song/edits.ts';
import type { Song } from '../../core/song/types.ts';
import type { EditRunner } from '../app/edit-runner.ts';
import type { AudioTransport } from '../audio/contract.ts';
import type { RoomSession } from '../state/session.ts';
import { Emitter } from './emitter.ts';
import { JamTransport } from './jam-transport.ts';
import { LiveNotes } from './live-notes.ts';
import { loadSettings, saveSettings, withLiveNote, type JamMe, type JamSettings, type JamView } from './jam-view.ts';
import { RoomRequests } from './room-requests.ts';
import { recordRefusal } from './rules-guard.ts';
import { TakeRecorder } from './take-recorder.ts';
import { TimelineFollower } from './timeline-follower.ts';
import type { ServerClock } from './time-map.ts';

/** What the session needs of core/jam/jam-client.ts's JamClient. */
export interface JamClientLike {
  readonly clock: ServerClock & { readonly ready: boolean; readonly offsetMs: number; readonly rttMs: number };
  readonly me: JamMe | null;
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

/** What the session tells as it goes, besides its parts' own events (see jam-probes.ts for who listens). */
export interface JamEvents {
  /** The audio engine took the song, as it hears it (the spotlight applied). */
  heard: Song;
  disposed: undefined;
}

/** Spotlight: the track soloed in place in everyone's mix. */
export function spotlightSong(song: Song, trackId: string | null): Song {
  if (!trackId || !song.tracks.some((t) => t.id === trackId)) return song;
  return { ...song, tracks: song.tracks.map((t) => ({ ...t, solo: t.id === trackId, mute: t.id === trackId ? false : t.mute })) };
}

export class JamSession {
  readonly transport: AudioTransport;
  /** The engine following the room's timeline; its clock map serves the session's other parts. */
  readonly timeline: TimelineFollower;
  /** This user's live notes and bandmates' (live-notes.ts). */
  readonly liveNotes: LiveNotes;
  private view: JamView;
  private readonly listeners = new Set<() => void>();
  private readonly events = new Emitter<JamEvents>();
  private readonly cleanups: (() => void)[] = [];
  private readonly requests: RoomRequests;
  private readonly recorder: TakeRecorder;
  private localEdited = false;

  readonly session: RoomSession;
  readonly engine: AudioTransport;
  readonly client: JamClientLike;

  constructor(session: RoomSession, engine: AudioTransport, client: JamClientLike) {
    this.session = session;
    this.engine = engine;
    this.client = client;
    this.view = {
      live: false,
      status: client.status,
      me: client.me,
      transport: null,
      rules: DEFAULT_RULES,
      peers: [],
      liveBy: {},
      record: { phase: 'off' },
      settings: loadSettings(),
      message: null,
      ai: null,
    };
    this.timeline = new TimelineFollower({ engine, client, compensationMs: () => this.view.settings.compensationMs });
    this.requests = new RoomRequests({
      client,
      engine,
      song: () => session.store.getSnapshot(),
      map: () => this.timeline.map(),
      live: () => this.view.live,
      playing: () => !!this.view.transport?.playing,
      canDrive: () => this.canDriveTransport,
      say: (message) => this.set({ message }),
    });
    this.transport = new JamTransport(engine, this.requests);
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
    this.liveNotes = new LiveNotes({
      engine,
      client,
      live: () => this.view.live,
      serverNow: () => this.serverNow(),
      localNow: () => performance.timeOrigin + performance.now(),
    });
    this.liveNotes.on('played', ({ note, by, name }) => {
      this.recorder.played(note);
      this.markLive(by, name, note.pitch, null, note.kind);
    });
    this.liveNotes.on('received', ({ note, from, name, receivedAt }) =>
      this.markLive(from, name, note.pitch, receivedAt - note.at, note.kind),
    );
    this.cleanups.push(client.onChange((kind) => this.onClientChange(kind)));
    this.cleanups.push(client.onLive((m, receivedAt) => this.liveNotes.receive(m, receivedAt)));
    this.cleanups.push(
      client.onRefused((reason, request) => {
        // A renewal sent in place and refused: the channel stays until its exp, then closes (4401).
        if (request === 'token') return this.set({ message: `Your access could not be renewed: ${reason}` });
        this.timeline.requestRefused();
        this.set({ message: `Refused: ${reason}` });
      }),
    );
    // The page's token, renewed as the session goes: the channel takes each renewal in place.
    this.cleanups.push(
      session.token.subscribe((event) => {
        if (event.type === 'renewed') this.client.setToken(event.token);
      }),
    );
    // Tempo, loop and meter set here go to the shared transport (a bandmate's edit arrives with
    // their own request).
    const onTransaction = (tr: { origin: unknown }): void => {
      if (tr.origin === LOCAL_EDIT) this.localEdited = true;
    };
    session.doc.on('afterTransaction', onTransaction);
    this.cleanups.push(() => session.doc.off('afterTransaction', onTransaction));
    this.cleanups.push(
      session.store.subscribe(() => {
        if (!this.localEdited) return;
        this.localEdited = false;
        if (this.view.live) this.requests.syncSong(false);
      }),
    );
    this.onClientChange('init');
  }

  /** Calls `listener` on each `name` event (JamEvents); returns the unsubscribe. */
  on<K extends keyof JamEvents>(name: K, listener: (event: JamEvents[K]) => void): () => void {
    return this.events.on(name, listener);
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
    saveSettings(settings);
    if ('compensationMs' in patch) this.timeline.refollow();
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

  /** Asks the room's transport for `request` as the UI's presses do (an external MIDI clock's Start, Stop, tempo). */
  requestTransport(request: TransportRequest): void {
    this.requests.ask(request);
  }

  setRules(rules: RoomRules): void {
    this.client.setRules(rules);
  }

  dispose(): void {
    this.recorder.dispose();
    this.timeline.dispose();
    this.liveNotes.dispose();
    for (const c of this.cleanups.splice(0)) c();
    this.engine.follow(null);
    this.engine.setSongFilter(null);
    this.client.close();
    this.listeners.clear();
    this.events.emit('disposed', undefined);
    this.events.clear();
  }

  // ----------------------------------------------------------------------- the channel's news

  /** The server clock now (this peer's estimate). */
  serverNow(): number {
    return this.timeline.serverNow();
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
    this.set({ live, status: this.client.status, me: this.client.me, transport, rules, peers: this.client.peers() });
    if (rulesChanged) {
      const spotlight = rules.spotlightTrackId;
      // Always a filter (the identity without a spotlight), so what the engine took is told.
      this.engine.setSongFilter((song) => {
        const heard = spotlight ? spotlightSong(song, spotlight) : song;
        this.events.emit('heard', heard);
        return heard;
      });
    }
    // Play was pressed before the channel was ready (its first moments): the room's stopped
    // transport must not stop what this player already hears. The room plays from here instead
    // (from its next bar line) and everyone follows. Refused (a viewer, a locked transport), this
    // player keeps playing on its own.
    if (this.timeline.update(live) === 'join-me') this.requests.joinMe();
  }

  // ------------------------------------------------------------------------------ live notes

  private markLive(id: string, name: string, pitch: number, latencyMs: number | null, kind: 'on' | 'off'): void {
    this.set({ liveBy: withLiveNote(this.view.liveBy, { id, name, pitch, kind, latencyMs, at: performance.now() }) });
  }

  // ------------------------------------------------------------------------------- recording

  /** Arms a take into `trackId`, or disarms (take-recorder.ts): written through `edits`, the page's runner. */
  toggleRecord(trackId: string | null, edits: EditRunner): void {
    this.recorder.toggle(trackId, edits);
  }
}
