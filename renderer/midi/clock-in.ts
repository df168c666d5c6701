/**
 * An external MIDI clock (the room owner's DAW) driving the room's shared transport: its tempo,
 * estimated from the pulses (clock-tempo.ts), and its Start, Continue, Stop and Song Position
 * Pointer become the room's requests — the same ones the UI's play, stop and tempo make — so the
 * server places them and every bandmate follows.
 *
 * - Tempo: asked for when the estimate is ready (two beats of pulses) and moves more than a small
 *   band (default 0.2 BPM) from the room's, and from the last one asked; the band keeps jitter
 *   from asking again and again (the estimate itself is steady to a few hundredths).
 * - Start / Continue: the room is asked to start on one of the DAW's own bar lines, at the DAW's
 *   tempo: the tempo first, then play from the bar the DAW will be in at that line (`atMs`), far
 *   enough ahead for the request to arrive (the server moves it on by whole bars when it is late).
 *   It waits for the tempo estimate (DAWs that run their clock while stopped have it at once).
 * - SPP while running (a DAW's own loop or a jump): the room jumps to the DAW's bar on its next
 *   bar line. Stop: the room stops.
 * The song's loop still applies in the room: a DAW looping on its own sends SPP at each wrap.
 * Pure apart from the host's callbacks.
 */
import type { ServerMs, TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { nextBarLine } from '../../core/jam/timeline.ts';
import { PULSES_PER_SIXTEENTH, type ClockInput } from './midi-bytes.ts';
import { pulsesPerBar } from './clock-out-schedule.ts';
import { ClockTempo } from './clock-tempo.ts';

export interface ClockInHost {
  /** The room's shared transport (null before the channel is up). */
  room(): TransportState | null;
  /** Server time of a performance.now() time (ms), and back. */
  serverAt(perfMs: number): ServerMs;
  perfAt(serverMs: ServerMs): number;
  /** Asks the room (room-requests.ts). */
  request(request: TransportRequest): void;
}

export interface ClockInOptions {
  /** How far the estimate may move before a new tempo is asked for, BPM (default 0.2). */
  bandBpm?: number;
  /** How far ahead (ms) the room is asked to start: the request's trip and the server's lead (default 400). */
  leadMs?: number;
}

export class ClockIn {
  readonly tempo = new ClockTempo();
  private readonly host: ClockInHost;
  private readonly bandBpm: number;
  private readonly leadMs: number;
  /** The DAW's position (sixteenths) at the first clock after Start/Continue/SPP. */
  private position = 0;
  private running = false;
  /** Clocks since that first clock, and when it came (perf ms; null until it has). */
  private pulses = 0;
  private firstAt: number | null = null;
  /** The room still has to be asked to start (or jump) to the DAW's position. */
  private placing = false;
  private askedBpm: number | null = null;

  constructor(host: ClockInHost, options: ClockInOptions = {}) {
    this.host = host;
    this.bandBpm = options.bandBpm ?? 0.2;
    this.leadMs = options.leadMs ?? 400;
  }

  /** A clock input message that arrived at `at` (performance ms: the MIDI event's timeStamp). */
  message(input: ClockInput, at: number): void {
    switch (input.kind) {
      case 'start':
        this.position = 0;
        this.begin();
        return;
      case 'continue':
        this.begin();
        return;
      case 'stop':
        if (this.running) this.position += this.pulses / PULSES_PER_SIXTEENTH;
        this.running = false;
        this.placing = false;
        if (this.host.room()?.playing) this.host.request({ action: 'stop' });
        return;
      case 'position':
        this.position = input.sixteenths;
        if (this.running) this.begin();
        return;
      case 'clock':
        this.clock(at);
        return;
    }
  }

  private begin(): void {
    this.running = true;
    this.placing = true;
    this.pulses = 0;
    this.firstAt = null;
  }

  private clock(at: number): void {
    this.tempo.pulse(at);
    if (this.running) {
      if (this.firstAt === null) this.firstAt = at;
      else this.pulses++;
    }
    const room = this.host.room();
    const bpm = this.tempo.bpm;
    if (!room || bpm === null) return;
    this.askTempo(room, bpm);
    if (this.placing && this.firstAt !== null) this.place(room);
  }

  private askTempo(room: TransportState, bpm: number): void {
    const rounded = Math.round(bpm * 100) / 100;
    if (Math.abs(rounded - room.bpm) <= this.bandBpm) return;
    if (this.askedBpm !== null && Math.abs(rounded - this.askedBpm) <= this.bandBpm) return;
    this.askedBpm = rounded;
    this.host.request({ action: 'tempo', bpm: rounded });
  }

  /** The DAW's pulse count from the top at the last clock. */
  private pulseNow(): number {
    return this.position * PULSES_PER_SIXTEENTH + this.pulses;
  }

  private place(room: TransportState): void {
    this.placing = false;
    const perBar = pulsesPerBar(room.meter);
    const period = this.tempo.period!;
    const now = this.pulseNow();
    if (!room.playing) {
      // The DAW's first bar line far enough ahead, by the fitted line (not one jittery pulse).
      const target = Math.ceil((now + this.leadMs / period) / perBar) * perBar;
      const time = this.tempo.predict(target - now)!;
      this.host.request({ action: 'play', fromBar: Math.round(target / perBar), atMs: this.host.serverAt(time) });
      return;
    }
    // Playing: the room jumps on its next bar line, to the bar the DAW is in there.
    const line = nextBarLine(room, this.host.serverAt(this.tempo.predict(0)!) + this.leadMs / 2);
    if (!line) return;
    const pulsesThere = now + (this.host.perfAt(line.atMs) - this.tempo.predict(0)!) / period;
    this.host.request({ action: 'play', fromBar: Math.max(0, Math.round(pulsesThere / perBar)) });
  }
}
