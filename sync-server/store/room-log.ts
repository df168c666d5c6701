/**
 * One room's checkpoint log in its own SQLite file (the same file is a saved project).
 *
 * entries    seq (rowid) | time (ms) | author → authors | label → labels | update (Yjs v1) | hash
 *            | concurrent (1 when the update builds on something already deleted: see compact-state.ts)
 * snapshots  seq | compact state at that seq (deflated), for rebuilding history quickly
 * room_state seq | full state at that seq (deflated): where the live room loads from
 * bookmarks  seq | name | author | time
 *
 * Authors and labels repeat endlessly ("moved 1 note"), so entries refer to them by id.
 * hash(n) = sha256(hash(n-1) ‖ seq ‖ time ‖ author ‖ label ‖ update) (first 16 bytes), so any change to an old
 * entry breaks every later hash. Writes are synchronous (node:sqlite) in WAL mode: an entry is
 * durable against a process crash as soon as append() returns.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Identifies the file as ours, and the layout version a reader must understand. */
export const LOG_FORMAT = 'riffroom-room-log';
export const LOG_VERSION = 1;
const GENESIS_HASH = new Uint8Array(16);

export interface LogEntry {
  seq: number;
  time: number;
  author: string;
  label: string;
  update: Uint8Array;
  concurrent: boolean;
}

export interface EntryInfo {
  seq: number;
  time: number;
  author: string;
  label: string;
  bytes: number;
}

export interface Snapshot {
  seq: number;
  state: Uint8Array;
}

export interface Bookmark {
  seq: number;
  name: string;
  author: string;
  time: number;
}

export class RoomLogError extends Error {
  override name = 'RoomLogError';
}

export interface OpenOptions {
  /** Create the file when it does not exist (default true). */
  create?: boolean;
  readOnly?: boolean;
}

export class RoomLog {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly insertEntry: StatementSync;
  private readonly selectEntriesFrom: StatementSync;
  private readonly selectUpdates: StatementSync;
  private lastSeqValue: number;
  private lastHash: Uint8Array;
  private readonly authorIds = new Map<string, number>();
  private readonly labelIds = new Map<string, number>();

