/**
 * Follows the room's shared timeline on this window's audio engine: each transport state the jam
 * channel brings is applied at its anchor (time-map.ts: server time → audio time, through the
 * clock estimate, the output latency and this peer's compensation), and a timer pulls the
 * engine's next bar line back onto the shared clock when the audio clock drifts from it.
 *
 * It tells what it did as events — `applied` (a state given to the engine) and `retimed` (the
 * engine plays on a new mapping from some audio time: a state followed, or drift pulled back) —
 * so that others can follow the same transport (the page's test probes) without touching drift
 * correction. (The MIDI clock output, renderer/midi/clock-out.ts, lays its clocks on the room's
 * state itself, on the server's timeline, so the audio's drift corrections do not move it.) The jam session (jam-session.ts) tells it when the channel
 * is live and when its state changes.
 */
import type { TransportState } from '../../core/jam/contract.ts';
import type { AudioTransport, FollowCommand } from '../audio/contract.ts';
import { Emitter } from './emitter.ts';
import { audioAt, barMsOf, driftCorrection, followCommand, serverAt, type ClockMap, type ServerClock } from './time-map.ts';

/** What the follower needs of the audio engine. */
export type FollowerEngine = Pick<AudioTransport, 'getState' | 'subscribe' | 'follow' | 'audioTime' | 'heardStamp' | 'nextBarLine'> & {
  readonly following: boolean;
};

/** What the follower needs of the jam channel's client (core/jam/jam-client.ts). */
export interface FollowerClient {
  readonly clock: ServerClock;
  readonly me: { name: string } | null;
  transport(): TransportState | null;
}

/** A change of the engine's timeline: from `audioTime` (s) it plays on a new mapping. */
export interface TimelineRetime {
  /** The audio time of the new mapping's first sound (a count-in's first click for a start with one). */
  audioTime: number;
  /** 'follow': a shared state applied; 'drift': the next bar line pulled back onto the shared clock. */
  reason: 'follow' | 'drift';
  /** How far a drift correction moved the bar line on the audio clock, ms (null for 'follow'). */
  shiftMs: number | null;
}

export interface TimelineEvents {
  /** A shared state was given to the engine, as `command`. */
  applied: { state: TransportState; command: FollowCommand };
  retimed: TimelineRetime;
}

export interface FollowerOptions {
  engine: FollowerEngine;
  client: FollowerClient;
  /** This peer's latency compensation, ms (positive: it plays earlier). */
  compensationMs(): number;
  /** The performance clock (a fake in unit tests). */
  performance?: { now(): number; readonly timeOrigin: number };
  /** How often drift is checked, ms (default 250); 0: only when checkDrift() is called. */
  driftCheckMs?: number;
}

/** How far (ms) the engine's bar line may be off the shared one before it is pulled back. */
const DRIFT_TOLERANCE_MS = 2.5;

export class TimelineFollower {
  private readonly engine: FollowerEngine;
  private readonly client: FollowerClient;
  private readonly compensationMs: () => number;
  private readonly perf: { now(): number; readonly timeOrigin: number };
  private readonly events = new Emitter<TimelineEvents>();
  private readonly cleanups: (() => void)[] = [];
  private followedRevision = -1;
  /** Play was pressed before the channel was ready: the room is asked to play from here. */
  private playingAhead = false;
  private following = false;
  /** Recent (audio ms − performance ms) of the heard stamps: their median steadies a jittery stamp. */
  private stampOffsets: { at: number; offset: number }[] = [];

  constructor(options: FollowerOptions) {
    this.engine = options.engine;
    this.client = options.client;
    this.compensationMs = options.compensationMs;
    this.perf = options.performance ?? globalThis.performance;
    const driftCheckMs = options.driftCheckMs ?? 250;
    if (driftCheckMs > 0) {
      const timer = setInterval(() => this.checkDrift(), driftCheckMs);
      this.cleanups.push(() => clearInterval(timer));
    }
    // The browser let the sound start (a guest's click): the audio clock only now runs, so the
    // timeline laid on it while it stood still is laid again, at once, rather than a bar late
    // by the drift check.
    let suspended = this.engine.getState().audioSuspended;
    this.cleanups.push(
      this.engine.subscribe(() => {
        const now = this.engine.getState().audioSuspended;
        if (suspended && !now) this.refollow();
        suspended = now;
      }),
    );
  }

