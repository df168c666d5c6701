/**
 * Notes to MIDI output ports, on the audio's schedule, with no note left hanging.
 *
 * The audio engine commits each note a look-ahead (150 ms) before it sounds, with its length;
 * here its note-on goes to the port at once, timestamped for when the page hears it (less the
 * port's latency), and its note-off is held back and sent a little before it is due (flush()).
 * Held back, because an off can still move: a stop, a seek, a mute or a repeated key ends a note
 * early, and a sent MIDI message cannot be taken back (Chromium has no MIDIOutput.clear()).
 *
 * Nothing is left hanging: cut() ends every note sounding at its time (an on already sent for
 * later gets its off right behind it, so at worst a blip, never a stuck note), and a stop or the
 * page going away adds All Notes Off on every channel used. A port that goes away forgets its
 * notes; when it comes back its channels get All Notes Off and their programs again.
 *
 * Times are performance.now() ms at which the page hears the moment (midi-time.ts); the port's
 * latency is taken off as each message is sent. Pure: the ports and the clock come from the host.
 */
import { Emitter } from '../jam/emitter.ts';
import { allNotesOff, noteOff, noteOn, programChange } from './midi-bytes.ts';
import { portTimestamp } from './midi-time.ts';

/** Where a track's (or the live notes') MIDI goes: a port and a channel (0..15). */
export interface MidiRoute {
  portId: string;
  channel: number;
}

export interface NoteOutHost {
  /** Sends to a port; false when it is not there (disconnected, or never was). */
  send(portId: string, data: number[], timestamp: number): boolean;
  /** The port's latency, ms (positive: its sound comes later, so it is sent earlier). */
  latencyMs(portId: string): number;
  /** performance.now(). */
  now(): number;
}

export interface NoteOutEvents {
  /** A message went to a port (activity lights, tests). */
  sent: { portId: string; data: number[]; timestamp: number };
}

/** How far ahead of its time a held note-off is sent, ms: beyond the flush timer's period and its jitter. */
export const OFF_HORIZON_MS = 60;

interface Sounding {
  route: MidiRoute;
  /** Whose note: a track id (scheduled) or a live key. */
  owner: string;
  pitch: number;
  on: number;
  off: number;
  offSent: boolean;
}

const sameKey = (a: Sounding, route: MidiRoute, pitch: number): boolean =>
  a.route.portId === route.portId && a.route.channel === route.channel && a.pitch === pitch;

export class NoteOut {
  private readonly host: NoteOutHost;
  private readonly events = new Emitter<NoteOutEvents>();
  private sounding: Sounding[] = [];
  /** The program last sent per "port/channel". */
  private readonly programs = new Map<string, number>();
  /** Channels that carried notes, per port (All Notes Off goes to these). */
  private readonly used = new Map<string, Set<number>>();

  constructor(host: NoteOutHost) {
    this.host = host;
  }

