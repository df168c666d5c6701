/**
 * One room's checkpoint log in its own SQLite file (the same file is a saved project).
 *
 * entries    seq (rowid) | time (ms) | author → authors | label → labels | update (Yjs v1) | hash
 *            | concurrent (1 when the update builds on something already deleted: see compact-state.ts)
 * snapshots  seq | compact state at that seq (deflated), for rebuilding history quickly
 * room_state seq | full state at that seq (deflated): where the live room loads from
 * bookmarks  seq | name | author | time
 * room_rules the teacher's rules now in force (one row: JSON, the seq of the entry that set them,
 *            author, time). Each change is also an entry of the log (an empty Yjs update labelled
 *            "set the rules: ..."), so history shows it and the hash chain covers it. Files from
 *            before it have no such table (created on open) and no rules: the defaults.
 *
 * Authors and labels repeat endlessly ("moved 1 note"), so entries refer to them by id.
 * Each entry's hash chains it to the one before (log-chain.ts), so any change to an old entry
 * breaks every later hash. Writes are synchronous (node:sqlite) in WAL mode: an entry is durable
 * against a process crash as soon as append() returns.
 *
 * A file may come from anyone (a project someone sent), so opening one looks before it writes:
 * the file is checked through a connection that cannot write (log-check.ts: our exact schema
 * from log-schema.ts, no triggers or views, values in bounds, states that inflate within the
 * ceiling, and the hash chain unless the caller knows the file is its own), and only then opened
 * for writing (WAL, tables added since the file was made). A refused file is left byte for byte
 * as it was, with nothing created beside it.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { existsSync, statSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { LIMITS } from '../limits.ts';
import { RoomLogError } from './log-error.ts';
import { createMissingObjects } from './log-schema.ts';
import { asLogError, checkLogFile } from './log-check.ts';
import { entryHash, GENESIS_HASH, walkChain, type ChainBreak } from './log-chain.ts';
import { inflateBounded, stateCeiling } from './bounded-inflate.ts';
import { openHardened } from './sqlite-open.ts';
import { pageEnd } from './page-end.ts';

export { LOG_FORMAT, LOG_VERSION } from './log-schema.ts';
export { HASH_BYTES } from './log-chain.ts';
export { RoomLogError, type LogProblem } from './log-error.ts';

export interface LogEntry {
  seq: number;
  time: number;
  author: string;
  label: string;
  update: Uint8Array;
  concurrent: boolean;
}

/** What a caller hands in to append: the log gives it its seq and hash. */
export interface NewEntry {
  time: number;
  author: string;
  label: string;
  update: Uint8Array;
  concurrent?: boolean;
}

export interface EntryInfo {
  seq: number;
  time: number;
  author: string;
  label: string;
  bytes: number;
}

/** An entry with the hash the log stored for it (which a transfer checks against its own). */
export interface ChainedEntry extends LogEntry {
  hash: Uint8Array;
}

