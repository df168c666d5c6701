/**
 * A room's jam channel (core/jam/contract.ts): the authoritative transport and rules, the jam
 * connections, clock pings, and live notes relayed at once (never stored). Lives as long as its
 * Room is loaded. Messages reach it already parsed by JamConnection (an object with v: 1 and a
 * string type); every value inside is checked here and a bad one is answered 'refused'.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_RULES,
  JAM_LIMITS,
  type JamPeer,
  type JamPeerClock,
  type JamServerMessage,
  type LiveNote,
  type RoomRules,
  type TransportState,
} from '../../core/jam/contract.ts';
import {
  applyTransportRequest,
  checkBpm,
  checkLoop,
  checkMeter,
  checkRules,
  initialTransport,
  JamValueError,
  type Loop,
  type Meter,
} from '../../core/jam/timeline.ts';
import { wholeWriteRefusal } from '../../core/jam/student-rules.ts';
import type { TokenClaims } from '../contract.ts';
import type { ServerMetrics } from '../metrics.ts';

/** The server's clock, the one every peer estimates its offset to. */
export const serverClock = (): number => performance.timeOrigin + performance.now();

/** One jam connection as the room sees it. */
export interface JamMember {
  readonly identity: TokenClaims;
  readonly clientId: string;
  send(message: JamServerMessage): void;
  /** A message already serialized: a broadcast is stringified once and the same text sent to all. */
  sendText(json: string): void;
  close(code: number, reason: string): void;
}

export interface JamRoomOptions {
  bpm?: number;
  meter?: Meter;
  loop?: Loop | null;
  /** Called on every join, leave and message (the room's idle clock). */
  onActivity?: () => void;
  now?: () => number;
  metrics?: ServerMetrics;
  /** Least time between two 'peer-clocks' broadcasts (ms): clock reports are gathered meanwhile. */
  peerClocksThrottleMs?: number;
  /** The rules in force when the room loads (those its log kept); the defaults otherwise. */
  rules?: RoomRules;
  /**
   * Keeps a change of rules (the room's log) before anyone hears of it; throwing refuses the
   * change. Not called when a 'rules' message changes nothing.
   */
  saveRules?: (next: RoomRules, previous: RoomRules, by: TokenClaims) => void | Promise<void>;
  /** The transport to start from (the one a previous owner of the room kept); else from the song. */
  transport?: TransportState;
  /** Told of every transport change (after it is broadcast), to keep it (store/cluster-store.ts). */
  onTransport?: (state: TransportState) => void;
}

/** A member's clock figures as announced to the room (what every member's list shows). */
interface MemberState {
  offsetMs: number | null;
  rttMs: number | null;
}

export class JamRoom {
  private state: TransportState;
  private currentRules: RoomRules;
  private readonly saveRules: NonNullable<JamRoomOptions['saveRules']>;
  private readonly onTransport: (state: TransportState) => void;
  private readonly members = new Map<JamMember, MemberState>();
  private readonly now: () => number;
  private readonly onActivity: () => void;
  private readonly metrics: ServerMetrics | undefined;
  private readonly peerClocksThrottleMs: number;
  /**
   * Clock reports not announced yet (the latest per member). They join the member's state only
   * when announced, so a welcome lists exactly what the others have been told: every member's
   * list is the server's at every message.
   */
  private readonly clocksToSend = new Map<JamMember, { offsetMs: number; rttMs: number }>();
  private peerClocksTimer: ReturnType<typeof setTimeout> | null = null;
  private peerClocksSentAt = -Infinity;
  private closed = false;

  constructor(options: JamRoomOptions = {}) {
    this.now = options.now ?? serverClock;
    this.onActivity = options.onActivity ?? (() => {});
    this.metrics = options.metrics;
    this.peerClocksThrottleMs = options.peerClocksThrottleMs ?? 1000;
    this.currentRules = { ...(options.rules ?? DEFAULT_RULES) };
    this.saveRules = options.saveRules ?? (() => {});
    this.onTransport = options.onTransport ?? (() => {});
    this.state =
      options.transport ?? initialTransport({ bpm: options.bpm, meter: options.meter, loop: options.loop ?? null, nowMs: this.now() });
  }

  /** Initial values from a song's meta, each falling back to the default when it is not valid. */
  static fromSongMeta(meta: { bpm?: unknown; meter?: unknown; loop?: unknown }, options: JamRoomOptions = {}): JamRoom {
    const valid = <T>(check: () => T): T | undefined => {
      try {
        return check();
      } catch {
        return undefined;
      }
    };
    return new JamRoom({
      ...options,
      bpm: valid(() => checkBpm(meta.bpm)),
      meter: valid(() => checkMeter(meta.meter)),
      loop: valid(() => checkLoop(meta.loop ?? null)) ?? null,
    });
  }

