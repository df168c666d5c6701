/**
 * The PostgreSQL store: every room's log in one database that several nodes share (schema in
 * postgres-schema.ts). A room is written only by the node holding its lease (room-lease.ts), and
 * every write is one statement that checks the lease's epoch (FENCE) before it inserts anything:
 * one round trip, committed when it returns, refused whole (LeaseLostError) once another node took
 * the room. After a refusal the room's store stays refused: its idea of the log's end may be
 * stale, so the new owner reopens the room from the database, never this store.
 *
 * Entries hold the same fields and the same hash chain as the SQLite log (log-chain.ts); authors
 * and labels are stored as text in each row (no interning: the row is self-contained and the
 * append is one statement). Snapshots and states are deflated as in SQLite and inflated within
 * the same ceiling.
 *
 * The owner keeps the log's end (seq, hash) in memory and queues its writes (WriteQueue), so
 * batches chain in call order. Should the memory and the database ever disagree anyway, the
 * schema refuses the write (a duplicate seq or a gap) and this store refuses every later one.
 */
import { deflateRawSync } from 'node:zlib';
import pg from 'pg';
import { LIMITS } from '../limits.ts';
import { ROOM_NAME } from '../contract.ts';
import { ChainWalker, entryHash, GENESIS_HASH, type ChainBreak } from './log-chain.ts';
import { inflateBounded, stateCeiling } from './bounded-inflate.ts';
import {
  EMPTY_UPDATE,
  RoomLogError,
  type Bookmark,
  type EntryInfo,
  type LogEntry,
  type NewEntry,
  type Snapshot,
  type StoredRules,
} from './room-log.ts';
import { WriteQueue, type LogStore, type OpenRoomOptions, type RoomStore, type UpdateRecord } from './room-store.ts';
import { createPool, migrate, SELECT_ENTRY_SIZES, SELECT_RULES, storedRulesOf, type RulesRow } from './postgres-schema.ts';
import type { EntryRow } from './postgres-schema.ts';
import { pageEnd } from './page-end.ts';
import { FENCE, leaseHolder, LeaseLostError, type LeaseGrant } from './room-lease.ts';
import {
  checkBookmark,
  checkCount,
  checkEntries,
  checkEntry,
  checkPosition,
  checkState,
  rulesText,
  StoreInputError,
} from './store-input.ts';

/** Columns of one appended entry, after the room: seq, time, author, label, update, hash, concurrent. */
const ENTRY_COLUMNS = 7;

export class PostgresLogStore implements LogStore {
  readonly kind = 'postgres';
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly rooms = new Set<PostgresRoomStore>();

  private constructor(pool: pg.Pool, ownsPool: boolean) {
    this.pool = pool;
    this.ownsPool = ownsPool;
  }

  /** Connects to `url` (postgres://…) and brings the schema up to date. */
  static async connect(url: string, options: { maxConnections?: number; applicationName?: string } = {}): Promise<PostgresLogStore> {
    const pool = createPool(url, { max: options.maxConnections, applicationName: options.applicationName });
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresLogStore(pool, true);
  }

  /** Over a pool the caller made and will end (e.g. shared with RoomLeases); migrates it. */
  static async over(pool: pg.Pool): Promise<PostgresLogStore> {
    await migrate(pool);
    return new PostgresLogStore(pool, false);
  }

  async exists(room: string): Promise<boolean> {
    checkRoomName(room);
    const { rowCount } = await this.pool.query('SELECT 1 FROM rooms WHERE room = $1', [room]);
    return rowCount === 1;
  }

  /**
   * Opens a room. Writes need `lease` (this node's, held): without one the room opens for reading
   * only. The chain is walked on open only when asked (verifyHistory): the database is written by
   * our nodes alone, and walking a long log on every open would cost every load.
   */
  async open(room: string, options: OpenRoomOptions = {}): Promise<RoomStore> {
    checkRoomName(room);
    if (options.lease && options.lease.room !== room) throw new StoreInputError(`the lease is for room ${options.lease.room}, not ${room}`);
    if (options.create ?? true) {
      await this.pool.query('INSERT INTO rooms (room) VALUES ($1) ON CONFLICT (room) DO NOTHING', [room]);
    } else if (!(await this.exists(room))) {
      throw new RoomLogError(where(room), 'missing', 'there is no such room in the database');
    }
    const { rows } = await this.pool.query<{ seq: number; hash: Buffer }>(
      'SELECT seq, hash FROM entries WHERE room = $1 ORDER BY seq DESC LIMIT 1',
      [room],
    );
    const last = rows[0];
    const store = new PostgresRoomStore(
      this.pool,
      room,
      options.lease ?? null,
      last?.seq ?? 0,
      last ? new Uint8Array(last.hash) : GENESIS_HASH,
      () => this.rooms.delete(store),
    );
    this.rooms.add(store);
    if (options.verifyHistory) {
      const broken = await store.verify();
      if (broken) {
        await store.close();
        throw new RoomLogError(where(room), 'history-broken', `its history is damaged at entry ${broken.brokenAt}: ${broken.reason}`);
      }
    }
    return store;
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms].map((store) => store.close()));
    if (this.ownsPool) await this.pool.end();
  }
}

