/**
 * The jam channel's client (core/jam/contract.ts), for the renderer, tests and bench:jam. Keeps a
 * clock estimate against the session host (a burst of pings at the start, one every
 * ~warmupPingIntervalMs for warmupMs after it, then one every ~pingIntervalMs), the room's
 * transport, rules and peers (the welcome's list, kept up to date by the server's peer-joined,
 * peer-left and peer-clocks deltas), and reconnects with backoff. The
 * WebSocket constructor is injected (the browser's, or the `ws` package's), so nothing here needs
 * the DOM or Node.
 *
 * Its token (`auth`) goes in the websocket subprotocols, and setToken() renews it: sent in place
 * on the open socket, offered on every later reconnect. The server closes the channel with 4401
 * when the token runs out: then the client waits (status 'closed', `expired` says why) until
 * setToken() gives it a newer one, and reconnects with that.
 */
import { ClockEstimator, type ClockEstimatorOptions } from './clock.ts';
import {
  DEFAULT_RULES,
  type JamClientMessage,
  type JamPeer,
  type JamPeerClock,
  type JamServerMessage,
  type LiveNote,
  type RoomRules,
  type ServerMs,
  type TransportRequest,
  type TransportState,
} from './contract.ts';
import { checkRules, checkTransportRequest } from './timeline.ts';

/**
 * Timers and the clock exist in every runtime this runs in (browser, worker, Node); core's types
 * leave them out on purpose, so they are reached through globalThis.
 */
interface Runtime {
  setTimeout(run: () => void, ms?: number): unknown;
  clearTimeout(handle: unknown): void;
  performance: { timeOrigin: number; now(): number };
  console: { error(...args: unknown[]): void };
}
const runtime = globalThis as unknown as Runtime;

/** The part of the WebSocket API used here (the browser's and `ws`'s both have it). */
export interface JamSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type JamSocketConstructor = new (url: string, protocols?: string[]) => JamSocket;

export type JamStatus = 'connecting' | 'syncing' | 'ready' | 'closed';
/** 'token': the server confirmed a token sent in place (`tokenExp`). */
export type JamChange = 'transport' | 'peers' | 'rules' | 'status' | 'clock' | 'token';
export type LiveMessage = Extract<JamServerMessage, { type: 'live' }>;

export interface JamClientOptions {
  /** ws://host:port/<room>/jam (with `auth`), or ws://host:port/<room>/jam?token=... */
  url: string;
  /**
   * The token, sent as websocket subprotocols: `protocols(token)` (sync-server/contract.ts
   * tokenProtocols; core does not import the server's contract). Renewed with setToken().
   */
  auth?: { token: string; protocols(token: string): string[] };
  WebSocket: JamSocketConstructor;
  /** The local clock (ms); default performance.timeOrigin + performance.now(). */
  now?: () => number;
  /** Time between pings once synced (ms, ±20% jitter); default 1500. */
  pingIntervalMs?: number;
  /** Pings in the burst at each (re)connection, and their spacing (ms). */
  burstCount?: number;
  burstIntervalMs?: number;
  /**
   * After the burst, pings come this often (ms, ±20% jitter; default 250) for warmupMs (default
   * 15000) of each connection: the estimate rests on its few lowest-round-trip samples and on a
   * drift fitted over time, and both want many samples early (the first bars of a jam).
   */
  warmupPingIntervalMs?: number;
  warmupMs?: number;
  /** Reconnect backoff (ms): doubles from min to max. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Least time between two clock reports (ms). */
  reportIntervalMs?: number;
  clock?: ClockEstimatorOptions;
}

/** Close codes after which reconnecting cannot help (mirror of CLOSE in sync-server/contract.ts). */
const FINAL_CLOSE_CODES = new Set([4400, 4403]);
/** The token ran out (CLOSE.tokenExpired): reconnecting needs a newer one (setToken). */
const TOKEN_EXPIRED = 4401;
const OPEN = 1;

