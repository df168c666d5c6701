/**
 * A live room: the shared document, its peers, their presence, and the checkpoint log that
 * every accepted update is appended to before it is broadcast.
 *
 * The log is a RoomStore (store/room-store.ts). SQLite's commits are synchronous underneath
 * (RoomLog), so a SQLite room appends each update at once and broadcasts it right after, as it
 * always did: deferring it would only add a turn. Any other store (PostgreSQL) is async: updates
 * are applied to the document in arrival order and queued; the queue commits in batches (whatever
 * arrived while the previous batch committed, one appendBatch), and each update is broadcast only
 * once its batch committed, in the same order. A sync handshake answer is the document as it was
 * when the handshake came, sent once everything queued before it has committed, so nobody receives
 * a state the log does not hold yet, and a newcomer to a room that never stops editing (the queue
 * never empty) is not kept waiting for a pause.
 */
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { CLOSE, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC, type TakeBackSource, type TokenClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import type { NewEntry, RoomLog } from '../store/room-log.ts';
import type { RoomStore } from '../store/room-store.ts';
import { SqliteRoomStore } from '../store/sqlite-store.ts';
import { LeaseLostError } from '../store/room-lease.ts';
import type { ServerMetrics } from '../metrics.ts';
import { readMeta, ROOT_TYPES, tracksMap } from '../../core/song/schema.ts';
import { applyUnderRules, guardSnapshots, RulesRevert } from './rules-guard.ts';
import type { SongStore } from '../../core/song/song-store.ts';
import { judgesEdits, RULE_REASONS, takeBackRefusal, transportChanged, wholeWriteRefusal } from '../../core/jam/student-rules.ts';
import type { RoomRules, TransportState } from '../../core/jam/contract.ts';
import { JamRoom } from '../jam/jam-room.ts';
import { loadRules, loadRulesFrom, rulesChangeLabel } from '../jam/rules-log.ts';
import { readAnnouncedEdit, type AnnouncedEdit } from '../../core/song/edit-labels.ts';
import { rebuildAt, rebuildAtFrom, revertEntries, revertEntriesFrom, revertTo, revertToFrom } from './rebuild.ts';
import { takeBackLabel, takeBackSince, takenSeqs } from './take-back.ts';
import { encodeCompactState, refersToDeleted } from './compact-state.ts';
import { assertDecodable, BadUpdateError, wouldChange } from './update-check.ts';
import { dropYjsPending, PendingGuard, type PendingLimits } from './pending-guard.ts';
import { PeerError } from './peer-error.ts';
import { RoomPresence, type PresenceLimits } from './presence.ts';

/** One connected client, whatever carries its messages. */
export interface Peer {
  readonly identity: TokenClaims;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}

export { PeerError };

export interface SnapshotPolicy {
  /** Never snapshot more often than this many entries. */
  minEntries: number;
  /**
   * Take a compact snapshot once the update bytes since the last one reach this multiple of its
   * size on disk: snapshots then cost at most 1/ratio of the log, and a rebuild reads at most
   * one snapshot plus `ratio` times its size in updates.
   */
  bytesRatio: number;
  /** Save the full room state (what the live room loads from) every this many entries. */
  fullStateEntries: number;
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { minEntries: 200, bytesRatio: 5, fullStateEntries: 20_000 };

/** What a room loads from its store before it serves anyone (Room.open reads it asynchronously). */
export interface LoadedLog {
  lastSeq: number;
  /** The full state and the updates after it, in order. */
  full: { seq: number; state: Uint8Array } | null;
  updates: Uint8Array[];
  snapshot: { seq: number; bytes: number } | null;
  bytesSinceSnapshot: number;
  rules: RoomRules;
}

/** How long closing a room waits for its batches in flight (async stores). */
const CLOSE_WAIT_MS = 10_000;

/** Close code for peers of a room this node no longer owns (its lease was lost): stock clients reconnect. */
export const CLOSE_LEASE_LOST = 1012;

interface QueuedAppend {
  entry: NewEntry;
  /** The sync message to broadcast once committed (null: nothing to send). */
  message: Uint8Array | null;
  origin: unknown;
  resolve: (seq: number) => void;
  reject: (err: Error) => void;
}

interface PeerState {
  /** The label the peer announced for its next update. */
  announced: AnnouncedEdit | null;
}

/** Origin of server-made edits (restores, take-backs), carrying who asked for them. */
class ServerEdit {
  readonly author: string;
  readonly label: string;
  constructor(author: string, label: string) {
    this.author = author;
    this.label = label;
  }
}

export class Room {
  readonly name: string;
  readonly doc: Y.Doc;
  /** Who is here (awareness), held against hostile peers and sent on coalesced (presence.ts). */
  readonly presence: RoomPresence<Peer>;
  /** The room's log, whatever keeps it. */
  readonly store: RoomStore;
  /** The SQLite log underneath, written synchronously (null for an async store). */
  private readonly syncLog: RoomLog | null;
  /** Updates applied to the document, waiting for their batch to commit (async stores). */
  private queue: QueuedAppend[] = [];
  private flushing = false;
  /** Run once the queue is empty (everything in the document is in the log). */
  private idleWaiters: (() => void)[] = [];
  /** Updates queued and committed so far (async stores): what a handshake answer waits for. */
  private enqueuedCount = 0;
  private committedCount = 0;
  /** Run once `upTo` updates have committed, in the order they were asked for. */
  private committedWaiters: { upTo: number; run: () => void }[] = [];
  /** The append promise of the document's last update (restore reads it). */
  private lastAppend: Promise<number> | null = null;
  private closing: Promise<void> | null = null;
  private readonly onClosed: (() => Promise<void> | void) | null;
  /** The room's jam channel: shared clock, transport, live notes, rules (sync-server/jam/). */
  readonly jam: JamRoom;
  private readonly metrics: ServerMetrics | undefined;
  private readonly policy: SnapshotPolicy;
  private readonly peers = new Map<Peer, PeerState>();
  /** Peers' updates that wait for dependencies the document lacks (never in the document). */
  private readonly pending: PendingGuard<Peer>;
  private entriesSinceSnapshot: number;
  private entriesSinceFullState: number;
  private bytesSinceSnapshot: number;
  private lastSnapshotBytes: number;
  private snapshotScheduled = false;
  private failed: Error | null = null;
  private closed = false;
  /** The song as the rules' guard compares it, made when a student's update first needs it. */
  private guardSongs: SongStore | null = null;
  /** Last time a peer joined or left, or sent anything (ms). */
  lastActivity = Date.now();

  /** Loads a room from any store (reads it asynchronously first), then serves it. */
  static async open(name: string, store: RoomStore, options: RoomOptions = {}): Promise<Room> {
    const full = await store.roomState();
    const updates: Uint8Array[] = [];
    for await (const record of store.updates(full?.seq ?? 0)) updates.push(record.update);
    const snapshot = await store.lastSnapshotInfo();
    const loaded: LoadedLog = {
      lastSeq: store.lastSeq,
      full: full ? { seq: full.seq, state: full.state } : null,
      updates,
      snapshot,
      bytesSinceSnapshot: await store.updateBytesAfter(snapshot?.seq ?? 0),
      rules: await loadRulesFrom(store, name),
    };
    return new Room(name, store, { ...options, loaded });
  }

  /**
   * A RoomLog (or a SQLite store) is read synchronously here; any other store needs
   * `options.loaded` (Room.open reads it).
   */
  constructor(name: string, source: RoomLog | RoomStore, options: RoomOptions & { loaded?: LoadedLog } = {}) {
    this.name = name;
    const store = isRoomStore(source) ? source : new SqliteRoomStore(name, source);
    this.store = store;
    this.syncLog = store instanceof SqliteRoomStore ? store.log : null;
    const loaded = options.loaded ?? (this.syncLog ? loadSync(name, this.syncLog) : null);
    if (!loaded) throw new Error(`room ${name}: an async store's room opens with Room.open`);
    this.metrics = options.metrics;
    this.onClosed = options.onClosed ?? null;
    this.policy = { ...DEFAULT_SNAPSHOT_POLICY, ...options.snapshotPolicy };
    this.doc = new Y.Doc();
    // Define the root maps before any update arrives: a root first met inside an update is a
    // placeholder type that getMap() later replaces, so that transaction's changes would not be
    // found under the map's new instance.
    for (const name of ROOT_TYPES) this.doc.getMap(name);
    // Load the full state and the entries after it, in one transaction, before logging starts.
    const full = loaded.full;
    this.doc.transact(() => {
      if (full) Y.applyUpdate(this.doc, full.state);
      for (const update of loaded.updates) Y.applyUpdate(this.doc, update);
    });
    this.entriesSinceFullState = loaded.lastSeq - (full?.seq ?? 0);
    const info = loaded.snapshot;
    this.entriesSinceSnapshot = loaded.lastSeq - (info?.seq ?? 0);
    this.bytesSinceSnapshot = loaded.bytesSinceSnapshot;
    this.lastSnapshotBytes = info?.bytes ?? 0;

    this.doc.on('update', this.onDocUpdate);
    this.pending = new PendingGuard(this.doc, { ...LIMITS.pending, ...options.pendingLimits }, (peers, reason) => {
      for (const peer of peers) peer.close(CLOSE.malformed, reason);
    });
    this.jam = JamRoom.fromSongMeta(readMeta(this.doc), {
      metrics: this.metrics,
      onActivity: () => {
        this.lastActivity = Date.now();
      },
      // The teacher's rules live in the log: a restart or an unload brings them back.
      rules: loaded.rules,
      ...(options.transport?.initial ? { transport: options.transport.initial } : {}),
      ...(options.transport ? { onTransport: options.transport.save } : {}),
      saveRules: (next, previous, by) => this.saveRules(next, previous, by),
    });
    // The server itself has no presence; it holds its peers' and sends them on.
    this.presence = new RoomPresence<Peer>((message) => {
      for (const peer of this.peers.keys()) peer.send(message);
    }, options.presenceLimits);
  }

  /** The SQLite log underneath (tests and SQLite-only tools); throws for another store. */
  get log(): RoomLog {
    if (!this.syncLog) throw new Error(`room ${this.name}: its store is not a SQLite file`);
    return this.syncLog;
  }

  /** Document and jam connections. */
  get peerCount(): number {
    return this.peers.size + this.jam.connectionCount;
  }

  /** Registers a peer and starts the sync handshake. */
  addPeer(peer: Peer): void {
    if (this.failed) {
      peer.close(4500, 'room unavailable, try again');
      return;
    }
    this.peers.set(peer, { announced: null });
    this.presence.join(peer, peer.identity.id);
    this.lastActivity = Date.now();
    const sync = encoding.createEncoder();
    encoding.writeVarUint(sync, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(sync, this.doc);
    peer.send(encoding.toUint8Array(sync));
    const presence = this.presence.snapshot();
    if (presence) peer.send(presence);
  }

  removePeer(peer: Peer): void {
    if (!this.peers.has(peer)) return;
    this.peers.delete(peer);
    this.pending.dropPeer(peer);
    this.lastActivity = Date.now();
    this.presence.leave(peer);
  }

  /** Handles one websocket message from a peer. Throws PeerError on a protocol violation. */
  receive(peer: Peer, message: Uint8Array): void {
    if (!this.peers.has(peer)) return;
    this.lastActivity = Date.now();
    const decoder = decoding.createDecoder(message);
    const type = readOrFail(() => decoding.readVarUint(decoder));
    switch (type) {
      case MESSAGE_SYNC:
        this.receiveSync(peer, decoder);
        break;
      case MESSAGE_AWARENESS:
        this.receivePresence(
          peer,
          readOrFail(() => readBytes(decoder)),
        );
        break;
      case MESSAGE_QUERY_AWARENESS:
        peer.send(this.presence.answerQuery(peer));
        break;
      default:
        throw new PeerError(4400, `unknown message type ${type}`);
    }
  }

  private receiveSync(peer: Peer, decoder: decoding.Decoder): void {
    const step = readOrFail(() => decoding.readVarUint(decoder));
    if (step === syncProtocol.messageYjsSyncStep1) {
      const stateVector = readOrFail(() => decoding.readVarUint8Array(decoder));
      try {
        Y.decodeStateVector(stateVector);
      } catch (err) {
        throw new PeerError(4400, `malformed state vector: ${(err as Error).message}`);
      }
      // The document as it is now (every update in it is committed or queued), sent once what is
      // queued has committed (at once when nothing waits). Updates that arrive meanwhile reach the
      // peer as broadcasts once their own batch commits, not by delaying this answer.
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      try {
        syncProtocol.writeSyncStep2(encoder, this.doc, stateVector);
      } catch (err) {
        throw new PeerError(4400, `malformed state vector: ${(err as Error).message}`);
      }
      const answer = encoding.toUint8Array(encoder);
      this.whenCommitted(this.enqueuedCount, () => {
        if (this.peers.has(peer)) peer.send(answer);
      });
      return;
    }
    if (step !== syncProtocol.messageYjsSyncStep2 && step !== syncProtocol.messageYjsUpdate) {
      throw new PeerError(4400, `unknown sync message ${step}`);
    }
    const update = readOrFail(() => decoding.readVarUint8Array(decoder));
    let decoded: ReturnType<typeof assertDecodable>;
    try {
      decoded = assertDecodable(update);
    } catch (err) {
      if (err instanceof BadUpdateError) throw new PeerError(4400, err.message);
      throw err;
    }
    if (!this.jam.mayEditDocument(peer.identity.role)) {
      // A viewer's handshake reply may repeat what we have; anything new is a write. Under the
      // rules' students: 'live-only' every non-owner is handled as a viewer here. Nothing is
      // applied on this path, so nothing can be left waiting in the document either.
      if (wouldChange(this.doc, update)) throw this.noWrites(peer);
      return;
    }
    if (this.failed) throw new PeerError(4500, 'room unavailable, try again');
    // An update whose dependencies the document lacks waits outside it (pending-guard.ts).
    const admission = this.pending.admit(peer, update, decoded);
    if (admission.held) {
      for (const other of admission.closed) if (other !== peer) other.close(CLOSE.malformed, admission.reason);
      if (admission.closed.includes(peer)) throw new PeerError(CLOSE.malformed, admission.reason);
      return;
    }
    this.applyFromPeer(peer, update);
    this.applyReady();
  }

  private noWrites(peer: Peer): PeerError {
    return new PeerError(4403, peer.identity.role === 'viewer' ? 'viewers cannot edit this room' : RULE_REASONS.liveOnly);
  }

  /** Applies a peer's update whose dependencies the document has, under the room's rules. */
  private applyFromPeer(peer: Peer, update: Uint8Array): void {
    try {
      const rules = this.jam.rules;
      if (judgesEdits(rules, peer.identity.role)) {
        // 'own-track', or a locked transport: what the update changed decides (rules-guard.ts).
        this.guardSongs ??= guardSnapshots(this.doc, (error) => console.error(`room ${this.name}: cannot read the song:`, error));
        if (applyUnderRules(this.doc, this.guardSongs, update, peer, peer.identity, rules)) this.metrics?.editsReverted.inc();
      } else {
        Y.applyUpdate(this.doc, update, peer);
      }
    } catch (err) {
      dropYjsPending(this.doc);
      throw new PeerError(4400, `update could not be applied: ${(err as Error).message}`);
    }
    // The guard found every dependency there; should Yjs still have kept a part back (a crafted
    // update that the guard reads differently), it must not linger, be merged again or sent on.
    if (dropYjsPending(this.doc)) throw new PeerError(4400, 'update depends on changes never sent');
  }

  /**
   * Applies the waiting updates that the document's last change completed, each as its sender's
   * own, under the rules as they are now; a sender refused now is closed, not the peer whose
   * message completed it.
   */
  private applyReady(): void {
    for (let ready = this.pending.nextReady(); ready && !this.failed; ready = this.pending.nextReady()) {
      const { peer, update } = ready;
      if (!this.peers.has(peer)) continue;
      try {
        if (!this.jam.mayEditDocument(peer.identity.role)) throw this.noWrites(peer);
        this.applyFromPeer(peer, update);
      } catch (err) {
        if (!(err instanceof PeerError)) throw err;
        peer.close(err.code, err.message);
      }
    }
  }

  /** Every change to the document: log it first, then send it to everyone else. */
  private readonly onDocUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    if (this.failed) return;
    const peer = this.peers.get(origin as Peer);
    const server = origin instanceof ServerEdit || origin instanceof RulesRevert ? origin : null;
    const author = server ? server.author : peer ? (origin as Peer).identity.name : 'server';
    const label = server ? server.label : ((peer && takeAnnouncedLabel(peer, transaction)) ?? describeChange(this.doc, transaction));
    const concurrent = refersToDeleted(this.doc, transaction);
    const entry: NewEntry = { time: Date.now(), author, label, update, concurrent };
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    if (!this.syncLog) {
      this.lastAppend = this.enqueue(entry, message, origin);
      this.lastAppend.catch(() => undefined); // the room fails; whoever awaits it hears why
      return;
    }
    const started = performance.now();
    try {
      this.syncLog.append(entry);
    } catch (err) {
      // Not logged means not accepted: drop the room so everyone reloads from the log and resends.
      this.fail(err as Error);
      return;
    }
    this.metrics?.appendSeconds.observe((performance.now() - started) / 1000);
    this.logged(update.byteLength);
    for (const peer of this.peers.keys()) if (peer !== origin) peer.send(message);
  };

  /** Counts one committed entry (metrics, snapshot policy). */
  private logged(bytes: number): void {
    this.metrics?.updatesLogged.inc();
    this.metrics?.updateBytesLogged.inc({}, bytes);
    this.entriesSinceSnapshot++;
    this.entriesSinceFullState++;
    this.bytesSinceSnapshot += bytes;
    this.maybeScheduleSnapshot();
  }

  /** Queues an entry for the next batch (async stores); resolves to its seq once committed and sent. */
  private enqueue(entry: NewEntry, message: Uint8Array | null, origin: unknown): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.enqueuedCount++;
      this.queue.push({ entry, message, origin, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Commits the queue a batch at a time; each batch is broadcast, in order, once committed. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length && !this.failed) {
        const batch = this.queue;
        this.queue = [];
        const started = performance.now();
        let seqs: number[];
        try {
          seqs = await this.store.appendBatch(batch.map((item) => item.entry));
        } catch (err) {
          // Not logged means not accepted: the room fails, its peers reconnect and resend.
          this.fail(err as Error);
          for (const item of [...batch, ...this.queue]) item.reject(err as Error);
          this.queue = [];
          return;
        }
        this.metrics?.appendSeconds.observe((performance.now() - started) / 1000 / batch.length);
        batch.forEach((item, i) => {
          this.logged(item.entry.update.byteLength);
          if (item.message && !this.failed) for (const peer of this.peers.keys()) if (peer !== item.origin) peer.send(item.message);
          item.resolve(seqs[i]!);
        });
        this.committedCount += batch.length;
        while (this.committedWaiters.length && this.committedWaiters[0]!.upTo <= this.committedCount && !this.failed) {
          this.committedWaiters.shift()!.run();
        }
      }
    } finally {
      this.flushing = false;
      if (this.failed) {
        for (const item of this.queue.splice(0)) item.reject(this.failed);
        // Its peers are closed: nothing more is sent to them.
        this.committedWaiters = [];
      }
      if (!this.queue.length) for (const run of this.idleWaiters.splice(0)) run();
    }
  }

  /** Runs `then` once the first `upTo` updates ever queued have committed (at once when they have). */
  private whenCommitted(upTo: number, then: () => void): void {
    if (this.committedCount >= upTo && !this.committedWaiters.length) return then();
    this.committedWaiters.push({ upTo, run: then });
  }

  /** Runs `then` once everything in the document is in the log (at once when it is). */
  private whenLogged(then: () => void): void {
    if (!this.flushing && !this.queue.length) return then();
    this.idleWaiters.push(then);
  }

  private logIdle(): Promise<void> {
    return new Promise((resolve) => this.whenLogged(resolve));
  }

  /**
   * A presence update: presence.ts applies what the peer may change (and sends it on, coalesced);
   * the label a peer announces for its next update is paired here, on receipt, as before.
   */
  private receivePresence(peer: Peer, update: Uint8Array): void {
    const accepted = this.presence.receive(peer, update);
    const owner = this.peers.get(peer)!;
    // A label announcement from the peer's own client precedes its next update.
    for (const { clientId, state } of accepted) {
      const edit = readAnnouncedEdit(state);
      if (edit && edit.client === clientId) owner.announced = edit;
    }
  }

  private maybeScheduleSnapshot(): void {
    if (this.snapshotScheduled || this.entriesSinceSnapshot < this.policy.minEntries) return;
    if (this.bytesSinceSnapshot < this.policy.bytesRatio * this.lastSnapshotBytes) return;
    this.snapshotScheduled = true;
    // After the current message is broadcast: a snapshot never delays an edit's propagation.
    setImmediate(() => {
      if (this.failed || this.closed || this.store.lastSeq === 0) {
        this.snapshotScheduled = false;
        return;
      }
      if (this.syncLog) {
        this.snapshotScheduled = false;
        try {
          this.snapshotNow();
        } catch (err) {
          // Thrown from a timer it would take the whole server down. Every entry is logged already:
          // fail this room only (its peers reconnect, and it loads again from its log).
          this.fail(new Error(`snapshot failed: ${(err as Error).message}`));
        }
        return;
      }
      // An async store: taken when the document matches the log's end, written in the store's order.
      this.whenLogged(() => {
        this.snapshotScheduled = false;
        if (this.failed || this.closed) return;
        this.snapshotAsync().catch((err) => this.fail(new Error(`snapshot failed: ${(err as Error).message}`)));
      });
    });
  }

  /** Writes a compact snapshot at the current seq (the document always matches lastSeq). SQLite only. */
  snapshotNow(): void {
    this.lastSnapshotBytes = this.log.saveSnapshot(this.log.lastSeq, encodeCompactState(this.doc));
    this.entriesSinceSnapshot = 0;
    this.bytesSinceSnapshot = 0;
    this.metrics?.snapshots.inc();
    if (this.entriesSinceFullState >= this.policy.fullStateEntries) this.saveFullState();
  }

  /** snapshotNow for an async store: call it when the log is idle (the document matches its end). */
  private async snapshotAsync(): Promise<void> {
    const seq = this.store.lastSeq;
    const state = encodeCompactState(this.doc);
    const full = this.entriesSinceFullState >= this.policy.fullStateEntries ? Y.encodeStateAsUpdate(this.doc) : null;
    this.entriesSinceSnapshot = 0;
    this.bytesSinceSnapshot = 0;
    if (full) this.entriesSinceFullState = 0;
    this.lastSnapshotBytes = await this.store.saveSnapshot(seq, state);
    this.metrics?.snapshots.inc();
    if (full) await this.store.saveRoomState(seq, full);
  }

  /** Saves the full state so the room loads quickly next time. SQLite only (close() covers any store). */
  saveFullState(): void {
    if (this.entriesSinceFullState === 0) return;
    this.log.saveRoomState(this.log.lastSeq, Y.encodeStateAsUpdate(this.doc));
    this.entriesSinceFullState = 0;
  }

  /** The state at `seq` as one Yjs update (GET state). */
  async encodeStateAt(seq: number): Promise<Uint8Array> {
    const past = await this.rebuild(seq);
    try {
      return Y.encodeStateAsUpdate(past);
    } finally {
      past.destroy();
    }
  }

  /** The room as it was at `seq`, rebuilt from its log. */
  private rebuild(seq: number): Promise<Y.Doc> {
    return this.syncLog ? Promise.resolve(rebuildAt(this.syncLog, seq)) : rebuildAtFrom(this.store, seq);
  }

  /**
   * Why the room's rules refuse `role` a restore to `seq` (null: they allow it): under 'live-only'
   * and 'own-track' restores are the owner's; under a locked transport a student's restore may
   * not change the tempo, meter or loop (core/jam/student-rules.ts).
   */
  async restoreRefusal(seq: number, role: TokenClaims['role']): Promise<string | null> {
    const rules = this.jam.rules;
    const refused = wholeWriteRefusal(rules, role, 'restore');
    if (refused || role === 'owner' || !rules.transportLocked) return refused;
    // A restore brings back the song as it was at `seq`: its tempo, meter and loop too.
    const past = await this.rebuild(seq);
    try {
      return transportChanged(readMeta(this.doc), readMeta(past)) ? RULE_REASONS.transportLocked : null;
    } finally {
      past.destroy();
    }
  }

  /** Keeps a bookmark (SQLite takes seq 0 too, as it always did; the store checks the rest). */
  async addBookmark(bookmark: { seq: number; name: string; author: string; time: number }): Promise<void> {
    if (this.syncLog) return this.syncLog.addBookmark(bookmark);
    await this.store.addBookmark(bookmark);
  }

  /** Why the room's rules refuse `role` a history bookmark (null: they allow it). */
  bookmarkRefusal(role: TokenClaims['role']): string | null {
    return wholeWriteRefusal(this.jam.rules, role, 'bookmark');
  }

  /**
   * Keeps a change of the teacher's rules in the log (jam-room.ts calls it before anyone hears of
   * it): at once for SQLite, a promise for an async store (jam-room.ts waits for it).
   */
  private saveRules(next: RoomRules, previous: RoomRules, by: TokenClaims): void | Promise<void> {
    if (this.failed) throw new Error('room unavailable');
    const trackName = (id: string) => {
      const name = tracksMap(this.doc).get(id)?.get('name');
      return typeof name === 'string' ? name : null;
    };
    const change = { rules: next, author: by.name, label: rulesChangeLabel(previous, next, trackName), time: Date.now() };
    if (this.syncLog) {
      this.syncLog.saveRules(change);
      return;
    }
    return this.store.saveRules(change).then(
      () => undefined,
      (err: Error) => {
        if (err instanceof LeaseLostError) this.failLease(err.message);
        throw err;
      },
    );
  }

  /**
   * Restores the state at `seq` as a new forward edit by `author`; resolves to the new entry's
   * seq once it is logged. Every peer receives it as an ordinary update.
   */
  async restore(seq: number, author: string): Promise<number> {
    const restored = await this.applyServerEdit(
      author,
      `restored #${seq}`,
      (log) => revertTo(log, seq),
      (store) => revertToFrom(store, seq),
    );
    this.metrics?.restores.inc();
    return restored;
  }

  /** Why the room's rules refuse `role` a take-back (null: they allow it): core/jam/student-rules.ts. */
  takeBackRefusal(role: TokenClaims['role']): string | null {
    return takeBackRefusal(this.jam.rules, role);
  }

  /**
   * Takes back what `source` did (take-back.ts) as one forward edit by `author`: the new entry's
   * seq and how many entries it took back, or null when the source made no edits in that span.
   */
  async takeBack(source: TakeBackSource, author: string): Promise<{ seq: number; taken: number } | null> {
    if (this.failed) throw new Error('room unavailable');
    const since = takeBackSince(source);
    if (!this.syncLog) await this.logIdle(); // the entries and the revert see the same log end
    const entries = this.syncLog ? [...this.syncLog.entries(since)] : await collect(this.store.entries(since));
    const taken = takenSeqs(entries, source);
    if (taken.size === 0) return null;
    const seq = await this.applyServerEdit(
      author,
      takeBackLabel(source, taken.size),
      (log) => revertEntries(log, since, taken),
      (store) => revertEntriesFrom(store, since, taken),
    );
    return { seq, taken: taken.size };
  }

  /**
   * Applies a server-made edit (a restore, a take-back) computed from the log, logged under
   * `author` with `label`, even when it changes nothing (the request still happened); resolves
   * to its seq once it is logged.
   */
  private async applyServerEdit(
    author: string,
    label: string,
    fromLog: (log: RoomLog) => Uint8Array,
    fromStore: (store: RoomStore) => Promise<Uint8Array>,
  ): Promise<number> {
    if (this.failed) throw new Error('room unavailable');
    const unchanged = { time: Date.now(), author, label: `${label} (no changes)`, update: new Uint8Array([0, 0]) };
    if (this.syncLog) {
      const log = this.syncLog;
      const update = fromLog(log);
      const before = log.lastSeq;
      Y.applyUpdate(this.doc, update, new ServerEdit(author, label));
      if (log.lastSeq === before) log.append(unchanged);
      const seq = log.lastSeq;
      this.applyReady(); // like any change, it may complete updates that wait
      return seq;
    }
    // Computed against the log's end; edits that arrive meanwhile stay (a forward edit).
    await this.logIdle();
    const update = await fromStore(this.store);
    if (this.failed) throw new Error('room unavailable');
    this.lastAppend = null;
    Y.applyUpdate(this.doc, update, new ServerEdit(author, label));
    const appended = this.lastAppend ?? this.enqueue(unchanged, null, null);
    const seq = await appended;
    this.applyReady();
    return seq;
  }

  /** This node no longer owns the room (lease lost): peers reconnect (to its new owner), nothing more is appended. */
  failLease(reason: string): void {
    if (this.failed || this.closed) return;
    this.fail(
      new LeaseLostError({ room: this.name, node: '?', epoch: 0 }, reason),
      CLOSE_LEASE_LOST,
      'room moved to another server, reconnect',
    );
  }

  private fail(err: Error, code = 4500, reason = 'room unavailable, try again'): void {
    if (this.failed) return;
    if (err instanceof LeaseLostError && code === 4500) {
      code = CLOSE_LEASE_LOST;
      reason = 'room moved to another server, reconnect';
    }
    this.failed = err;
    console.error(`room ${this.name}: ${err.message}; disconnecting its peers`);
    for (const peer of [...this.peers.keys()]) peer.close(code, reason);
    this.peers.clear();
    this.pending.clear();
    this.jam.close(code, reason);
  }

  get isFailed(): boolean {
    return this.failed !== null;
  }

  /**
   * Closes every peer and the log; the room's file then holds everything. Never throws: it runs
   * from the registry's sweep timer too. A full state that cannot be saved only makes the next
   * load slower (it replays the entries); the log is closed whatever happens. SQLite closes at
   * once; an async store first waits for the batches in flight. Resolves once the log is closed.
   */
  close(code = 1001, reason = 'server shutting down'): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const peer of [...this.peers.keys()]) peer.close(code, reason);
    this.peers.clear();
    this.pending.clear();
    this.jam.close(code, reason);
    if (this.syncLog) {
      try {
        if (!this.failed) this.saveFullState();
      } catch (err) {
        console.error(`room ${this.name}: could not save its full state on closing (it loads from its entries next time):`, err);
      }
      this.destroy();
      try {
        this.syncLog.close();
      } catch (err) {
        console.error(`room ${this.name}: could not close its log:`, err);
      }
      return (this.closing = Promise.resolve());
    }
    return (this.closing = (async () => {
      // Batches in flight get a while to commit; a database that does not answer must not keep
      // the room (and a drain, and the room's next load) waiting for ever.
      const idle = await within(this.logIdle(), CLOSE_WAIT_MS);
      if (!idle) this.fail(new Error(`its log did not commit within ${CLOSE_WAIT_MS} ms of closing`));
      try {
        if (!this.failed && this.entriesSinceFullState > 0)
          await this.store.saveRoomState(this.store.lastSeq, Y.encodeStateAsUpdate(this.doc));
      } catch (err) {
        console.error(
          `room ${this.name}: could not save its full state on closing (it loads from its entries next time):`,
          (err as Error).message,
        );
      }
      this.destroy();
      try {
        if (!(await within(this.store.close(), CLOSE_WAIT_MS)))
          console.error(`room ${this.name}: its log did not close within ${CLOSE_WAIT_MS} ms; left behind`);
      } catch (err) {
        console.error(`room ${this.name}: could not close its log:`, err);
      }
      if (this.onClosed)
        await within(Promise.resolve(this.onClosed()), CLOSE_WAIT_MS).catch((err) => console.error(`room ${this.name}:`, err));
    })());
  }

  private destroy(): void {
    this.doc.off('update', this.onDocUpdate);
    this.guardSongs?.destroy();
    this.presence.destroy();
    this.doc.destroy();
  }
}

