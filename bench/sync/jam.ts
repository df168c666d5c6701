/**
 * One benchmark room: n stock y-websocket peers (WebsocketProvider, as in the app) jamming on a
 * shared song with the app's typed edits. Each peer owns one clip holding one note and every edit
 * it makes is a note drag (moveNotes, +1 tick) or a note edit (updateNotes: tick and velocity), so
 * that after its c-th edit the note sits at tick c. A receiver that sees the note at tick c knows
 * exactly which edit arrived, and since Yjs integrates one client's changes in order, that edits
 * 1..c of that peer have all arrived by then.
 */
import * as Y from 'yjs';
import * as edits from '../../core/song/edits.ts';
import { clipNotes, clipsMap, readSong, tracksMap } from '../../core/song/schema.ts';
import { connectClient, disconnect, waitFor, type Client } from '../../tests/support/yjs-clients.ts';

/** 64 bars of 4/4: the note's tick (= edit counter) must stay inside the clip. */
const CLIP_BARS = 64;
const MAX_COUNTER = CLIP_BARS * 1920 - 1;

interface Peer {
  client: Client;
  clipId: string;
  noteId: string;
  /** Edits made so far; sendTimes[c] is when edit c was made (performance.now()). */
  sent: number;
  sendTimes: number[];
  timer: NodeJS.Timeout | null;
}

export interface DeliveryStats {
  /** Edits made in the window. */
  edits: number;
  /** Edits some other peer did not see within `lostAfterMs` (or at all). */
  lost: number;
  /** Missing (edit, receiver) pairs. */
  lostDeliveries: number;
}

export class Jam {
  readonly room: string;
  readonly n: number;
  private readonly peers: Peer[];
  /** Updates the peers made locally (setup and edits); the server should log exactly these. */
  localUpdates = 0;
  /** (edit, receiver) deliveries not yet observed. */
  pending = 0;
  /** Connections that closed under a peer while the jam was open, by close code. */
  readonly closeCodes: Record<string, number> = {};
  /** arrivals[owner * n + receiver][c]: when `receiver` saw edit c of `owner`. */
  private readonly arrivals: number[][];
  private readonly seen: Int32Array;

  private constructor(room: string, peers: Peer[]) {
    this.room = room;
    this.n = peers.length;
    this.peers = peers;
    this.arrivals = Array.from({ length: this.n * this.n }, () => []);
    this.seen = new Int32Array(this.n * this.n);
  }