  get transport(): TransportState {
    return this.state;
  }

  get rules(): RoomRules {
    return this.currentRules;
  }

  get connectionCount(): number {
    return this.members.size;
  }

  /** The members as announced to the room (what a welcome lists). */
  peers(): JamPeer[] {
    return [...this.members].map(([member, state]) => this.peerOf(member, state));
  }

  /** Whether a document write by this role is applied under the current rules. */
  mayEditDocument(role: TokenClaims['role']): boolean {
    if (role === 'viewer') return false;
    return wholeWriteRefusal(this.currentRules, role, 'document') === null;
  }

  join(member: JamMember): void {
    if (this.closed) {
      member.close(1001, 'room closed');
      return;
    }
    this.members.set(member, { offsetMs: null, rttMs: null });
    this.onActivity();
    member.send({
      v: 1,
      type: 'welcome',
      clientId: member.clientId,
      id: member.identity.id,
      name: member.identity.name,
      role: member.identity.role,
      transport: this.state,
      rules: this.currentRules,
      peers: this.peers(),
    });
    this.broadcast({ v: 1, type: 'peer-joined', peer: this.peerOf(member, { offsetMs: null, rttMs: null }) }, member);
  }

  leave(member: JamMember): void {
    if (!this.members.delete(member)) return;
    this.clocksToSend.delete(member);
    this.onActivity();
    if (!this.closed) this.broadcast({ v: 1, type: 'peer-left', clientId: member.clientId });
  }

  /** One parsed message from a member; `receivedAt` is the server clock when its frame arrived. */
  receive(member: JamMember, message: Record<string, unknown> & { type: string }, receivedAt: number): void {
    const state = this.members.get(member);
    if (!state) return;
    this.onActivity();
    const refuse = (reason: string) => {
      this.metrics?.jamRefused.inc({ type: message.type.slice(0, 20) });
      member.send({ v: 1, type: 'refused', reason, request: message.type.slice(0, 40) });
    };
    const role = member.identity.role;
    switch (message.type) {
      case 'ping': {
        const { id, t0 } = message;
        if (typeof id !== 'number' || !Number.isFinite(id) || typeof t0 !== 'number' || !Number.isFinite(t0))
          return refuse('ping needs a numeric id and t0');
        member.send({ v: 1, type: 'pong', id, t0, t1: receivedAt, t2: this.now() });
        return;
      }
      case 'transport': {
        if (role === 'viewer') return refuse('viewers cannot change the transport');
        if (this.currentRules.transportLocked && role !== 'owner') return refuse('the transport is locked by the room owner');
        let next: TransportState;
        try {
          next = applyTransportRequest(this.state, message.request as never, this.now(), member.identity.name);
        } catch (err) {
          if (err instanceof JamValueError) return refuse(err.message);
          throw err;
        }
        if (next === this.state) {
          // Nothing changed: the asker still hears the current state (its view may be stale).
          member.send({ v: 1, type: 'transport', transport: this.state });
          return;
        }
        this.state = next;
        this.broadcast({ v: 1, type: 'transport', transport: next });
        this.onTransport(next);
        return;
      }
      case 'live': {
        if (role === 'viewer') return refuse('viewers cannot play live notes');
        let notes: LiveNote[];
        try {
          notes = checkNotes(message.notes);
        } catch (err) {
          if (err instanceof JamValueError) return refuse(err.message);
          throw err;
        }
        this.broadcast({ v: 1, type: 'live', from: member.clientId, name: member.identity.name, notes, relayedAt: this.now() }, member);
        return;
      }
      case 'clock-report': {
        const { offsetMs, rttMs } = message;
        if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs) || Math.abs(offsetMs) > 1e13)
          return refuse('clock-report offsetMs must be a finite number');
        if (typeof rttMs !== 'number' || !Number.isFinite(rttMs) || rttMs < 0 || rttMs > 600_000)
          return refuse('clock-report rttMs must be a number from 0 to 600000');
        this.clocksToSend.set(member, { offsetMs, rttMs });
        this.schedulePeerClocks();
        return;
      }
      case 'rules': {
        if (role !== 'owner') return refuse('only the room owner sets the rules');
        let next: RoomRules;
        try {
          next = checkRules(message.rules);
        } catch (err) {
          if (err instanceof JamValueError) return refuse(err.message);
          throw err;
        }
        if (sameRules(next, this.currentRules)) {
          member.send({ v: 1, type: 'rules', rules: this.currentRules });
          return;
        }
        let saved: void | Promise<void>;
        try {
          // Kept before anyone hears of them: rules in force are rules in the log.
          saved = this.saveRules(next, this.currentRules, member.identity);
        } catch (err) {
          console.error('jam: the rules could not be saved:', err);
          return refuse('the rules could not be saved; try again');
        }
        const apply = () => {
          if (this.closed) return;
          this.currentRules = next;
          this.broadcast({ v: 1, type: 'rules', rules: next });
        };
        // An async store: in force (and heard of) once committed.
        if (saved instanceof Promise) {
          saved.then(apply, (err) => {
            console.error('jam: the rules could not be saved:', (err as Error).message);
            if (!this.closed) refuse('the rules could not be saved; try again');
          });
          return;
        }
        apply();
        return;
      }
      default:
        return refuse(`unknown message type ${JSON.stringify(message.type.slice(0, 40))}`);
    }
  }

  /** Closes every jam connection (the room is unloading or failed). */
  close(code = 1001, reason = 'server shutting down'): void {
    if (this.closed) return;
    this.closed = true;
    if (this.peerClocksTimer) clearTimeout(this.peerClocksTimer);
    this.peerClocksTimer = null;
    this.clocksToSend.clear();
    for (const member of [...this.members.keys()]) member.close(code, reason);
    this.members.clear();
  }

  /** Sends one message to every member (but `except`), serialized once: the same text for all. */
  private broadcast(message: JamServerMessage, except?: JamMember): void {
    const json = JSON.stringify(message);
    for (const member of this.members.keys()) if (member !== except) member.sendText(json);
  }

  private peerOf(member: JamMember, state: MemberState): JamPeer {
    return {
      clientId: member.clientId,
      id: member.identity.id,
      name: member.identity.name,
      role: member.identity.role,
      offsetMs: state.offsetMs,
      rttMs: state.rttMs,
    };
  }

  /** Clock reports go out together: at most one 'peer-clocks' per peerClocksThrottleMs, the latest figures. */
  private schedulePeerClocks(): void {
    if (this.peerClocksTimer || this.closed) return;
    const wait = Math.max(0, this.peerClocksSentAt + this.peerClocksThrottleMs - performance.now());
    this.peerClocksTimer = setTimeout(() => {
      this.peerClocksTimer = null;
      if (!this.closed) this.sendPeerClocks();
    }, wait);
    this.peerClocksTimer.unref?.();
  }

  private sendPeerClocks(): void {
    const clocks: JamPeerClock[] = [];
    for (const [member, report] of this.clocksToSend) {
      const state = this.members.get(member);
      if (!state) continue;
      state.offsetMs = report.offsetMs;
      state.rttMs = report.rttMs;
      clocks.push({ clientId: member.clientId, ...report });
    }
    this.clocksToSend.clear();
    this.peerClocksSentAt = performance.now();
    if (clocks.length) this.broadcast({ v: 1, type: 'peer-clocks', clocks });
  }
}