export interface RoomOptions {
  metrics?: ServerMetrics;
  snapshotPolicy?: Partial<SnapshotPolicy>;
  pendingLimits?: Partial<PendingLimits>;
  presenceLimits?: Partial<PresenceLimits>;
  /** The jam transport a previous owner kept, and where to keep its changes (store/cluster-store.ts). */
  transport?: { initial: TransportState | null; save: (state: TransportState) => void };
  /** Runs once the room's log is closed (a cluster store releases the room's lease). */
  onClosed?: () => Promise<void> | void;
}

/** Whether `promise` settled within `ms` (true) or not yet (false); its rejection is thrown. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function isRoomStore(source: RoomLog | RoomStore): source is RoomStore {
  return typeof (source as RoomStore).appendBatch === 'function' && typeof (source as RoomStore).close === 'function' && 'room' in source;
}

/** What a SQLite room loads, read synchronously as it always was. */
function loadSync(name: string, log: RoomLog): LoadedLog {
  const full = log.roomState();
  const snapshot = log.lastSnapshotInfo();
  return {
    lastSeq: log.lastSeq,
    full: full ? { seq: full.seq, state: full.state } : null,
    updates: [...log.updates(full?.seq ?? 0)].map((entry) => entry.update),
    snapshot: snapshot ? { seq: snapshot.seq, bytes: snapshot.bytes } : null,
    bytesSinceSnapshot: log.updateBytesAfter(snapshot?.seq ?? 0),
    rules: loadRules(log, name),
  };
}