export class JamClient {
  readonly clock: ClockEstimator;
  private readonly options: Required<Omit<JamClientOptions, 'clock' | 'auth'>>;
  private readonly auth: JamClientOptions['auth'] | null;
  /** The newest token (setToken), and the one the current socket was opened with or renewed to. */
  private token: string | null;
  private socketToken: string | null = null;
  private expiredReason: string | null = null;
  private confirmedExp: number | null = null;
  private socket: JamSocket | null = null;
  private currentStatus: JamStatus = 'connecting';
  private state: TransportState | null = null;
  private currentRules: RoomRules = { ...DEFAULT_RULES };
  private peerList: JamPeer[] = [];
  private self: { clientId: string; id: string; name: string; role: 'owner' | 'editor' | 'viewer' } | null = null;
  private readonly listeners = new Set<(kind: JamChange) => void>();
  private readonly liveListeners = new Set<(message: LiveMessage, receivedAt: number) => void>();
  private readonly problemListeners = new Set<(problem: string) => void>();
  private readonly refusedListeners = new Set<(reason: string, request: string | undefined) => void>();
  private readonly pending = new Map<number, number>();
  private nextPingId = 1;
  private pingTimer: unknown | null = null;
  private reconnectTimer: unknown | null = null;
  private backoffMs: number;
  private welcomed = false;
  private pongsThisConnection = 0;
  private lastReport = { at: -Infinity, offsetMs: NaN };
  private closedByUser = false;
  /** Connections opened so far (1 after the first). */
  connections = 0;
  /** Malformed server messages met (each also goes to onProblem listeners). */
  problems = 0;
  lastProblem: string | null = null;

  constructor(options: JamClientOptions) {
    const { clock, auth, ...rest } = options;
    this.auth = auth ?? null;
    this.token = auth?.token ?? null;
    this.options = {
      now: () => runtime.performance.timeOrigin + runtime.performance.now(),
      pingIntervalMs: 1500,
      burstCount: 8,
      burstIntervalMs: 50,
      warmupPingIntervalMs: 250,
      warmupMs: 15_000,
      reconnectMinMs: 250,
      reconnectMaxMs: 5000,
      reportIntervalMs: 2000,
      ...rest,
    };
    this.clock = new ClockEstimator(clock);
    this.backoffMs = this.options.reconnectMinMs;
    this.connect();
  }

  get status(): JamStatus {
    return this.currentStatus;
  }

  /** Why the server closed the channel for its token (4401), while no newer token has been given; null otherwise. */
  get expired(): string | null {
    return this.expiredReason;
  }

  /** The exp (seconds) the server last confirmed for a token sent in place; null before any. */
  get tokenExp(): number | null {
    return this.confirmedExp;
  }

  /**
   * Takes `token` from now on: sent in place on the open channel (answered 'token', or 'refused'
   * with request 'token'), offered on every reconnect; a channel closed because its token ran
   * out reconnects with it at once.
   */
  setToken(token: string): void {
    if (!this.auth || this.closedByUser || token === this.token) return;
    this.token = token;
    if (this.socket && this.socket.readyState === OPEN) {
      this.sendToken(token);
    } else if (this.expiredReason !== null) {
      this.expiredReason = null;
      this.backoffMs = this.options.reconnectMinMs;
      this.connect();
    }
    // A socket still connecting gets it once open (onopen).
  }

  /** Who this connection is, after the server's welcome. */
  get me(): { clientId: string; id: string; name: string; role: 'owner' | 'editor' | 'viewer' } | null {
    return this.self;
  }

  /** The room's transport (null before the first welcome). */
  transport(): TransportState | null {
    return this.state;
  }

  rules(): RoomRules {
    return this.currentRules;
  }

  peers(): JamPeer[] {
    return this.peerList;
  }

  /** The server's clock now, as estimated (the local clock until the first pong). */
  serverNow(): ServerMs {
    return this.clock.serverNow(this.options.now());
  }

  /** The local time at which the server's clock reads `serverMs`. */
  localAt(serverMs: ServerMs): number {
    return this.clock.localAt(serverMs);
  }