function sameRules(a: RoomRules, b: RoomRules): boolean {
  return a.students === b.students && a.transportLocked === b.transportLocked && a.spotlightTrackId === b.spotlightTrackId;
}

/** A new member id: short, random, unique enough within a room. */
export function newClientId(): string {
  return randomBytes(6).toString('base64url');
}

function checkNotes(value: unknown): LiveNote[] {
  if (!Array.isArray(value) || value.length === 0) throw new JamValueError('live notes must be a non-empty array');
  if (value.length > JAM_LIMITS.maxNotesPerMessage)
    throw new JamValueError(`at most ${JAM_LIMITS.maxNotesPerMessage} live notes per message`);
  return value.map((note: unknown, i): LiveNote => {
    if (typeof note !== 'object' || note === null || Array.isArray(note)) throw new JamValueError(`live note ${i} is not an object`);
    const { kind, pitch, velocity, trackId, at } = note as Record<string, unknown>;
    if (kind !== 'on' && kind !== 'off') throw new JamValueError(`live note ${i}: kind must be 'on' or 'off'`);
    if (typeof pitch !== 'number' || !Number.isInteger(pitch) || pitch < 0 || pitch > 127)
      throw new JamValueError(`live note ${i}: pitch must be a whole number 0–127`);
    if (typeof velocity !== 'number' || !Number.isFinite(velocity) || velocity < 0 || velocity > 127)
      throw new JamValueError(`live note ${i}: velocity must be 0–127`);
    if (trackId !== undefined && trackId !== null && (typeof trackId !== 'string' || trackId.length > JAM_LIMITS.maxTrackIdLength)) {
      throw new JamValueError(`live note ${i}: trackId must be a track id or null`);
    }
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new JamValueError(`live note ${i}: at must be a time (ms)`);
    return { kind, pitch, velocity, trackId: (trackId as string | null | undefined) ?? null, at };
  });
}
