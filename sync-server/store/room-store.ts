/**
 * The one store interface a room's log lives behind, whatever keeps it: SQLite (sqlite-store.ts:
 * one file per room, the desktop's project file; the default for one-node servers) or PostgreSQL
 * (postgres-store.ts: many nodes sharing one database, each room written by its lease holder).
 *
 * Both keep the same entries with the same hash chain (log-chain.ts), so a log moves from one to
 * the other entry for entry and verifies on both sides. Both refuse the same bad input with the
 * same StoreInputError (store-input.ts), before anything is written.
 *
 * Every method is async: PostgreSQL is across a network. A room's writes are applied in the order
 * they are called (each store queues them), and a promise resolves only once what it wrote is
 * durable: an append's entries are committed when appendBatch resolves, never before.
 */
import type { Bookmark, EntryInfo, LogEntry, NewEntry, Snapshot, StoredRules } from './room-log.ts';
import type { ChainBreak } from './log-chain.ts';
import type { LeaseGrant } from './room-lease.ts';

export type { Bookmark, EntryInfo, LogEntry, NewEntry, Snapshot, StoredRules } from './room-log.ts';
export type { ChainBreak } from './log-chain.ts';

/** An entry's update bytes and its concurrency flag: what replaying a log needs. */
export interface UpdateRecord {
  update: Uint8Array;
  concurrent: boolean;
}

/** One room's log, open. */
export interface RoomStore {
  readonly room: string;
  /** Newest entry's seq (0 for an empty log). */
  readonly lastSeq: number;

  /** Appends entries in one transaction, all or none; resolves to their seqs once committed. */
  appendBatch(entries: readonly NewEntry[]): Promise<number[]>;
  /** An entry recording new rules (an empty update) and the rules row, both or neither; its seq. */
  saveRules(change: { rules: unknown; author: string; label: string; time: number }): Promise<number>;
  /** The rules last saved, or null when none were. */
  storedRules(): Promise<StoredRules | null>;

  /** Metadata of up to `limit` entries after `after`, oldest first, without their bytes. */
  history(after: number, limit: number): Promise<EntryInfo[]>;
  /** Entries after < seq <= upTo, oldest first, read a page at a time. */
  entries(after: number, upTo?: number): AsyncIterable<LogEntry>;
  /** Updates of entries after < seq <= upTo, oldest first, read a page at a time. */
  updates(after: number, upTo?: number): AsyncIterable<UpdateRecord>;
  /**
   * One page of updates after < seq <= upTo: as many as fit in `maxBytes` (always at least one),
   * at most `maxEntries`.
   */
  updatePage(after: number, upTo: number, maxBytes: number, maxEntries: number): Promise<{ seq: number; update: Uint8Array }[]>;
  /** Total bytes of the updates after `after`. */
  updateBytesAfter(after: number): Promise<number>;

  /** Saves a compact snapshot at `seq` (deflated); resolves to its stored size. */
  saveSnapshot(seq: number, state: Uint8Array): Promise<number>;
  /** Seqs of the snapshots at or before `seq`, newest first. */
  snapshotSeqsAtOrBefore(seq: number): Promise<number[]>;
  snapshotAt(seq: number): Promise<Snapshot | null>;
  lastSnapshotInfo(): Promise<{ seq: number; bytes: number } | null>;

  /** Saves the full document state at `seq`, replacing the previous one. */
  saveRoomState(seq: number, state: Uint8Array): Promise<void>;
  roomState(): Promise<Snapshot | null>;

  addBookmark(bookmark: Bookmark): Promise<void>;
  bookmarkCount(): Promise<number>;
  bookmarks(): Promise<Bookmark[]>;

  /** Walks the whole chain: the first break, or null when every entry holds. */
  verify(): Promise<ChainBreak | null>;
  /** Waits for the writes in flight, then closes. Idempotent. */
  close(): Promise<void>;
}

export interface OpenRoomOptions {
  /** Create the room when it does not exist (default true). */
  create?: boolean;
  /**
   * The lease this node holds on the room (room-lease.ts). PostgreSQL: required to write, and
   * every write checks it in its own transaction. SQLite serves one node and has no leases.
   */
  lease?: LeaseGrant;
  /** Walk the whole hash chain before opening (default: each store's own; see sqlite-store.ts). */
  verifyHistory?: boolean;
}

/** Where rooms' logs are kept: opens one room at a time. */
export interface LogStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Whether the room has a log here. */
  exists(room: string): Promise<boolean>;
  open(room: string, options?: OpenRoomOptions): Promise<RoomStore>;
  /** Closes what the store holds (PostgreSQL: its connection pool). Rooms are closed first. */
  close(): Promise<void>;
}

/** Runs async writes one after another, in call order, whatever each takes. */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(write: () => Promise<T>): Promise<T> {
    const result = this.tail.then(write);
    // The next write waits for this one to settle, failed or not.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Settles once every write queued so far has. */
  drained(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