/** A stored state as the log keeps it: deflate-raw of a compact snapshot, or of the full room state. */
export interface PackedState {
  kind: 'snapshot' | 'room';
  seq: number;
  packed: Uint8Array;
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

/** The rules in force, as saveRules stored them (the value is JSON: the caller checks it). */
export interface StoredRules {
  /** The entry that set them. */
  seq: number;
  rules: unknown;
  author: string;
  time: number;
}

/** An empty Yjs update (no structs, no deletions): an entry that records an event, not an edit. */
export const EMPTY_UPDATE = new Uint8Array([0, 0]);

export interface OpenOptions {
  /** Create the file when it does not exist (default true). */
  create?: boolean;
  readOnly?: boolean;
  /**
   * Walk the whole hash chain before opening (default true). Every other check runs on every
   * open; only a caller that wrote the file itself may skip this one (see registry.ts).
   */
  verifyHistory?: boolean;
  /**
   * The caller has just run every check, the chain included, on this very file, which nobody
   * else writes (an upload's private temp file checked off the event loop:
   * log-check-off-thread.ts), so none runs again here. Read-only opens only.
   */
  alreadyChecked?: boolean;
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
    const readOnly = options.readOnly ?? false;
    if (isNewFile(path)) {
      if (options.create === false || readOnly)
        throw new RoomLogError(path, 'missing', 'there is no Riffroom project there (no file, or an empty one)');
    } else if (options.alreadyChecked) {
      if (!readOnly) throw new Error('RoomLog: alreadyChecked is for read-only opens');
    } else {
      // Look before writing: everything is checked through a connection that cannot write.
      checkLogFile(path, { history: options.verifyHistory ?? true });
    }
    try {
      this.db = openHardened(path, { readOnly });
    } catch (err) {
      throw new RoomLogError(path, 'cannot-open', `SQLite cannot open it (${(err as Error).message})`);
    }
    try {
      if (!readOnly) {
        // All tables in one transaction, before the switch to WAL: a crash while a new file is
        // made leaves it empty (made again next time), never a database without our tables.
        this.db.exec('BEGIN IMMEDIATE');
        try {
          createMissingObjects(this.db);
          this.db.exec('COMMIT');
        } catch (err) {
          this.db.exec('ROLLBACK');
          throw err;
        }
        this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
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
    } catch (err) {
      this.db.close();
      throw asLogError(path, err);
    }
  }

  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** Appends one update; returns its seq. Durable once this returns. */
  append(entry: NewEntry): number {
    const seq = this.lastSeqValue + 1;
    const hash = entryHash(this.lastHash, seq, entry.time, entry.author, entry.label, entry.update);
    const authorId = this.intern(this.authorIds, 'authors', 'name', entry.author);
    const labelId = this.intern(this.labelIds, 'labels', 'text', entry.label);
    this.insertEntry.run(seq, entry.time, authorId, labelId, entry.update, hash, entry.concurrent ? 1 : 0);
    this.lastSeqValue = seq;
    this.lastHash = hash;
    return seq;
  }

  /** Appends entries in one transaction: all of them or none. Returns their seqs, in order. */
  appendBatch(entries: readonly NewEntry[]): number[] {
    return this.transaction(() => entries.map((entry) => this.append(entry)));
  }

  /**
   * Records new rules: an entry (an empty update labelled `label`, by `author`) and the rules row
   * pointing at it, in one transaction: both or neither. Returns the entry's seq.
   */
  saveRules(change: { rules: unknown; author: string; label: string; time: number }): number {
    const text = JSON.stringify(change.rules);
    return this.transaction(() => {
      const seq = this.append({ time: change.time, author: change.author, label: change.label, update: EMPTY_UPDATE });
      this.db
        .prepare('INSERT OR REPLACE INTO room_rules (id, seq, rules, author, time) VALUES (1, ?, ?, ?, ?)')
        .run(seq, text, change.author, change.time);
      return seq;
    });
  }

  /**
   * Runs `write` in one write transaction: everything it appends or saves, or (when it throws)
   * none of it. Also makes many appends cheaper: one commit for all of them (log-transfer.ts).
   */
  transaction<T>(write: () => T): T {
    const [lastSeq, lastHash] = [this.lastSeqValue, this.lastHash];
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = write();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      [this.lastSeqValue, this.lastHash] = [lastSeq, lastHash];
      // Interned ids may name rows the rollback removed.
      this.authorIds.clear();
      this.labelIds.clear();
      throw err;
    }
  }

  /** The hash of the newest entry (the genesis hash when there is none): where the chain goes on. */
  get lastEntryHash(): Uint8Array {
    return this.lastHash;
  }

  /**
   * Keeps `stored` as the rules in force, as another log recorded them (their entry is already in
   * this log: a transferred history, log-transfer.ts). saveRules is for new changes.
   */
  keepRules(stored: StoredRules): void {
    if (!Number.isInteger(stored.seq) || stored.seq < 1 || stored.seq > this.lastSeqValue) {
      throw new RoomLogError(this.path, 'damaged', `the rules were set by entry ${stored.seq}, which the log does not have`);
    }
    this.db
      .prepare('INSERT OR REPLACE INTO room_rules (id, seq, rules, author, time) VALUES (1, ?, ?, ?, ?)')
      .run(stored.seq, JSON.stringify(stored.rules), stored.author, stored.time);
  }