export class PostgresRoomStore implements RoomStore {
  readonly room: string;
  private readonly pool: pg.Pool;
  private readonly lease: LeaseGrant | null;
  private readonly queue = new WriteQueue();
  private readonly onClose: () => void;
  private lastSeqValue: number;
  private lastHash: Uint8Array;
  /** Why this store writes no more (a lost lease, a log that moved under it); null while it may. */
  private refused: Error | null = null;
  private closed = false;

  constructor(pool: pg.Pool, room: string, lease: LeaseGrant | null, lastSeq: number, lastHash: Uint8Array, onClose: () => void) {
    this.pool = pool;
    this.room = room;
    this.lease = lease;
    this.lastSeqValue = lastSeq;
    this.lastHash = lastHash;
    this.onClose = onClose;
  }

  get lastSeq(): number {
    return this.lastSeqValue;
  }

  appendBatch(entries: readonly NewEntry[]): Promise<number[]> {
    return this.write(async (lease) => {
      checkEntries(entries);
      if (!entries.length) return [];
      const { seqs, hashes } = this.chain(entries);
      const params: unknown[] = [this.room, lease.node, lease.epoch];
      const rows = entries.map((entry, i) => {
        params.push(seqs[i], entry.time, entry.author, entry.label, entry.update, hashes[i], entry.concurrent ?? false);
        const base = 3 + i * ENTRY_COLUMNS;
        return `($${base + 1}::bigint, $${base + 2}::bigint, $${base + 3}::text, $${base + 4}::text, $${base + 5}::bytea, $${base + 6}::bytea, $${base + 7}::boolean)`;
      });
      const lastSeq = seqs[seqs.length - 1]!;
      const lastHash = hashes[hashes.length - 1]!;
      let result: pg.QueryResult;
      try {
        result = await this.fencedQuery(
          `WITH fence AS (${FENCE})
           INSERT INTO entries (room, seq, time, author, label, "update", hash, concurrent)
           SELECT $1, v.seq, v.time, v.author, v.label, v.upd, v.hash, v.concurrent
           FROM (VALUES ${rows.join(', ')}) AS v (seq, time, author, label, upd, hash, concurrent)
           WHERE EXISTS (SELECT 1 FROM fence)`,
          params,
        );
      } catch (err) {
        if (!(await this.committedDespite(err, lastSeq, lastHash))) throw err;
        result = { rowCount: entries.length } as pg.QueryResult;
      }
      await this.expectWritten(result, entries.length, lease);
      this.lastSeqValue = lastSeq;
      this.lastHash = lastHash;
      return seqs;
    });
  }

  saveRules(change: { rules: unknown; author: string; label: string; time: number }): Promise<number> {
    return this.write(async (lease) => {
      const text = rulesText(change.rules);
      const entry = { time: change.time, author: change.author, label: change.label, update: EMPTY_UPDATE, concurrent: false };
      checkEntry(entry, 'rules change');
      const { seqs, hashes } = this.chain([entry]);
      // The entry and the rules row in one statement: both or neither.
      const result = await this.fencedQuery(
        `WITH fence AS (${FENCE}),
         entry AS (
           INSERT INTO entries (room, seq, time, author, label, "update", hash, concurrent)
           SELECT $1, $4, $5, $6, $7, $8, $9, false WHERE EXISTS (SELECT 1 FROM fence)
           RETURNING seq
         )
         INSERT INTO room_rules AS r (room, seq, rules, author, time) SELECT $1, seq, $10, $6, $5 FROM entry
         ON CONFLICT (room) DO UPDATE SET seq = EXCLUDED.seq, rules = EXCLUDED.rules, author = EXCLUDED.author, time = EXCLUDED.time`,
        [this.room, lease.node, lease.epoch, seqs[0], entry.time, entry.author, entry.label, entry.update, hashes[0], text],
      );
      await this.expectWritten(result, 1, lease);
      this.lastSeqValue = seqs[0]!;
      this.lastHash = hashes[0]!;
      return seqs[0]!;
    });
  }

