/**
 * The SQLite store: each room's log is its own file (the desktop's project file), kept by RoomLog
 * (room-log.ts), which this wraps thinly behind the async RoomStore interface. RoomLog's writes
 * are synchronous and durable when they return, so each promise here resolves once its write is
 * on disk; SQLite serves one node, so it has no leases (an OpenRoomOptions.lease is not needed).
 *
 * Reads that stream (entries, updates, verify's walk) are read a page at a time with the page
 * read whole: the connection also serves the room's writes between pages, and an open SQLite
 * iterator must not span event-loop turns (see RoomLog.updatePage).
 */
import { existsSync } from 'node:fs';
import { LIMITS } from '../limits.ts';
import { RoomLog, type Bookmark, type EntryInfo, type LogEntry, type NewEntry, type Snapshot, type StoredRules } from './room-log.ts';
import type { ChainBreak } from './log-chain.ts';
import type { LogStore, OpenRoomOptions, RoomStore, UpdateRecord } from './room-store.ts';
import { checkBookmark, checkCount, checkEntries, checkEntry, checkPosition, checkState, rulesText } from './store-input.ts';

export class SqliteLogStore implements LogStore {
  readonly kind = 'sqlite';
  private readonly fileOf: (room: string) => string;
  private readonly open_ = new Set<SqliteRoomStore>();

  /** `fileOf` names each room's file (and refuses a room name it does not accept, by throwing). */
  constructor(fileOf: (room: string) => string) {
    this.fileOf = fileOf;
  }

  async exists(room: string): Promise<boolean> {
    return existsSync(this.fileOf(room));
  }

  async open(room: string, options: OpenRoomOptions = {}): Promise<RoomStore> {
    const log = new RoomLog(this.fileOf(room), { create: options.create ?? true, verifyHistory: options.verifyHistory ?? true });
    const store = new SqliteRoomStore(room, log, () => this.open_.delete(store));
    this.open_.add(store);
    return store;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open_].map((store) => store.close()));
  }
}

export class SqliteRoomStore implements RoomStore {
  readonly room: string;
  /** The log underneath, for callers that still use it synchronously (the server, for now). */
  readonly log: RoomLog;
  private readonly onClose: () => void;
  private closed = false;

  constructor(room: string, log: RoomLog, onClose: () => void = () => {}) {
    this.room = room;
    this.log = log;
    this.onClose = onClose;
  }

  get lastSeq(): number {
    return this.log.lastSeq;
  }

  async appendBatch(entries: readonly NewEntry[]): Promise<number[]> {
    this.open();
    checkEntries(entries);
    return this.log.appendBatch(entries);
  }

  async saveRules(change: { rules: unknown; author: string; label: string; time: number }): Promise<number> {
    this.open();
    rulesText(change.rules);
    checkEntry({ time: change.time, author: change.author, label: change.label, update: new Uint8Array([0, 0]) }, 'rules change');
    return this.log.saveRules(change);
  }

  async storedRules(): Promise<StoredRules | null> {
    this.open();
    return this.log.storedRules();
  }

  async history(after: number, limit: number): Promise<EntryInfo[]> {
    this.open();
    checkPosition(after, 'after');
    checkCount(limit, 'limit');
    return this.log.history(after, limit).map((row) => ({ ...row }));
  }

  async *entries(after: number, upTo = Number.MAX_SAFE_INTEGER): AsyncGenerator<LogEntry> {
    for await (const page of this.pages(after, upTo)) yield* page;
  }

  async *updates(after: number, upTo = Number.MAX_SAFE_INTEGER): AsyncGenerator<UpdateRecord> {
    for await (const page of this.pages(after, upTo))
      for (const entry of page) yield { update: entry.update, concurrent: entry.concurrent };
  }

  /** Pages of whole entries, each read at once (see the file comment). */
  private async *pages(after: number, upTo: number): AsyncGenerator<LogEntry[]> {
    checkPosition(after, 'after');
    checkPosition(upTo, 'upTo');
    for (let from = after; ; ) {
      this.open();
      const page: LogEntry[] = [];
      for (const entry of this.log.entries(from, upTo)) {
        page.push(entry);
        if (page.length >= LIMITS.store.readPageRows) break;
      }
      if (!page.length) return;
      yield page;
      from = page[page.length - 1]!.seq;
    }
  }

  async updatePage(after: number, upTo: number, maxBytes: number, maxEntries: number): Promise<{ seq: number; update: Uint8Array }[]> {
    this.open();
    checkPosition(after, 'after');
    checkPosition(upTo, 'upTo');
    checkCount(maxBytes, 'maxBytes');
    checkCount(maxEntries, 'maxEntries');
    return this.log.updatePage(after, upTo, maxBytes, maxEntries).map((row) => ({ seq: row.seq, update: new Uint8Array(row.update) }));
  }

  async updateBytesAfter(after: number): Promise<number> {
    this.open();
    checkPosition(after, 'after');
    return this.log.updateBytesAfter(after);
  }

  async saveSnapshot(seq: number, state: Uint8Array): Promise<number> {
    this.open();
    checkState(seq, state, this.log.lastSeq, 'snapshot');
    return this.log.saveSnapshot(seq, state);
  }

  async snapshotSeqsAtOrBefore(seq: number): Promise<number[]> {
    this.open();
    checkPosition(seq, 'seq');
    return this.log.snapshotSeqsAtOrBefore(seq);
  }

  async snapshotAt(seq: number): Promise<Snapshot | null> {
    this.open();
    checkPosition(seq, 'seq');
    return this.log.snapshotAt(seq);
  }

  async lastSnapshotInfo(): Promise<{ seq: number; bytes: number } | null> {
    this.open();
    const info = this.log.lastSnapshotInfo();
    return info ? { seq: info.seq, bytes: info.bytes } : null;
  }

  async saveRoomState(seq: number, state: Uint8Array): Promise<void> {
    this.open();
    checkState(seq, state, this.log.lastSeq, 'room state');
    this.log.saveRoomState(seq, state);
  }

  async roomState(): Promise<Snapshot | null> {
    this.open();
    return this.log.roomState();
  }

  async addBookmark(bookmark: Bookmark): Promise<void> {
    this.open();
    checkBookmark(bookmark, this.log.lastSeq);
    this.log.addBookmark(bookmark);
  }

  async bookmarkCount(): Promise<number> {
    this.open();
    return this.log.bookmarkCount();
  }

  async bookmarks(): Promise<Bookmark[]> {
    this.open();
    return this.log.bookmarks().map((row) => ({ ...row }));
  }

  async verify(): Promise<ChainBreak | null> {
    this.open();
    return this.log.verify();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.close();
    this.onClose();
  }

  private open(): void {
    if (this.closed) throw new Error(`room ${this.room}: its store is closed`);
  }
}