  /**
   * The rules last saved, or null when none were (a new room, or a file from before rules were
   * kept). Throws RoomLogError when the stored rules are not JSON.
   */
  storedRules(): StoredRules | null {
    const row = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'room_rules'").get()
      ? (this.db.prepare('SELECT seq, rules, author, time FROM room_rules WHERE id = 1').get() as
          | { seq: number; rules: string; author: string; time: number }
          | undefined)
      : undefined; // a read-only open of a file from before rules were kept
    if (!row) return null;
    try {
      return { seq: row.seq, rules: JSON.parse(String(row.rules)), author: String(row.author), time: Number(row.time) };
    } catch {
      throw new RoomLogError(this.path, 'damaged', 'the stored room rules are damaged');
    }
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
    const last = this.lastSeqOfPage(after, upTo, maxBytes, maxEntries);
    if (last === null) return [];
    return this.db.prepare('SELECT seq, "update" FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq').all(after, last) as unknown as {
      seq: number;
      update: Uint8Array;
    }[];
  }

  /** Like updatePage, with everything an entry holds, its stored hash included: what a transfer copies. */
  entryPage(after: number, upTo: number, maxBytes: number, maxEntries: number): ChainedEntry[] {
    const last = this.lastSeqOfPage(after, upTo, maxBytes, maxEntries);
    if (last === null) return [];
    const rows = this.db
      .prepare(
        `SELECT seq, time, authors.name AS author, labels.text AS label, "update", concurrent, hash FROM entries
       JOIN authors ON authors.id = author_id JOIN labels ON labels.id = label_id
       WHERE seq > ? AND seq <= ? ORDER BY seq`,
      )
      .all(after, last) as unknown as (RawEntry & { hash: Uint8Array })[];
    return rows.map((row) => ({ ...toEntry(row), hash: new Uint8Array(row.hash) }));
  }

  /** The last seq of the page after < seq <= upTo that fits maxBytes/maxEntries; null when there is none. */
  private lastSeqOfPage(after: number, upTo: number, maxBytes: number, maxEntries: number): number | null {
    // Sizes first (length() of a blob does not read it), then just the rows that fit.
    const sizes = this.db
      .prepare('SELECT seq, length("update") AS bytes FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?')
      .all(after, upTo, maxEntries) as { seq: number; bytes: number }[];
    return pageEnd(sizes, maxBytes);
  }

  /**
   * Starts one read transaction on this connection (open it readOnly, beside the one that
   * appends): every read until endRead() sees the log as it was now, whatever is appended
   * meanwhile. Returns the newest entry in that view. A transfer reads a live room this way.
   */
  beginRead(): number {
    this.db.exec('BEGIN');
    // The view is fixed by the first read, so the newest entry is read inside it.
    const row = this.db.prepare('SELECT coalesce(max(seq), 0) AS last FROM entries').get() as { last: number };
    return row.last;
  }

  endRead(): void {
    if (this.db.isTransaction) this.db.exec('COMMIT');
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
    const row = this.db.prepare('SELECT seq, state FROM snapshots WHERE seq = ?').get(seq) as
      | { seq: number; state: Uint8Array }
      | undefined;
    return row
      ? { seq: row.seq, state: inflateBounded(row.state, this.stateCeilingAt(row.seq), this.path, `snapshot at entry ${row.seq}`) }
      : null;
  }

  /** Saves the full document state (replacing the previous one): the live room loads from it. */
  saveRoomState(seq: number, state: Uint8Array): void {
    this.db.prepare('INSERT OR REPLACE INTO room_state (id, seq, state) VALUES (1, ?, ?)').run(seq, deflateRawSync(state, { level: 1 }));
  }