  /** Calls `listener` on each `name` event; returns the unsubscribe. */
  on<K extends keyof TimelineEvents>(name: K, listener: (event: TimelineEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Following the shared timeline: the channel was live at the last update(). */
  get live(): boolean {
    return this.following;
  }

  /**
   * The channel's news: `live` is whether the shared clock rules now (channel up, clock estimated,
   * transport known). Applies a state not yet followed. Returns 'join-me' when the channel just
   * came up while this player plays on its own and the room stands stopped: its music must not
   * stop, so the owner asks the room to play from this player's next bar line (the states until
   * then leave it playing).
   */
  update(live: boolean): 'join-me' | null {
    const state = this.client.transport();
    if (!live || !state) {
      // The channel went down: keep playing on the last timeline (the audio clock carries on); the
      // next state after the reconnect re-anchors.
      this.following = false;
      return null;
    }
    if (this.following) {
      this.follow(false);
      return null;
    }
    this.following = true;
    if (!state.playing && this.engine.getState().playing && !this.engine.following) {
      this.followedRevision = state.revision;
      this.playingAhead = true;
      return 'join-me';
    }
    this.follow(true);
    return null;
  }

  /** Lays the current state again (the clock or the compensation changed), while live. */
  refollow(): void {
    if (this.following) this.follow(true);
  }

  /** The room refused a request of this player's: a play-ahead is over (it plays on alone). */
  requestRefused(): void {
    this.playingAhead = false;
  }

  /** The server ↔ audio mapping as of now. */
  map(): ClockMap {
    return { clock: this.client.clock, stamp: this.steadyStamp(), timeOrigin: this.perf.timeOrigin, compensationMs: this.compensationMs() };
  }

  /** The server clock now (this peer's estimate). */
  serverNow(): number {
    return this.client.clock.serverNow(this.perf.timeOrigin + this.perf.now());
  }

  /** When server time `serverMs` is heard here, in performance.now() ms (for timers). */
  perfAt(serverMs: number): number {
    const map = this.map();
    return map.stamp.performanceTime + (audioAt(serverMs, map) - map.stamp.contextTime) * 1000;
  }

  /** One bar of the shared transport, ms (2000 before one is known). */
  barMs(): number {
    const state = this.client.transport();
    return state ? barMsOf(state) : 2000;
  }

  /** Pulls the engine's next bar line back onto the shared timeline when it drifted (the timer's job). */
  checkDrift(): void {
    const state = this.client.transport();
    if (!this.following || !state?.playing || !this.engine.following || !this.engine.getState().playing) return;
    const line = this.engine.nextBarLine();
    if (!line) return;
    const map = this.map();
    // Not across a change still pending: the engine plays the earlier segment until it lands.
    if (serverAt(line.time, map) < state.anchorMs + 10) return;
    const fix = driftCorrection(state, map, line, DRIFT_TOLERANCE_MS);
    if (!fix || fix.time <= this.engine.audioTime() + 0.2) return;
    // Told before the engine moves: what it schedules from the new mapping comes after.
    this.events.emit('retimed', { audioTime: fix.time, reason: 'drift', shiftMs: (fix.time - line.time) * 1000 });
    this.engine.follow({ kind: 'play', at: fix });
  }

  dispose(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.events.clear();
    this.following = false;
  }

  /** Applies the shared transport state to the engine (again when `force`). */
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
    const command = followCommand(state, this.map(), this.engine.audioTime());
    if (command.kind === 'play')
      this.events.emit('retimed', { audioTime: command.at.countIn?.time ?? command.at.time, reason: 'follow', shiftMs: null });
    this.engine.follow(command);
    this.events.emit('applied', { state, command });
  }

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
}