  /**
   * Connects `n` peers to `room` (each connect through `throttle`, made by `connect`), builds the
   * song (one track, one clip with one note per peer) and starts observing arrivals.
   */
  static async open(
    wsUrl: string,
    room: string,
    n: number,
    token: (peer: number) => string,
    throttle: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
    /** How a peer connects (bench:hostile's honest peers connect from another loopback address). */
    connect: typeof connectClient = connectClient,
  ): Promise<Jam> {
    const settled = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => throttle(() => connect(wsUrl, room, token(i), { timeoutMs: 30_000 }))),
    );
    const clients = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      // A provider left connected would keep reconnecting and keep the process alive.
      for (const c of clients) disconnect(c);
      throw failed.reason;
    }
    const jam = new Jam(
      room,
      clients.map((client) => ({ client, clipId: '', noteId: '', sent: 0, sendTimes: [], timer: null })),
    );
    try {
      await jam.setup();
    } catch (err) {
      jam.close();
      throw err;
    }
    return jam;
  }

  private async setup(): Promise<void> {
    for (const peer of this.peers) {
      const { doc, provider } = peer.client;
      doc.on('update', (_update: Uint8Array, origin: unknown) => {
        if (origin !== provider) this.localUpdates++;
      });
      provider.on('connection-close', (event) => {
        const code = String(event?.code ?? 'local');
        this.closeCodes[code] = (this.closeCodes[code] ?? 0) + 1;
      });
    }
    const first = this.peers[0]!.client.doc;
    edits.initSong(first, { title: `bench ${this.room}` });
    const trackId = edits.addTrack(first, { role: 'keys' });
    await waitFor(
      () => this.peers.every((p) => tracksMap(p.client.doc).has(trackId)),
      30_000,
      `${this.room}: track did not reach every peer`,
    );
    this.peers.forEach((peer, i) => {
      peer.clipId = edits.addClip(peer.client.doc, {
        trackId,
        startBar: i * CLIP_BARS,
        lengthBars: CLIP_BARS,
        notes: [{ pitch: 60, tick: 0, duration: 240, velocity: 100 }],
      });
      peer.noteId = [...clipNotes(clipsMap(peer.client.doc).get(peer.clipId)!).keys()][0]!;
    });
    await waitFor(
      () => this.peers.every((p) => this.peers.every((owner) => clipsMap(p.client.doc).get(owner.clipId)?.get('notes') instanceof Y.Map)),
      30_000,
      `${this.room}: clips did not reach every peer`,
    );
    this.peers.forEach((receiver, r) => {
      const clips = clipsMap(receiver.client.doc);
      const ownerOf = new Map<unknown, number>();
      this.peers.forEach((owner, o) => {
        if (o !== r) ownerOf.set(clipNotes(clips.get(owner.clipId)!), o);
      });
      clips.observeDeep((events) => {
        const now = performance.now();
        for (const event of events) {
          const o = ownerOf.get(event.target);
          if (o === undefined) continue;
          const note = (event.target as Y.Map<{ tick: number }>).get(this.peers[o]!.noteId);
          if (note) this.arrive(o, r, note.tick, now);
        }
      });
    });
  }

  private arrive(owner: number, receiver: number, counter: number, now: number): void {
    const key = owner * this.n + receiver;
    const last = this.seen[key]!;
    if (counter <= last) return;
    const times = this.arrivals[key]!;
    for (let c = last + 1; c <= counter; c++) times[c] = now;
    this.pending -= counter - last;
    this.seen[key] = counter;
  }

  /** Makes peer i's next edit now. */
  edit(i: number): void {
    const peer = this.peers[i]!;
    const c = peer.sent + 1;
    if (c > MAX_COUNTER) throw new Error('benchmark ran past the clip length');
    peer.sent = c;
    this.pending += this.n - 1;
    const doc = peer.client.doc;
    peer.sendTimes[c] = performance.now();
    // Alternate the two note edits the piano roll makes most: a drag and a field edit.
    if (c % 2 === 1) edits.moveNotes(doc, peer.clipId, [peer.noteId], { ticks: 1 });
    else edits.updateNotes(doc, peer.clipId, [{ id: peer.noteId, tick: c, velocity: 1 + (c % 127) }]);
  }

  /**
   * Every peer edits on its own steady timer at `ratePerPeer` edits/s; peer i's first edit is at
   * `t0 + phase(i) * period` so the room's peers (and rooms) do not fire in lockstep. The schedule
   * is fixed (no drift from timer lateness), but a peer more than a period behind does not make up
   * for the missed slots with a burst: it goes on from now, and the achieved rate is reported.
   */
  startEditing(ratePerPeer: number, t0: number, phase: (peer: number) => number): void {
    const period = 1000 / ratePerPeer;
    this.peers.forEach((peer, i) => {
      let next = t0 + phase(i) * period;
      const fire = () => {
        this.edit(i);
        next = Math.max(next + period, performance.now());
        peer.timer = setTimeout(fire, Math.max(0, next - performance.now()));
      };
      peer.timer = setTimeout(fire, Math.max(0, next - performance.now()));
    });
  }

  stopEditing(): void {
    for (const peer of this.peers) {
      if (peer.timer) clearTimeout(peer.timer);
      peer.timer = null;
    }
  }

  get disconnects(): number {
    return Object.values(this.closeCodes).reduce((a, b) => a + b, 0);
  }

  get editsMade(): number {
    return this.peers.reduce((sum, p) => sum + p.sent, 0);
  }

  /**
   * Adds each delivery of the edits made in [from, to) to `delivery` (ms, per receiver) and the
   * time until every other peer had it to `allPeers`. Deliveries later than `lostAfterMs` count
   * as lost, not as samples.
   */
  collect(from: number, to: number, lostAfterMs: number, delivery: number[], allPeers: number[], sampleEvery = 1): DeliveryStats {
    const stats: DeliveryStats = { edits: 0, lost: 0, lostDeliveries: 0 };
    this.peers.forEach((owner, o) => {
      for (let c = 1; c <= owner.sent; c++) {
        const sent = owner.sendTimes[c]!;
        if (sent < from || sent >= to) continue;
        stats.edits++;
        const sample = c % sampleEvery === 0;
        let worst = 0;
        let missing = 0;
        for (let r = 0; r < this.n; r++) {
          if (r === o) continue;
          const arrived = this.arrivals[o * this.n + r]![c];
          const ms = arrived === undefined ? Infinity : arrived - sent;
          if (ms > lostAfterMs) {
            missing++;
            continue;
          }
          if (sample) delivery.push(ms);
          worst = Math.max(worst, ms);
        }
        if (missing) {
          stats.lost++;
          stats.lostDeliveries += missing;
        } else if (sample) allPeers.push(worst);
      }
    });
    return stats;
  }

  /** True when every peer's document holds the same song and the same Yjs state vector. */
  docsEqual(): boolean {
    const first = this.peers[0]!.client.doc;
    const vector = Y.encodeStateVector(first);
    const song = JSON.stringify(readSong(first));
    return this.peers.every(
      ({ client: { doc } }) => Buffer.compare(Y.encodeStateVector(doc), vector) === 0 && JSON.stringify(readSong(doc)) === song,
    );
  }

  close(): void {
    this.stopEditing();
    for (const peer of this.peers) disconnect(peer.client);
  }
}
