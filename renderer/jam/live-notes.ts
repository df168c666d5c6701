/**
 * Live notes in a jam: this user's sound at once on the engine and go to the room while the
 * channel is live; bandmates' sound as they arrive. Each is told as an event — `played` (this
 * user's, for the take recorder, the panel's indicators and the test probes) and `received` (a
 * bandmate's, with its receive time on the server clock) — and this user's recent notes are kept
 * as the AI answer's call (use-ai-answers.ts).
 */
import type { LiveNote } from '../../core/jam/contract.ts';
import type { AudioTransport } from '../audio/contract.ts';
import { Emitter } from './emitter.ts';
import type { ServerClock } from './time-map.ts';

export interface LiveNoteEvents {
  /** A note this user played; its `at` on the server clock while live, this machine's clock (ms) otherwise. */
  played: { note: LiveNote; by: string; name: string };
  /** A bandmate's note arrived: who (client id and name), and when on the server clock. */
  received: { note: LiveNote; from: string; name: string; receivedAt: number };
}

/** A message of live notes as the jam channel relays it (core/jam/jam-client.ts). */
export interface LiveMessage {
  from: string;
  name: string;
  notes: LiveNote[];
}

/** What live notes need of the jam. */
export interface LiveNotesHost {
  engine: Pick<AudioTransport, 'liveNote'>;
  client: { readonly clock: ServerClock; readonly me: { clientId: string; name: string } | null; sendLive(notes: LiveNote[]): void };
  /** The channel is live: notes go to the room, on the server clock. */
  live(): boolean;
  /** The server clock now. */
  serverNow(): number;
  /** This machine's clock now (performance.timeOrigin + performance.now()). */
  localNow(): number;
}

/** How many of this user's notes are kept (the oldest quarter dropped past it). */
const RECENT = 512;

export class LiveNotes {
  private readonly host: LiveNotesHost;
  private readonly events = new Emitter<LiveNoteEvents>();
  private readonly played: LiveNote[] = [];

  constructor(host: LiveNotesHost) {
    this.host = host;
  }

  on<K extends keyof LiveNoteEvents>(name: K, listener: (event: LiveNoteEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Plays a note of this user's live on `trackId`'s instrument now, and sends it to the room. */
  play(kind: 'on' | 'off', pitch: number, velocity: number, trackId: string | null): void {
    const me = this.host.client.me;
    const by = me?.clientId ?? 'me';
    this.host.engine.liveNote({ kind, key: `${by}:${trackId}:${pitch}`, trackId, pitch, velocity });
    const live = this.host.live();
    const note: LiveNote = { kind, pitch, velocity, trackId, at: live ? this.host.serverNow() : this.host.localNow() };
    if (live) this.host.client.sendLive([note]);
    this.played.push(note);
    if (this.played.length > RECENT) this.played.splice(0, RECENT / 4);
    this.events.emit('played', { note, by, name: me?.name ?? 'you' });
  }

  /** A bandmate's notes, as the channel relayed them; `receivedLocal` on this machine's clock (default: now). */
  receive(message: LiveMessage, receivedLocal?: number): void {
    const receivedAt = receivedLocal === undefined ? this.host.serverNow() : this.host.client.clock.serverNow(receivedLocal);
    for (const note of message.notes) {
      this.host.engine.liveNote({
        kind: note.kind,
        key: `${message.from}:${note.trackId}:${note.pitch}`,
        trackId: note.trackId,
        pitch: note.pitch,
        velocity: note.velocity,
      });
      this.events.emit('received', { note, from: message.from, name: message.name, receivedAt });
    }
  }

  /** This user's recent notes, oldest first. */
  recent(): readonly LiveNote[] {
    return this.played;
  }

  dispose(): void {
    this.events.clear();
  }
}
