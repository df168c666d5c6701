/**
 * What this page asks of the room's shared transport: the presses of the UI's transport while the
 * channel is live (the RoomTransport that jam-transport.ts calls), the song's tempo, loop and
 * meter where they differ from the room's, and the request of a player who pressed play before
 * the channel was up (the room starts on their next bar line, so their music goes on without a
 * jump). A transport the rules lock to the owner, or a channel that just dropped, is said rather
 * than lost silently.
 */
import type { TransportRequest, TransportState } from '../../core/jam/contract.ts';
import { JAM_LIMITS } from '../../core/jam/contract.ts';
import type { Song } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { AudioTransport } from '../audio/contract.ts';
import { ticksPerSecond } from '../audio/timing.ts';
import type { RoomTransport } from './jam-transport.ts';
import { joinRequest, type ClockMap } from './time-map.ts';

/**
 * How far ahead (s) a player already playing asks the room to start: the server's lead
 * (JAM_LEAD_MS) plus the request's trip there and the tempo and loop requests sent before it.
 */
const JOIN_LEAD_S = 0.5;

/** What the requests need of the jam (jam-session.ts). */
export interface RequestsHost {
  client: { transport(): TransportState | null; request(request: TransportRequest): boolean };
  engine: Pick<AudioTransport, 'getState' | 'nextBarLine' | 'audioTime'>;
  /** The song as it is here now. */
  song(): Song;
  /** The server ↔ audio mapping now (timeline-follower.ts). */
  map(): ClockMap;
  /** The channel is live; the room's transport is playing. */
  live(): boolean;
  playing(): boolean;
  /** May this user drive the transport (the rules can lock it to the owner)? */
  canDrive(): boolean;
  /** Shows a message in the jam panel. */
  say(message: string): void;
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

export class RoomRequests implements RoomTransport {
  private readonly host: RequestsHost;

  constructor(host: RequestsHost) {
    this.host = host;
  }

  live(): boolean {
    return this.host.live();
  }

  playing(): boolean {
    return this.host.playing();
  }

  play(): void {
    this.syncSong(true);
    const request: Extract<TransportRequest, { action: 'play' }> = { action: 'play', fromBar: this.playFromBar() };
    // The count-in setting (the top bar's): everyone hears it, on the shared clock.
    const countInBars = Math.min(JAM_LIMITS.maxCountInBars, Math.max(0, Math.floor(this.host.engine.getState().countInBars || 0)));
    if (countInBars > 0) request.countInBars = countInBars;
    this.send(request);
  }

  stop(): void {
    this.send({ action: 'stop' });
  }

  playFrom(bar: number): void {
    this.send({ action: 'play', fromBar: bar });
  }

  /**
   * Any request, as a press would send it (refused with a word when the rules lock the transport
   * or the channel is down): an external MIDI clock driving the room (renderer/midi/clock-in.ts).
   */
  ask(request: TransportRequest): void {
    this.send(request);
  }

  barTicks(): number {
    return ticksPerBar(this.host.song().meta.meter);
  }

  /**
   * Asks the room to join this player, who plays on their own: it starts on their next bar line
   * (far enough ahead for the request to arrive), from the bar they will be in, the song's tempo,
   * loop and meter sent first; without a bar line to go by, from the bar they are in.
   */
  joinMe(): void {
    this.syncSong(true);
    const line = this.host.engine.nextBarLine();
    if (!line) return this.send({ action: 'play', fromBar: this.playFromBar() });
    const song = this.host.song();
    const barTicks = ticksPerBar(song.meta.meter);
    const barSeconds = barTicks / ticksPerSecond(song.meta.bpm);
    const loop = this.host.engine.getState().loop ? songLoop(song) : null;
    this.send({
      action: 'play',
      ...joinRequest(line, barTicks, barSeconds, this.host.engine.audioTime(), JOIN_LEAD_S, loop, this.host.map()),
    });
  }

  /** Sends the song's tempo, loop and meter where they differ from the shared transport's (the loop: when it has one, or `includeLoop`). */
  syncSong(includeLoop: boolean): void {
    const state = this.host.client.transport();
    if (!state || !this.host.canDrive()) return;
    const song = this.host.song();
    if (song.meta.meter.numerator !== state.meter.numerator || song.meta.meter.denominator !== state.meter.denominator) {
      this.host.client.request({ action: 'meter', meter: song.meta.meter });
    }
    if (song.meta.bpm !== state.bpm) this.host.client.request({ action: 'tempo', bpm: song.meta.bpm });
    const loop = songLoop(song);
    if ((includeLoop || song.meta.loop) && !sameLoop(loop, state.loop)) this.host.client.request({ action: 'loop', loop });
  }

  private send(request: TransportRequest): void {
    if (!this.host.canDrive()) return this.host.say('The transport is locked by the room owner.');
    // Not connected (the channel dropped a moment ago): say so, rather than lose the press silently.
    if (!this.host.client.request(request)) this.host.say("Not connected to the room's transport just now; try again in a moment.");
  }

  /** The bar a play request starts from: the playhead's, pulled into the song's loop. */
  private playFromBar(): number {
    const loop = songLoop(this.host.song());
    const bar = Math.max(0, Math.floor(this.host.engine.getState().playheadBar + 1e-6));
    return bar >= loop.endBar || bar < loop.startBar ? loop.startBar : bar;
  }
}