function readOrFail<T>(read: () => T): T {
  try {
    return read();
  } catch {
    throw new PeerError(4400, 'truncated message');
  }
}

/** A varuint length and that many bytes, all inside the message (lib0 would read past its end). */
function readBytes(decoder: decoding.Decoder): Uint8Array {
  const length = decoding.readVarUint(decoder);
  if (length > decoder.arr.byteLength - decoder.pos) throw new RangeError('past the end');
  return decoding.readUint8Array(decoder, length);
}

/**
 * The label a peer announced for this transaction: its client's clock before the transaction
 * must match, so a stale announcement (an edit made offline, merged later) is never misapplied.
 */
function takeAnnouncedLabel(peer: PeerState, transaction: Y.Transaction): string | null {
  const edit = peer.announced;
  if (!edit || (transaction.beforeState.get(edit.client) ?? 0) !== edit.clock) return null;
  peer.announced = null;
  return edit.label;
}

/** A label for updates from clients that did not name their edit (e.g. a plain Yjs client). */
function describeChange(doc: Y.Doc, transaction: Y.Transaction): string {
  const names: string[] = [];
  for (const [name, type] of doc.share) {
    if (transaction.changedParentTypes.has(type)) names.push(name);
  }
  return names.length ? `edited ${names.sort().join(', ')}` : 'edit';
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