  async storedRules(): Promise<StoredRules | null> {
    const { rows } = await this.read<RulesRow>(SELECT_RULES, [this.room]);
    return storedRulesOf(rows, where(this.room));
  }

  async history(after: number, limit: number): Promise<EntryInfo[]> {
    checkPosition(after, 'after');
    checkCount(limit, 'limit');
    const { rows } = await this.read<EntryInfo>(
      `SELECT seq, time, author, label, octet_length("update") AS bytes FROM entries WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [this.room, after, limit],
    );
    return rows.map((row) => ({ seq: row.seq, time: row.time, author: row.author, label: row.label, bytes: row.bytes }));
  }

  async *entries(after: number, upTo = Number.MAX_SAFE_INTEGER): AsyncGenerator<LogEntry> {
    for await (const page of this.pages(after, upTo, false)) {
      for (const row of page)
        yield { seq: row.seq, time: row.time, author: row.author, label: row.label, update: bytes(row.update), concurrent: row.concurrent };
    }
  }

  async *updates(after: number, upTo = Number.MAX_SAFE_INTEGER): AsyncGenerator<UpdateRecord> {
    for await (const page of this.pages(after, upTo, false))
      for (const row of page) yield { update: bytes(row.update), concurrent: row.concurrent };
  }

  /** Pages of rows after < seq <= upTo, by seq (each page one query: no cursor held between them). */
  private async *pages(after: number, upTo: number, withHash: boolean): AsyncGenerator<EntryRow[]> {
    checkPosition(after, 'after');
    checkPosition(upTo, 'upTo');
    const columns = `seq, time, author, label, "update", concurrent${withHash ? ', hash' : ''}`;
    for (let from = after; ; ) {
      const { rows } = await this.read<EntryRow>(
        `SELECT ${columns} FROM entries WHERE room = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
        [this.room, from, upTo, LIMITS.store.readPageRows],
      );
      if (!rows.length) return;
      yield rows;
      from = rows[rows.length - 1]!.seq;
    }
  }

  async updatePage(after: number, upTo: number, maxBytes: number, maxEntries: number): Promise<{ seq: number; update: Uint8Array }[]> {
    checkPosition(after, 'after');
    checkPosition(upTo, 'upTo');
    checkCount(maxBytes, 'maxBytes');
    checkCount(maxEntries, 'maxEntries');
    // Sizes first (octet_length reads a stored value's header, not the value), then the rows that fit.
    const sizes = await this.read<{ seq: number; bytes: number }>(SELECT_ENTRY_SIZES, [this.room, after, upTo, maxEntries]);
    const last = pageEnd(sizes.rows, maxBytes);
    if (last === null) return [];
    const { rows } = await this.read<{ seq: number; update: Buffer }>(
      'SELECT seq, "update" FROM entries WHERE room = $1 AND seq > $2 AND seq <= $3 ORDER BY seq',
      [this.room, after, last],
    );
    return rows.map((row) => ({ seq: row.seq, update: bytes(row.update) }));
  }

  async updateBytesAfter(after: number): Promise<number> {
    checkPosition(after, 'after');
    const { rows } = await this.read<{ n: number }>(
      'SELECT coalesce(sum(octet_length("update")), 0)::bigint AS n FROM entries WHERE room = $1 AND seq > $2',
      [this.room, after],
    );
    return rows[0]!.n;
  }

  saveSnapshot(seq: number, state: Uint8Array): Promise<number> {
    return this.write(async (lease) => {
      checkState(seq, state, this.lastSeqValue, 'snapshot');
      // Maximum compression, as the SQLite log: snapshots are taken after the edit is broadcast.
      const packed = deflateRawSync(state, { level: 9 });
      const result = await this.fencedQuery(
        `WITH fence AS (${FENCE})
         INSERT INTO snapshots (room, seq, state) SELECT $1, $4, $5 WHERE EXISTS (SELECT 1 FROM fence)
         ON CONFLICT (room, seq) DO UPDATE SET state = EXCLUDED.state`,
        [this.room, lease.node, lease.epoch, seq, packed],
      );
      await this.expectWritten(result, 1, lease);
      return packed.byteLength;
    });
  }

  async snapshotSeqsAtOrBefore(seq: number): Promise<number[]> {
    checkPosition(seq, 'seq');
    const { rows } = await this.read<{ seq: number }>('SELECT seq FROM snapshots WHERE room = $1 AND seq <= $2 ORDER BY seq DESC', [
      this.room,
      seq,
    ]);
    return rows.map((row) => row.seq);
  }

  async snapshotAt(seq: number): Promise<Snapshot | null> {
    checkPosition(seq, 'seq');
    const { rows } = await this.read<{ seq: number; state: Buffer }>('SELECT seq, state FROM snapshots WHERE room = $1 AND seq = $2', [
      this.room,
      seq,
    ]);
    const row = rows[0];
    return row
      ? {
          seq: row.seq,
          state: inflateBounded(row.state, await this.stateCeilingAt(row.seq), where(this.room), `snapshot at entry ${row.seq}`),
        }
      : null;
  }

  async lastSnapshotInfo(): Promise<{ seq: number; bytes: number } | null> {
    const { rows } = await this.read<{ seq: number; bytes: number }>(
      'SELECT seq, octet_length(state) AS bytes FROM snapshots WHERE room = $1 ORDER BY seq DESC LIMIT 1',
      [this.room],
    );
    return rows[0] ? { seq: rows[0].seq, bytes: rows[0].bytes } : null;
  }

  saveRoomState(seq: number, state: Uint8Array): Promise<void> {
    return this.write(async (lease) => {
      checkState(seq, state, this.lastSeqValue, 'room state');
      const result = await this.fencedQuery(
        `WITH fence AS (${FENCE})
         INSERT INTO room_state (room, seq, state) SELECT $1, $4, $5 WHERE EXISTS (SELECT 1 FROM fence)
         ON CONFLICT (room) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state`,
        [this.room, lease.node, lease.epoch, seq, deflateRawSync(state, { level: 1 })],
      );
      await this.expectWritten(result, 1, lease);
    });
  }

  async roomState(): Promise<Snapshot | null> {
    const { rows } = await this.read<{ seq: number; state: Buffer }>('SELECT seq, state FROM room_state WHERE room = $1', [this.room]);
    const row = rows[0];
    return row
      ? { seq: row.seq, state: inflateBounded(row.state, await this.stateCeilingAt(row.seq), where(this.room), 'room state') }
      : null;
  }

  addBookmark(bookmark: Bookmark): Promise<void> {
    return this.write(async (lease) => {
      checkBookmark(bookmark, this.lastSeqValue);
      const result = await this.fencedQuery(
        `WITH fence AS (${FENCE})
         INSERT INTO bookmarks (room, seq, name, author, time) SELECT $1, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM fence)`,
        [this.room, lease.node, lease.epoch, bookmark.seq, bookmark.name, bookmark.author, bookmark.time],
      );
      await this.expectWritten(result, 1, lease);
    });
  }

  async bookmarkCount(): Promise<number> {
    const { rows } = await this.read<{ n: number }>('SELECT count(*) AS n FROM bookmarks WHERE room = $1', [this.room]);
    return rows[0]!.n;
  }

  async bookmarks(): Promise<Bookmark[]> {
    const { rows } = await this.read<Bookmark>('SELECT seq, name, author, time FROM bookmarks WHERE room = $1 ORDER BY seq, id', [
      this.room,
    ]);
    return rows.map((row) => ({ seq: row.seq, name: row.name, author: row.author, time: row.time }));
  }

  async verify(): Promise<ChainBreak | null> {
    const walker = new ChainWalker();
    for await (const page of this.pages(0, Number.MAX_SAFE_INTEGER, true)) {
      for (const row of page) {
        const broken = walker.next(row.seq, row.time, row.author, row.label, row.update, row.hash!);
        if (broken) return broken;
      }
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drained();
    this.onClose();
  }

  /** Seqs and hashes of entries to append after the log's end, chained as log-chain.ts defines. */
  private chain(entries: readonly NewEntry[]): { seqs: number[]; hashes: Uint8Array[] } {
    const seqs: number[] = [];
    const hashes: Uint8Array[] = [];
    let prev = this.lastHash;
    entries.forEach((entry, i) => {
      const seq = this.lastSeqValue + 1 + i;
      prev = entryHash(prev, seq, entry.time, entry.author, entry.label, entry.update);
      seqs.push(seq);
      hashes.push(prev);
    });
    return { seqs, hashes };
  }

  /** Queues a write that needs this node's lease; refused at once when the store writes no more. */
  private write<T>(run: (lease: LeaseGrant) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      if (this.closed) throw new Error(`room ${this.room}: its store is closed`);
      if (this.refused) throw this.refused;
      if (!this.lease) throw new Error(`room ${this.room}: opened without a lease, for reading only`);
      return run(this.lease);
    });
  }

  /** A fenced write; the schema refusing a duplicate or missing seq means our idea of the log is stale. */
  private async fencedQuery(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(sql, params);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const constraint = (err as { constraint?: string }).constraint;
      if ((code === '23505' && constraint === 'entries_pkey') || (code === '23503' && constraint?.startsWith('entries_'))) {
        this.refused = new Error(
          `room ${this.room}: the log in the database is not where this node believed (entry ${this.lastSeqValue + 1}); it writes no more (${(err as Error).message})`,
        );
        throw this.refused;
      }
      throw err;
    }
  }

  /**
   * Whether a write whose connection failed (the database restarted, the network broke) was
   * committed all the same: the reply may be lost after the commit. The log's end tells: our
   * last entry, hash and all, means it was; the end we knew means it was not (the caller may
   * retry it); anything else, and this store writes no more.
   */
  private async committedDespite(err: unknown, lastSeq: number, lastHash: Uint8Array): Promise<boolean> {
    // The database refused the statement: nothing of it was committed. Only a connection lost
    // (class 08) or a server shutting down (57: a restart) leaves the outcome open.
    if (this.refused || (err instanceof pg.DatabaseError && !/^(08|57)/.test(err.code ?? ''))) return false;
    let end: { seq: number; hash: Buffer } | undefined;
    try {
      ({
        rows: [end],
      } = await this.pool.query<{ seq: number; hash: Buffer }>('SELECT seq, hash FROM entries WHERE room = $1 ORDER BY seq DESC LIMIT 1', [
        this.room,
      ]));
    } catch {
      return false; // still unreachable: the caller retries, and the duplicate check settles it then
    }
    if (end && end.seq === lastSeq && hex(end.hash) === hex(lastHash)) return true;
    if ((end?.seq ?? 0) === this.lastSeqValue) return false;
    this.refused = new Error(
      `room ${this.room}: after a failed write the log ends at entry ${end?.seq ?? 0}, not where this node believed; it writes no more`,
    );
    throw this.refused;
  }

  /** A fenced write that wrote fewer rows than it meant to was fenced off: the lease moved. */
  private async expectWritten(result: pg.QueryResult, rows: number, lease: LeaseGrant): Promise<void> {
    if (result.rowCount === rows) return;
    const holder = await leaseHolder(this.pool, this.room).catch(() => null);
    const detail = !holder
      ? 'the room has no lease'
      : holder.node === lease.node && holder.epoch === lease.epoch
        ? holder.released
          ? 'it was released'
          : 'it expired'
        : `node ${holder.node} holds it at epoch ${holder.epoch}`;
    this.refused = new LeaseLostError(lease, detail);
    throw this.refused;
  }

  private read<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.closed) return Promise.reject(new Error(`room ${this.room}: its store is closed`));
    return this.pool.query<R>(sql, params);
  }

  /** How far a state at `seq` may inflate: bounded by the updates it is made of (stateCeiling). */
  private async stateCeilingAt(seq: number): Promise<number> {
    const { rows } = await this.read<{ n: number }>(
      'SELECT coalesce(sum(octet_length("update")), 0)::bigint AS n FROM entries WHERE room = $1 AND seq <= $2',
      [this.room, seq],
    );
    return stateCeiling(rows[0]!.n, LIMITS.projectFile.maxInflatedBytes);
  }
}

/** How errors name a room of the database (in place of a file's path). */
function where(room: string): string {
  return `room ${room} (PostgreSQL)`;
}

function checkRoomName(room: string): void {
  if (typeof room !== 'string' || !ROOM_NAME.test(room)) throw new StoreInputError(`invalid room name: ${JSON.stringify(room)}`);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A copy as a plain Uint8Array, like the SQLite store's (pg hands out Buffers over shared memory). */
function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer);
}