  constructor(path: string, options: OpenOptions = {}) {
    this.path = path;
    try {
      this.db = new DatabaseSync(path, { readOnly: options.readOnly ?? false, open: true });
    } catch (err) {
      throw new RoomLogError(`cannot open ${path}: ${(err as Error).message}`);
    }
    try {
      this.prepareSchema(options);
    } catch (err) {
      this.db.close();
      if (err instanceof RoomLogError) throw err;
      throw new RoomLogError(`${path} is not a readable Riffroom log: ${(err as Error).message}`);
    }
    this.insertEntry = this.db.prepare(
      'INSERT INTO entries (seq, time, author_id, label_id, "update", hash, concurrent) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectEntriesFrom = this.db.prepare(
      `SELECT seq, time, authors.name AS author, labels.text AS label, "update", concurrent FROM entries
       JOIN authors ON authors.id = author_id JOIN labels ON labels.id = label_id
       WHERE seq > ? AND seq <= ? ORDER BY seq`,
    );
    this.selectUpdates = this.db.prepare('SELECT "update", concurrent FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq');
    const last = this.db.prepare('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: Uint8Array }
      | undefined;
    this.lastSeqValue = last?.seq ?? 0;
    this.lastHash = last ? new Uint8Array(last.hash) : GENESIS_HASH;
  }

  private prepareSchema(options: OpenOptions): void {
    // Refuse anything that is not ours before writing a single byte to it.
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    const names = new Set(tables.map((t) => t.name));
    if (names.size > 0) {
      if (!names.has('log_meta')) throw new RoomLogError(`${this.path} is not a Riffroom log (no log_meta table)`);
      const meta = Object.fromEntries(
        (this.db.prepare('SELECT key, value FROM log_meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
      );
      if (meta.format !== LOG_FORMAT) throw new RoomLogError(`${this.path} is not a Riffroom log (format ${meta.format})`);
      const version = Number(meta.version);
      if (!(version <= LOG_VERSION)) {
        throw new RoomLogError(`${this.path} was written by a newer Riffroom (log version ${meta.version}); update the app to open it`);
      }
    } else if (options.create === false || options.readOnly) {
      throw new RoomLogError(`${this.path} is empty: not a Riffroom log`);
    }
    if (options.readOnly) return;
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS labels (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, author_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
        "update" BLOB NOT NULL, hash BLOB NOT NULL, concurrent INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, state BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS room_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, state BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS bookmarks (
        id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, author TEXT NOT NULL, time INTEGER NOT NULL);
      INSERT OR IGNORE INTO log_meta VALUES ('format', '${LOG_FORMAT}'), ('version', '${LOG_VERSION}');
    `);
    // The integrity check is cheap for the header pages and catches files that are not SQLite at all
    // or were truncated; a full check would read the whole file on every open.
    const quick = this.db.prepare('PRAGMA quick_check(1)').get() as { quick_check: string };
    if (quick.quick_check !== 'ok') throw new RoomLogError(`${this.path} is damaged: ${quick.quick_check}`);
  }

  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** Appends one update; returns its seq. Durable once this returns. */
  append(entry: { time: number; author: string; label: string; update: Uint8Array; concurrent?: boolean }): number {
    const seq = this.lastSeqValue + 1;
    const hash = entryHash(this.lastHash, seq, entry.time, entry.author, entry.label, entry.update);
    const authorId = this.intern(this.authorIds, 'authors', 'name', entry.author);
    const labelId = this.intern(this.labelIds, 'labels', 'text', entry.label);
    this.insertEntry.run(seq, entry.time, authorId, labelId, entry.update, hash, entry.concurrent ? 1 : 0);
    this.lastSeqValue = seq;
    this.lastHash = hash;
    return seq;
  }

  /** The id of a repeated string (author or label), adding it on first use. */
  private intern(cache: Map<string, number>, table: 'authors' | 'labels', column: 'name' | 'text', value: string): number {
    let id = cache.get(value);
    if (id === undefined) {
      const row = this.db.prepare(`SELECT id FROM ${table} WHERE ${column} = ?`).get(value) as { id: number } | undefined;
      id = row?.id ?? Number(this.db.prepare(`INSERT INTO ${table} (${column}) VALUES (?)`).run(value).lastInsertRowid);
      if (cache.size > 10_000) cache.clear(); // bounded: hostile label streams cannot grow memory
      cache.set(value, id);
    }
    return id;
  }

  /** Just the updates (and concurrency flags) of entries after < seq <= upTo: what replays need. */
  *updates(after: number, upTo = Number.MAX_SAFE_INTEGER): Generator<{ update: Uint8Array; concurrent: boolean }> {
    for (const row of this.selectUpdates.iterate(after, upTo) as Iterable<{ update: Uint8Array; concurrent: number }>) {
      yield { update: row.update, concurrent: row.concurrent === 1 };
    }
  }

  /** Entries with after < seq <= upTo, oldest first. */
  *entries(after: number, upTo = Number.MAX_SAFE_INTEGER): Generator<LogEntry> {
    for (const row of this.selectEntriesFrom.iterate(after, upTo) as Iterable<RawEntry>) yield toEntry(row);
  }

  /**
   * One page of entries after < seq <= upTo, oldest first: as many as fit in `maxBytes` of
   * updates (always at least one), at most `maxEntries`. Read whole with all(), never as an open
   * iterator: callers page through long logs across event-loop turns, while this connection also
   * serves the live room (and a second iterate() of a statement resets the first).
   */
  updatePage(after: number, upTo: number, maxBytes: number, maxEntries: number): { seq: number; update: Uint8Array }[] {
    // Sizes first (length() of a blob does not read it), then just the rows that fit.
    const sizes = this.db.prepare('SELECT seq, length("update") AS bytes FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?')
      .all(after, upTo, maxEntries) as { seq: number; bytes: number }[];
    if (!sizes.length) return [];
    let last = sizes[0]!.seq;
    let total = 0;
    for (const row of sizes) {
      if (total > 0 && total + row.bytes > maxBytes) break;
      total += row.bytes;
      last = row.seq;
    }
    return this.db.prepare('SELECT seq, "update" FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq').all(after, last) as unknown as { seq: number; update: Uint8Array }[];
  }

  /** Metadata of entries after `after`, oldest first, without their bytes. */
  history(after: number, limit: number): EntryInfo[] {
    return this.db
      .prepare(
        `SELECT seq, time, authors.name AS author, labels.text AS label, length("update") AS bytes FROM entries
         JOIN authors ON authors.id = author_id JOIN labels ON labels.id = label_id WHERE seq > ? ORDER BY seq LIMIT ?`,
      )
      .all(after, limit) as unknown as EntryInfo[];
  }

  /** Total bytes of the update blobs after `after` (used by the snapshot policy on open). */
  updateBytesAfter(after: number): number {
    const row = this.db.prepare('SELECT coalesce(sum(length("update")), 0) AS n FROM entries WHERE seq > ?').get(after) as { n: number };
    return row.n;
  }

  /** Saves a compact snapshot; returns its size on disk. */
  saveSnapshot(seq: number, state: Uint8Array): number {
    // Maximum compression: a smaller snapshot lets the policy take them more often for the same
    // share of the file, so rebuilds replay fewer entries. It runs after the edit is broadcast.
    const packed = deflateRawSync(state, { level: 9 });
    this.db.prepare('INSERT OR REPLACE INTO snapshots (seq, state) VALUES (?, ?)').run(seq, packed);
    return packed.byteLength;
  }

  /** Seqs of the compact snapshots at or before `seq`, newest first. */
  snapshotSeqsAtOrBefore(seq: number): number[] {
    const rows = this.db.prepare('SELECT seq FROM snapshots WHERE seq <= ? ORDER BY seq DESC').all(seq) as { seq: number }[];
    return rows.map((r) => r.seq);
  }

  snapshotAt(seq: number): Snapshot | null {
    const row = this.db.prepare('SELECT seq, state FROM snapshots WHERE seq = ?').get(seq) as { seq: number; state: Uint8Array } | undefined;
    return row ? { seq: row.seq, state: new Uint8Array(inflateRawSync(row.state)) } : null;
  }

  /** Saves the full document state (replacing the previous one): the live room loads from it. */
  saveRoomState(seq: number, state: Uint8Array): void {
    this.db.prepare('INSERT OR REPLACE INTO room_state (id, seq, state) VALUES (1, ?, ?)').run(seq, deflateRawSync(state, { level: 1 }));
  }

  roomState(): Snapshot | null {
    const row = this.db.prepare('SELECT seq, state FROM room_state WHERE id = 1').get() as { seq: number; state: Uint8Array } | undefined;
    return row ? { seq: row.seq, state: new Uint8Array(inflateRawSync(row.state)) } : null;
  }

  /** Size on disk of the newest snapshot (compressed), 0 when there is none. */
  lastSnapshotInfo(): { seq: number; bytes: number } | null {
    const row = this.db.prepare('SELECT seq, length(state) AS bytes FROM snapshots ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; bytes: number }
      | undefined;
    return row ?? null;
  }

  addBookmark(bookmark: Bookmark): void {
    this.db.prepare('INSERT INTO bookmarks (seq, name, author, time) VALUES (?, ?, ?, ?)').run(
      bookmark.seq, bookmark.name, bookmark.author, bookmark.time,
    );
  }

  bookmarkCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM bookmarks').get() as { n: number }).n;
  }

  bookmarks(): Bookmark[] {
    return this.db.prepare('SELECT seq, name, author, time FROM bookmarks ORDER BY seq, id').all() as unknown as Bookmark[];
  }

  /**
   * Walks the whole chain. Returns the first seq whose hash does not match (or that is missing),
   * or null when the log is intact.
   */
  verify(): { brokenAt: number; reason: string } | null {
    let prev: Uint8Array = GENESIS_HASH;
    let expected = 1;
    const rows = this.db
      .prepare(
        `SELECT seq, time, authors.name AS author, labels.text AS label, "update", hash FROM entries
         JOIN authors ON authors.id = author_id JOIN labels ON labels.id = label_id ORDER BY seq`,
      )
      .iterate();
    for (const row of rows as Iterable<RawEntry & { hash: Uint8Array }>) {
      if (row.seq !== expected) return { brokenAt: expected, reason: `entry ${expected} is missing` };
      const hash = entryHash(prev, row.seq, row.time, row.author, row.label, row.update);
      if (!bytesEqual(hash, row.hash)) return { brokenAt: row.seq, reason: `entry ${row.seq} does not match its hash` };
      prev = hash;
      expected++;
    }
    return null;
  }

  /** Folds the WAL into the main file so the project file alone holds everything. */
  checkpoint(): void {
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (!this.db.isOpen) return;
    try {
      this.checkpoint();
    } catch {
      // A read-only or busy database cannot be checkpointed; closing still keeps every entry.
    }
    this.db.close();
  }
}

interface RawEntry {
  seq: number;
  time: number;
  author: string;
  label: string;
  update: Uint8Array;
  concurrent?: number;
}

function toEntry(row: RawEntry): LogEntry {
  return {
    seq: row.seq, time: row.time, author: row.author, label: row.label,
    update: new Uint8Array(row.update), concurrent: row.concurrent === 1,
  };
}

/**
 * SHA-256 truncated to 128 bits: forging a matching entry still takes ~2^64 work, and the log
 * stays within twice the size of the updates it holds (a full hash would be half an edit again).
 */
export const HASH_BYTES = 16;

function entryHash(prev: Uint8Array, seq: number, time: number, author: string, label: string, update: Uint8Array): Uint8Array {
  const header = Buffer.from(JSON.stringify([seq, time, author, label]));
  return new Uint8Array(createHash('sha256').update(prev).update(header).update(update).digest().subarray(0, HASH_BYTES));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