  on<K extends keyof NoteOutEvents>(name: K, listener: (event: NoteOutEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Notes sounding or still due (for tests and the panel). */
  get pending(): number {
    return this.sounding.length;
  }

  /** Sends the program for a route's channel unless it was the last sent there (a track's instrument). */
  program(route: MidiRoute, program: number): void {
    const key = `${route.portId}/${route.channel}`;
    if (this.programs.get(key) === program) return;
    if (this.send(route.portId, programChange(route.channel, program), this.host.now())) this.programs.set(key, program);
  }

  /** A note heard from `on` to `off` (performance ms), played through `route`, for `owner` (a track id); false when the port is not there. */
  note(route: MidiRoute, owner: string, pitch: number, velocity: number, on: number, off: number): boolean {
    this.flush();
    // The same key still held then: end it where the new one begins, or its off cuts the new one.
    for (const s of this.sounding) {
      if (!s.offSent && sameKey(s, route, pitch) && s.on <= on && s.off > on) this.sendOff(s, on);
    }
    if (!this.send(route.portId, noteOn(route.channel, pitch, velocity), on)) return false;
    this.markUsed(route);
    this.sounding.push({ route, owner, pitch, on, off: Math.max(on, off), offSent: false });
    this.flush();
    return true;
  }

  /** A live note goes down now (a key, a bandmate's note); `key` names it until liveOff. False when the port is not there. */
  liveOn(route: MidiRoute, key: string, pitch: number, velocity: number): boolean {
    this.liveOff(key);
    const now = this.host.now();
    if (!this.send(route.portId, noteOn(route.channel, pitch, velocity), now)) return false;
    this.markUsed(route);
    this.sounding.push({ route, owner: `live:${key}`, pitch, on: now, off: Number.POSITIVE_INFINITY, offSent: false });
    return true;
  }

  liveOff(key: string): void {
    const now = this.host.now();
    for (const s of this.sounding) if (s.owner === `live:${key}` && !s.offSent) this.sendOff(s, now);
    this.prune();
  }

  /** Sends the note-offs due before now + OFF_HORIZON_MS (the timer calls it; so does every note). */
  flush(): void {
    const horizon = this.host.now() + OFF_HORIZON_MS;
    for (const s of this.sounding) if (!s.offSent && s.off <= horizon) this.sendOff(s, s.off);
    this.prune();
  }

  /**
   * Ends, at `at` (performance ms), every note sounding then or due after (of `owner` only, when
   * given: a muted or re-routed track); with `allOff`, All Notes Off follows on every channel
   * used (a stop, the page going away).
   */
  cut(at: number, options: { owner?: string; allOff?: boolean; scheduledOnly?: boolean } = {}): void {
    let last = at;
    for (const s of this.sounding) {
      if (s.offSent || s.off <= at) continue;
      if (options.owner !== undefined && s.owner !== options.owner) continue;
      if (options.scheduledOnly && s.owner.startsWith('live:')) continue;
      // An on already sent for later than `at`: its off right behind it (same time, sent after).
      const when = Math.max(at, s.on);
      last = Math.max(last, when);
      this.sendOff(s, when);
    }
    if (options.allOff) {
      for (const [portId, channels] of this.used) for (const channel of channels) this.send(portId, allNotesOff(channel), last);
    }
    this.prune();
  }

  /** The page goes away (pagehide) or MIDI out is switched off: everything ends now, live notes too. */
  releaseAll(): void {
    this.cut(this.host.now(), { allOff: true });
  }

  /** A port went away: its notes cannot be ended there; forget them. */
  portLost(portId: string): void {
    this.sounding = this.sounding.filter((s) => s.route.portId !== portId);
    for (const key of [...this.programs.keys()]) if (key.startsWith(`${portId}/`)) this.programs.delete(key);
  }

  /** A port came back: whatever it held when it went is let go; programs are sent again on the next program(). */
  portBack(portId: string): void {
    const now = this.host.now();
    for (const channel of this.used.get(portId) ?? []) this.send(portId, allNotesOff(channel), now);
  }

  dispose(): void {
    this.releaseAll();
    this.events.clear();
  }

  private sendOff(s: Sounding, at: number): void {
    s.off = at;
    s.offSent = true;
    this.send(s.route.portId, noteOff(s.route.channel, s.pitch), at);
  }

  private markUsed(route: MidiRoute): void {
    let set = this.used.get(route.portId);
    if (!set) this.used.set(route.portId, (set = new Set()));
    set.add(route.channel);
  }

  private prune(): void {
    if (this.sounding.some((s) => s.offSent)) this.sounding = this.sounding.filter((s) => !s.offSent);
  }

  private send(portId: string, data: number[], heardAt: number): boolean {
    const timestamp = portTimestamp(heardAt, this.host.latencyMs(portId));
    if (!this.host.send(portId, data, timestamp)) return false;
    this.events.emit('sent', { portId, data, timestamp });
    return true;
  }
}