  /** Asks for a transport change (checked here first: JamValueError when out of range). False when not connected. */
  request(request: TransportRequest): boolean {
    return this.sendMessage({ v: 1, type: 'transport', request: checkTransportRequest(request) });
  }

  /** Sends live notes to the others at once. False when not connected (live notes are not queued). */
  sendLive(notes: LiveNote[]): boolean {
    if (!notes.length) return false;
    return this.sendMessage({ v: 1, type: 'live', notes });
  }

  /** Sets the room's rules (the owner only; others are refused). */
  setRules(rules: RoomRules): boolean {
    return this.sendMessage({ v: 1, type: 'rules', rules: checkRules(rules) });
  }

  onChange(listener: (kind: JamChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Live notes from the others; `receivedAt` is the local clock when the message arrived. */
  onLive(listener: (message: LiveMessage, receivedAt: number) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  /** Malformed messages from the server (ignored, reported here). */
  onProblem(listener: (problem: string) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Requests the server refused (not allowed, bad values). */
  onRefused(listener: (reason: string, request: string | undefined) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  close(): void {
    this.closedByUser = true;
    this.stopTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      detach(socket);
      try {
        socket.close(1000, 'bye');
      } catch {
        // already closed
      }
    }
    this.setStatus('closed');
  }

  // -------------------------------------------------------------------------------------------

  private connect(): void {
    if (this.closedByUser) return;
    this.setStatus('connecting');
    let socket: JamSocket;
    try {
      socket =
        this.auth && this.token !== null
          ? new this.options.WebSocket(this.options.url, this.auth.protocols(this.token))
          : new this.options.WebSocket(this.options.url);
    } catch (err) {
      this.problem(`cannot connect: ${(err as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.socketToken = this.token;
    this.welcomed = false;
    this.pongsThisConnection = 0;
    this.pending.clear();
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.connections++;
      if (this.connections > 1) this.clock.flagStep();
      // A token given while this socket was connecting goes out now.
      if (this.token !== null && this.token !== this.socketToken) this.sendToken(this.token);
      this.setStatus('syncing');
      this.startPings();
    };
    socket.onmessage = (event) => {
      const receivedAt = this.options.now();
      if (this.socket !== socket) return;
      this.onMessage(event.data, receivedAt);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      detach(socket);
      this.stopTimers();
      if (this.closedByUser) return;
      if (event.code === TOKEN_EXPIRED && this.auth) {
        this.expiredReason = event.reason || 'token expired';
        this.problem(`the server closed the jam channel (${event.code}): ${this.expiredReason}`);
        this.setStatus('closed');
        return;
      }
      if (FINAL_CLOSE_CODES.has(event.code)) {
        this.problem(`the server closed the jam channel (${event.code}): ${event.reason}`);
        this.setStatus('closed');
        return;
      }
      this.scheduleReconnect();
    };
  }

  /** Renews the open socket's token in place. */
  private sendToken(token: string): void {
    this.socketToken = token;
    this.sendMessage({ v: 1, type: 'token', token });
  }

  private scheduleReconnect(): void {
    if (this.closedByUser) return;
    this.setStatus('connecting');
    const wait = this.backoffMs * (0.75 + Math.random() * 0.5);
    this.backoffMs = Math.min(this.options.reconnectMaxMs, this.backoffMs * 2);
    this.reconnectTimer = runtime.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, wait);
  }

  private startPings(): void {
    let sent = 0;
    const warmUntil = this.options.now() + this.options.warmupMs;
    const tick = () => {
      this.pingTimer = null;
      if (!this.socket || this.socket.readyState !== OPEN) return;
      this.ping();
      sent++;
      const every =
        this.options.now() < warmUntil
          ? Math.min(this.options.warmupPingIntervalMs, this.options.pingIntervalMs)
          : this.options.pingIntervalMs;
      const wait = sent < this.options.burstCount ? this.options.burstIntervalMs : every * (0.8 + Math.random() * 0.4);
      this.pingTimer = runtime.setTimeout(tick, wait);
    };
    tick();
  }

  private ping(): void {
    const id = this.nextPingId++;
    const t0 = this.options.now();
    this.pending.set(id, t0);
    // Pongs that never come (a dropped connection) should not pile up.
    if (this.pending.size > 64) this.pending.delete(this.pending.keys().next().value!);
    this.sendMessage({ v: 1, type: 'ping', id, t0 });
  }

  private stopTimers(): void {
    if (this.pingTimer) runtime.clearTimeout(this.pingTimer);
    if (this.reconnectTimer) runtime.clearTimeout(this.reconnectTimer);
    this.pingTimer = null;
    this.reconnectTimer = null;
  }

  private sendMessage(message: JamClientMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  private onMessage(data: unknown, receivedAt: number): void {
    if (typeof data !== 'string') return this.problem('a binary message on the jam channel');
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return this.problem('a message that is not JSON');
    }
    if (!isRecord(message) || message.v !== 1 || typeof message.type !== 'string')
      return this.problem('a message that is not a jam message');
    const m = message as Record<string, unknown>;
    switch (m.type) {
      case 'pong': {
        const { id, t0, t1, t2 } = m;
        if (typeof id !== 'number' || ![t0, t1, t2].every((t) => typeof t === 'number' && Number.isFinite(t)))
          return this.problem('a malformed pong');
        const sent = this.pending.get(id);
        if (sent === undefined || sent !== t0) return; // a pong from before a reconnect, or not ours
        this.pending.delete(id);
        if (!this.clock.add({ t0: t0 as number, t1: t1 as number, t2: t2 as number, t3: receivedAt }))
          return this.problem('an impossible pong');
        this.pongsThisConnection++;
        this.emit('clock');
        this.maybeReport(receivedAt);
        this.updateReady();
        return;
      }
      case 'welcome': {
        const { clientId, id, name, role, transport, rules, peers } = m;
        if (
          typeof clientId !== 'string' ||
          typeof id !== 'string' ||
          typeof name !== 'string' ||
          (role !== 'owner' && role !== 'editor' && role !== 'viewer')
        ) {
          return this.problem('a malformed welcome');
        }
        if (!isTransport(transport) || !isRules(rules) || !isPeers(peers)) return this.problem('a malformed welcome');
        this.self = { clientId, id, name, role };
        this.welcomed = true;
        this.backoffMs = this.options.reconnectMinMs;
        this.state = transport;
        this.currentRules = rules;
        this.peerList = peers;
        this.emit('transport');
        this.emit('rules');
        this.emit('peers');
        this.updateReady();
        return;
      }
      case 'transport':
        if (!isTransport(m.transport)) return this.problem('a malformed transport');
        this.state = m.transport;
        this.emit('transport');
        return;
      case 'rules':
        if (!isRules(m.rules)) return this.problem('malformed rules');
        this.currentRules = m.rules;
        this.emit('rules');
        return;
      case 'peer-joined': {
        if (!isPeer(m.peer)) return this.problem('a malformed peer-joined');
        const peer = m.peer;
        // A new array each time: the UI compares lists by identity.
        this.peerList = [...this.peerList.filter((p) => p.clientId !== peer.clientId), peer];
        this.emit('peers');
        return;
      }
      case 'peer-left': {
        if (typeof m.clientId !== 'string') return this.problem('a malformed peer-left');
        const gone = m.clientId;
        if (!this.peerList.some((p) => p.clientId === gone)) return;
        this.peerList = this.peerList.filter((p) => p.clientId !== gone);
        this.emit('peers');
        return;
      }
      case 'peer-clocks': {
        if (!Array.isArray(m.clocks) || !m.clocks.every(isPeerClock)) return this.problem('a malformed peer-clocks');
        const clocks = new Map((m.clocks as JamPeerClock[]).map((c) => [c.clientId, c]));
        if (!this.peerList.some((p) => clocks.has(p.clientId))) return;
        this.peerList = this.peerList.map((p) => {
          const clock = clocks.get(p.clientId);
          return clock ? { ...p, offsetMs: clock.offsetMs, rttMs: clock.rttMs } : p;
        });
        this.emit('peers');
        return;
      }
      case 'live': {
        if (typeof m.from !== 'string' || typeof m.name !== 'string' || !Array.isArray(m.notes) || typeof m.relayedAt !== 'number') {
          return this.problem('a malformed live message');
        }
        for (const listener of this.liveListeners) guard(() => listener(m as LiveMessage, receivedAt));
        return;
      }
      case 'token': {
        if (!isNum(m.exp)) return this.problem('a malformed token answer');
        this.confirmedExp = m.exp;
        this.emit('token');
        return;
      }
      case 'refused': {
        const reason = typeof m.reason === 'string' ? m.reason : 'refused';
        const request = typeof m.request === 'string' ? m.request : undefined;
        for (const listener of this.refusedListeners) guard(() => listener(reason, request));
        return;
      }
      default:
        // A newer server's message: not an error.
        return;
    }
  }

  private updateReady(): void {
    if (this.currentStatus === 'syncing' && this.welcomed && this.clock.ready && this.pongsThisConnection > 0) this.setStatus('ready');
  }

  private maybeReport(nowLocal: number): void {
    if (!this.clock.ready) return;
    const offsetMs = this.clock.offsetMs;
    const since = nowLocal - this.lastReport.at;
    const moved = Math.abs(offsetMs - this.lastReport.offsetMs);
    if (since < this.options.reportIntervalMs && !(moved > 1)) return;
    if (since < this.options.burstIntervalMs) return;
    this.lastReport = { at: nowLocal, offsetMs };
    this.sendMessage({ v: 1, type: 'clock-report', offsetMs, rttMs: this.clock.rttMs });
  }

  private setStatus(status: JamStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    this.emit('status');
  }

  private emit(kind: JamChange): void {
    for (const listener of this.listeners) guard(() => listener(kind));
  }

  private problem(text: string): void {
    this.problems++;
    this.lastProblem = text;
    for (const listener of this.problemListeners) guard(() => listener(text));
  }
}

function detach(socket: JamSocket): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = () => {};
}

/** A listener that throws must not break the client (nor the other listeners): it is logged. */
function guard(run: () => void): void {
  try {
    run();
  } catch (err) {
    runtime.console.error('jam client: a listener threw:', err);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNum = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isSegment(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { playing, bpm, meter, loop, anchorMs, anchorBar, countIn } = value;
  return (
    typeof playing === 'boolean' &&
    isNum(bpm) &&
    bpm > 0 &&
    isRecord(meter) &&
    isNum(meter.numerator) &&
    meter.numerator > 0 &&
    isNum(meter.denominator) &&
    meter.denominator > 0 &&
    (loop === null || (isRecord(loop) && isNum(loop.startBar) && isNum(loop.endBar) && loop.endBar > loop.startBar)) &&
    isNum(anchorMs) &&
    isNum(anchorBar) &&
    (countIn === undefined ||
      countIn === null ||
      (isRecord(countIn) &&
        isNum(countIn.bars) &&
        countIn.bars >= 1 &&
        isNum(countIn.beats) &&
        countIn.beats >= 1 &&
        isNum(countIn.startMs) &&
        countIn.startMs < anchorMs))
  );
}

function isTransport(value: unknown): value is TransportState {
  if (!isSegment(value)) return false;
  const v = value as Record<string, unknown>;
  if (!isNum(v.revision) || typeof v.changedBy !== 'string') return false;
  return v.earlier === undefined || (Array.isArray(v.earlier) && v.earlier.every(isSegment));
}

function isRules(value: unknown): value is RoomRules {
  try {
    checkRules(value);
    return true;
  } catch {
    return false;
  }
}

function isPeer(value: unknown): value is JamPeer {
  return isRecord(value) && typeof value.clientId === 'string' && typeof value.id === 'string' && typeof value.name === 'string';
}

function isPeers(value: unknown): value is JamPeer[] {
  return Array.isArray(value) && value.every(isPeer);
}

function isPeerClock(value: unknown): value is JamPeerClock {
  return isRecord(value) && typeof value.clientId === 'string' && isNum(value.offsetMs) && isNum(value.rttMs);
}
