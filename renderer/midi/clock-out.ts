/**
 * MIDI clock out, following the room's shared transport: a timer (every 20 ms or so) sends the
 * messages of the next stretch of server time (clock-out-schedule.ts), each stamped with the
 * performance.now() at which this page hears that moment (midi-time.ts), less the port's latency.
 * The messages before a change of the room's transport never move (a change is announced at
 * least JAM_LEAD_MS, 150 ms, before it lands, more than the look-ahead here), so each window
 * follows on from the last.
 *
 * Switched on while the room plays, it joins on the next bar line (SPP and Continue there, then
 * the clocks), rather than clocking a receiver that was never started. A timer that stalled (a
 * frozen page) skips the clocks it missed instead of sending a burst of late ones (the transport
 * messages among them still go, late). Switched off, or
 * the page going away, while the room plays: Stop.
 */
import type { ServerMs, TransportState } from '../../core/jam/contract.ts';
import { downbeatAfter, positionAt } from '../../core/jam/timeline.ts';
import { Emitter } from '../jam/emitter.ts';
import { CONTINUE, STOP, songPosition } from './midi-bytes.ts';
import { clockMessages, sixteenthsAtBar, type ClockMessage } from './clock-out-schedule.ts';

export interface ClockOutHost {
  /** The room's shared transport; null while it is not known (the channel down). */
  transport(): TransportState | null;
  /** The server clock now (ms). */
  serverNow(): ServerMs;
  /** performance.now() ms at which server time `serverMs` is heard here. */
  perfAt(serverMs: ServerMs): number;
  /** Sends to the clock port with a performance.now() timestamp (the port's latency already off); false: not there. */
  send(data: number[], timestamp: number): boolean;
}

export interface ClockOutEvents {
  /** A message went out: its kind, its server time and the timestamp it was sent with. */
  sent: ClockMessage & { timestamp: number };
}

export interface ClockOutOptions {
  /** How far ahead of now messages are sent, ms (default 100: well under the room's 150 ms lead). */
  lookAheadMs?: number;
  /** A timer this late (ms) skips what it missed (default 150). */
  maxLateMs?: number;
}

export class ClockOut {
  private readonly host: ClockOutHost;
  private readonly events = new Emitter<ClockOutEvents>();
  private readonly lookAheadMs: number;
  private readonly maxLateMs: number;
  /** Server time up to which messages were sent (null: nothing yet, or starting over). */
  private sentUntil: ServerMs | null = null;
  /** The receiver was started (Start or Continue sent, no Stop since). */
  private running = false;

  constructor(host: ClockOutHost, options: ClockOutOptions = {}) {
    this.host = host;
    this.lookAheadMs = options.lookAheadMs ?? 100;
    this.maxLateMs = options.maxLateMs ?? 150;
  }

  on<K extends keyof ClockOutEvents>(name: K, listener: (event: ClockOutEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** The timer's call: sends what falls due before now + the look-ahead. */
  tick(): void {
    const state = this.host.transport();
    const now = this.host.serverNow();
    if (!state) {
      this.sentUntil = null;
      return;
    }
    let from = this.sentUntil;
    if (from !== null && now - from > this.maxLateMs) {
      // The timer stalled: the clocks it missed are dropped (a burst of late clocks would drag
      // the receiver's tempo), not Start, Stop or a position (a lost Stop leaves it running).
      for (const message of clockMessages(state, from, now)) if (message.kind !== 'clock') this.send(message);
      from = this.running ? now : null;
    }
    if (from === null) from = this.join(state, now);
    const to = now + this.lookAheadMs;
    if (to <= from) {
      // Joining on a bar line still ahead: nothing before it.
      this.sentUntil = from;
      return;
    }
    for (const message of clockMessages(state, from, to)) this.send(message);
    this.sentUntil = to;
  }

  /** Stop now if the receiver runs (clock out switched off, the page going away); later ticks start over. */
  stop(): void {
    if (this.running) this.send({ kind: 'stop', atMs: this.host.serverNow(), data: [STOP] });
    this.sentUntil = null;
  }

  dispose(): void {
    this.stop();
    this.events.clear();
  }

  /**
   * Where sending starts afresh: now, or — the room already playing past its downbeat and the
   * receiver not started — the next bar line, with the position and Continue there.
   */
  private join(state: TransportState, now: ServerMs): ServerMs {
    const here = positionAt(state, now);
    if (!here.playing || !here.started || this.running) return now;
    const line = downbeatAfter(state, now + 20);
    if (!line) return now;
    this.send({ kind: 'position', atMs: line.atMs, data: songPosition(sixteenthsAtBar(line.bar, line.meter)) });
    this.send({ kind: 'continue', atMs: line.atMs, data: [CONTINUE] });
    return line.atMs;
  }

  private send(message: ClockMessage): void {
    const timestamp = this.host.perfAt(message.atMs);
    if (!this.host.send(message.data, timestamp)) return;
    if (message.kind === 'start' || message.kind === 'continue') this.running = true;
    if (message.kind === 'stop') this.running = false;
    this.events.emit('sent', { ...message, timestamp });
  }
}
