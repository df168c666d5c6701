/**
 * The transport the UI drives in a jam: the audio engine's, with play, stop, toggle and seek
 * asking the room (through `room`) while the jam channel is live, and acting on the engine when
 * it is not. Everything else is the engine's, delegated one member at a time — no Proxy, so what
 * the UI gets is what this file says (renderer/midi/ reads the same engine).
 */
import type { Ticks } from '../../core/time.ts';
import type {
  AudioTransport,
  AudioTransportState,
  AuditionHandle,
  AuditionRequest,
  EngineStats,
  FollowCommand,
  HeardStamp,
  LiveNoteCommand,
  TransportPosition,
} from '../audio/contract.ts';
import type { ScheduledEvent } from '../audio/scheduler.ts';
import type { Song } from '../../core/song/types.ts';

/** What the jam does with a press while live (room-requests.ts). */
export interface RoomTransport {
  /** The jam channel is up and its clock ready: presses go to the room. */
  live(): boolean;
  /** The room's transport is playing. */
  playing(): boolean;
  play(): void;
  stop(): void;
  /** Playing, from bar `bar` (the room jumps there on its next bar line). */
  playFrom(bar: number): void;
  /** A song's bar length in ticks (for seekTick). */
  barTicks(): number;
}

export class JamTransport implements AudioTransport {
  private readonly engine: AudioTransport;
  private readonly room: RoomTransport;

  constructor(engine: AudioTransport, room: RoomTransport) {
    this.engine = engine;
    this.room = room;
  }

  // What a press means in a jam.

  play(): Promise<void> {
    if (!this.room.live()) return this.engine.play();
    // The press is the user's gesture: the page may make sound from now on.
    void this.engine.resume();
    if (!this.room.playing()) this.room.play();
    return Promise.resolve();
  }

  stop(): void {
    if (!this.room.live()) return this.engine.stop();
    this.room.stop();
  }

  toggle(): Promise<void> {
    const playing = this.room.live() ? this.room.playing() : this.engine.getState().playing;
    if (!playing) return this.play();
    this.stop();
    return Promise.resolve();
  }

  seek(bar: number): void {
    if (this.room.live() && this.room.playing()) return this.room.playFrom(Math.max(0, Math.floor(bar)));
    this.engine.seek(bar);
  }

  seekTick(tick: Ticks): void {
    this.seek(tick / this.room.barTicks());
  }

  // The engine's own.

  getState(): AudioTransportState {
    return this.engine.getState();
  }

  subscribe(listener: () => void): () => void {
    return this.engine.subscribe(listener);
  }

  get isPlaying(): boolean {
    return this.engine.isPlaying;
  }

  get following(): boolean {
    return this.engine.following;
  }

  setMetronome(on: boolean): void {
    this.engine.setMetronome(on);
  }

  setCountIn(bars: number): void {
    this.engine.setCountIn(bars);
  }

  setLoop(on: boolean): void {
    this.engine.setLoop(on);
  }

  position(): TransportPosition {
    return this.engine.position();
  }

  audition(request: AuditionRequest): AuditionHandle {
    return this.engine.audition(request);
  }

  stopAudition(): void {
    this.engine.stopAudition();
  }

  onEvent(listener: (event: ScheduledEvent) => void): () => void {
    return this.engine.onEvent(listener);
  }

  audioTime(): number {
    return this.engine.audioTime();
  }

  stats(): EngineStats {
    return this.engine.stats();
  }

  instrumentsReady(): Promise<void> {
    return this.engine.instrumentsReady?.() ?? Promise.resolve();
  }

  follow(command: FollowCommand | null): void {
    this.engine.follow(command);
  }

  liveNote(note: LiveNoteCommand, time?: number): void {
    this.engine.liveNote(note, time);
  }

  heardStamp(): HeardStamp {
    return this.engine.heardStamp();
  }

  resume(): Promise<void> {
    return this.engine.resume();
  }

  setLocalSilence(trackIds: readonly string[]): void {
    this.engine.setLocalSilence(trackIds);
  }

  setSongFilter(filter: ((song: Song) => Song) | null): void {
    this.engine.setSongFilter(filter);
  }

  nextBarLine(): { tick: Ticks; time: number } | null {
    return this.engine.nextBarLine();
  }

  /** The engine belongs to the room's page (Root disposes it), not to this view of it. */
  dispose(): void {}
}