  roomState(): Snapshot | null {
    const row = this.db.prepare('SELECT seq, state FROM room_state WHERE id = 1').get() as { seq: number; state: Uint8Array } | undefined;
    return row ? { seq: row.seq, state: inflateBounded(row.state, this.stateCeilingAt(row.seq), this.path, 'room state') } : null;
  }

  /** How far a state at `seq` may inflate: bounded by the updates it is made of (stateCeiling). */
  private stateCeilingAt(seq: number): number {
    const row = this.db.prepare('SELECT coalesce(sum(length("update")), 0) AS n FROM entries WHERE seq <= ?').get(seq) as { n: number };
    return stateCeiling(Number(row.n), LIMITS.projectFile.maxInflatedBytes);
  }

  /**
   * Every stored state as stored (deflated), one at a time: the snapshots oldest first, then the
   * room state. A transfer copies them without inflating and deflating them again; whoever opened
   * the log has already checked that each inflates within its ceiling (log-check.ts).
   */
  *packedStates(): Generator<PackedState> {
    for (const row of this.db.prepare('SELECT seq, state FROM snapshots ORDER BY seq').iterate() as Iterable<{
      seq: number;
      state: Uint8Array;
    }>) {
      yield { kind: 'snapshot', seq: row.seq, packed: new Uint8Array(row.state) };
    }
    const room = this.db.prepare('SELECT seq, state FROM room_state WHERE id = 1').get() as { seq: number; state: Uint8Array } | undefined;
    if (room) yield { kind: 'room', seq: room.seq, packed: new Uint8Array(room.state) };
  }

  /** Stores a state as packedStates() gave it (from another log, whose checks it passed). */
  savePackedState(state: PackedState): void {
    if (!Number.isInteger(state.seq) || state.seq < 0 || state.seq > this.lastSeqValue) {
      throw new RoomLogError(
        this.path,
        'damaged',
        `a ${state.kind === 'room' ? 'room state' : 'snapshot'} is at entry ${state.seq}, which the log does not have`,
      );
    }
    if (state.kind === 'room')
      this.db.prepare('INSERT OR REPLACE INTO room_state (id, seq, state) VALUES (1, ?, ?)').run(state.seq, state.packed);
    else this.db.prepare('INSERT OR REPLACE INTO snapshots (seq, state) VALUES (?, ?)').run(state.seq, state.packed);
  }

  /** Size on disk of the newest snapshot (compressed), 0 when there is none. */
  lastSnapshotInfo(): { seq: number; bytes: number } | null {
    const row = this.db.prepare('SELECT seq, length(state) AS bytes FROM snapshots ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; bytes: number }
      | undefined;
    return row ?? null;
  }

  addBookmark(bookmark: Bookmark): void {
    this.db
      .prepare('INSERT INTO bookmarks (seq, name, author, time) VALUES (?, ?, ?, ?)')
      .run(bookmark.seq, bookmark.name, bookmark.author, bookmark.time);
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
  verify(): ChainBreak | null {
    return walkChain(this.db);
  }

  /** Folds the WAL into the main file so the project file alone holds everything. */
  checkpoint(): void {
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /**
   * Closes the log as one self-contained file (rollback-journal mode, no -wal or -shm beside it
   * when it is opened later): what a transfer sends or keeps. Whoever opens it for writing
   * switches it back to WAL.
   */
  closeAsSingleFile(): void {
    this.checkpoint();
    this.db.exec('PRAGMA journal_mode = DELETE');
    this.db.close();
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
    seq: row.seq,
    time: row.time,
    author: row.author,
    label: row.label,
    update: new Uint8Array(row.update),
    concurrent: row.concurrent === 1,
  };
}

/** No file yet, or an empty one that nothing has written (creating the log there is safe). */
function isNewFile(path: string): boolean {
  if (!existsSync(path)) return true;
  return statSync(path).isFile() && statSync(path).size === 0 && !existsSync(`${path}-wal`);
}
