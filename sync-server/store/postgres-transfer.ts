/**
 * The PostgreSQL side of a transfer (log-transfer.ts): a room of the shared database read as a
 * HistorySource (export), and a new room written as a HistorySink (import). With the SQLite side
 * (sqlite-transfer.ts) this moves a project between a desktop or one-node server and a cluster,
 * history included, hash for hash.
 *
 * Source: one connection of the pool held for the whole export, in one REPEATABLE READ, READ ONLY
 * transaction: every page, the bookmarks, the rules and the states come from the same snapshot of
 * the database, so an owner appending meanwhile (on this node or another) is read as it was when
 * the export began, whole entries only. Reading needs no lease: any node may export any room.
 *
 * Sink: one connection, one transaction from the first row to commit(). Its first statement
 * inserts the room's row (rooms.room is the primary key), which is the claim on the name: a room
 * that exists is refused at once (TransferTargetError 'exists'), and a node that opens the same
 * name meanwhile waits on that row until the import commits (it then serves the imported log) or
 * rolls back (it then creates an empty room). Nobody sees any of it before commit(). The sink
 * computes the chain itself from the genesis hash (log-chain.ts), and transferHistory compares
 * every hash with the source's. The room gets no lease here: the first node to open it takes one.
 */
import type pg from 'pg';
import { ROOM_NAME } from '../contract.ts';
import { entryHash, GENESIS_HASH } from './log-chain.ts';
import { RoomLogError } from './log-error.ts';
import type { Bookmark, ChainedEntry, PackedState, StoredRules } from './room-log.ts';
import type { HistorySink, HistorySource } from './log-transfer.ts';
import { TransferTargetError } from './sqlite-transfer.ts';
import { SELECT_ENTRY_SIZES, SELECT_RULES, storedRulesOf, type RulesRow } from './postgres-schema.ts';
import type { EntryRow } from './postgres-schema.ts';
import { pageEnd } from './page-end.ts';
import { StoreInputError } from './store-input.ts';

/** Columns of one entry row after the room (seq, time, author, label, update, hash, concurrent). */
const ENTRY_COLUMNS = 7;
/** Rows per INSERT: well under PostgreSQL's 65,535 parameters per statement. */
const ROWS_PER_INSERT = 1000;

/** How errors name a room of the database (as postgres-store.ts does). */
function where(room: string): string {
  return `room ${room} (PostgreSQL)`;
}

function checkRoomName(room: string): void {
  if (typeof room !== 'string' || !ROOM_NAME.test(room)) throw new StoreInputError(`invalid room name: ${JSON.stringify(room)}`);
}

/** Ends the transaction (when one is open) and gives the connection back; a broken one is dropped. */
async function finish(client: pg.PoolClient, statement: 'COMMIT' | 'ROLLBACK'): Promise<void> {
  try {
    await client.query(statement);
    client.release();
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
}

export class PostgresRoomSource implements HistorySource {
  readonly name: string;
  readonly lastSeq: number;
  private readonly room: string;
  private client: pg.PoolClient | null;

  private constructor(client: pg.PoolClient, room: string, lastSeq: number) {
    this.client = client;
    this.room = room;
    this.name = where(room);
    this.lastSeq = lastSeq;
  }

  /** Opens `room` for export: RoomLogError 'missing' when the database has no such room. */
  static async open(pool: pg.Pool, room: string): Promise<PostgresRoomSource> {
    checkRoomName(room);
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const exists = await client.query('SELECT 1 FROM rooms WHERE room = $1', [room]);
      if (exists.rowCount !== 1) throw new RoomLogError(where(room), 'missing', 'there is no such room in the database');
      const { rows } = await client.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM entries WHERE room = $1', [room]);
      return new PostgresRoomSource(client, room, rows[0]?.seq ?? 0);
    } catch (err) {
      await finish(client, 'ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async entries(after: number, maxBytes: number, maxEntries: number): Promise<ChainedEntry[]> {
    const client = this.open();
    // Sizes first (octet_length reads a value's header, not the value), then the rows that fit.
    const sizes = await client.query<{ seq: number; bytes: number }>(SELECT_ENTRY_SIZES, [this.room, after, this.lastSeq, maxEntries]);
    const last = pageEnd(sizes.rows, maxBytes);
    if (last === null) return [];
    const { rows } = await client.query<Required<EntryRow>>(
      'SELECT seq, time, author, label, "update", concurrent, hash FROM entries WHERE room = $1 AND seq > $2 AND seq <= $3 ORDER BY seq',
      [this.room, after, last],
    );
    return rows.map((row) => ({
      seq: row.seq,
      time: row.time,
      author: row.author,
      label: row.label,
      update: new Uint8Array(row.update),
      concurrent: row.concurrent,
      hash: new Uint8Array(row.hash),
    }));
  }

  async bookmarks(): Promise<Bookmark[]> {
    const { rows } = await this.open().query<Bookmark>('SELECT seq, name, author, time FROM bookmarks WHERE room = $1 ORDER BY seq, id', [
      this.room,
    ]);
    return rows.map((row) => ({ seq: row.seq, name: row.name, author: row.author, time: row.time }));
  }

  async rules(): Promise<StoredRules | null> {
    const { rows } = await this.open().query<RulesRow>(SELECT_RULES, [this.room]);
    return storedRulesOf(rows, this.name);
  }

  async *states(): AsyncIterable<PackedState> {
    const client = this.open();
    // One snapshot per query: a room's snapshots together may be far more than one page.
    const { rows: seqs } = await client.query<{ seq: number }>('SELECT seq FROM snapshots WHERE room = $1 ORDER BY seq', [this.room]);
    for (const { seq } of seqs) {
      const { rows } = await client.query<{ state: Buffer }>('SELECT state FROM snapshots WHERE room = $1 AND seq = $2', [this.room, seq]);
      if (rows[0]) yield { kind: 'snapshot', seq, packed: new Uint8Array(rows[0].state) };
    }
    const { rows } = await client.query<{ seq: number; state: Buffer }>('SELECT seq, state FROM room_state WHERE room = $1', [this.room]);
    if (rows[0]) yield { kind: 'room', seq: rows[0].seq, packed: new Uint8Array(rows[0].state) };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await finish(client, 'ROLLBACK');
  }

  private open(): pg.PoolClient {
    if (!this.client) throw new Error(`${this.name}: the export is over`);
    return this.client;
  }
}

export class PostgresRoomSink implements HistorySink {
  readonly room: string;
  private client: pg.PoolClient | null;
  private lastSeq = 0;
  private lastHash: Uint8Array = GENESIS_HASH;

  private constructor(client: pg.PoolClient, room: string) {
    this.client = client;
    this.room = room;
  }

  /**
   * Begins writing `room` as a new room: TransferTargetError('exists') at once when the database
   * has it already (nothing is ever imported over a room).
   */
  static async begin(pool: pg.Pool, room: string): Promise<PostgresRoomSink> {
    checkRoomName(room);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const claimed = await client.query('INSERT INTO rooms (room) VALUES ($1) ON CONFLICT (room) DO NOTHING', [room]);
      if (claimed.rowCount !== 1) throw new TransferTargetError(where(room), 'exists', `a room named ${room} already exists`);
      return new PostgresRoomSink(client, room);
    } catch (err) {
      await finish(client, 'ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async append(entries: readonly ChainedEntry[]): Promise<Uint8Array[]> {
    const client = this.open();
    const hashes: Uint8Array[] = [];
    for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
      const chunk = entries.slice(start, start + ROWS_PER_INSERT);
      const params: unknown[] = [this.room];
      const rows = chunk.map((entry, i) => {
        // Our own chain from the genesis hash; the seqs must follow on with no gap.
        const seq = this.lastSeq + 1;
        if (entry.seq !== seq) throw new RoomLogError(where(this.room), 'history-broken', `entry ${seq} is missing`);
        const hash = entryHash(this.lastHash, seq, entry.time, entry.author, entry.label, entry.update);
        this.lastSeq = seq;
        this.lastHash = hash;
        hashes.push(hash);
        params.push(seq, entry.time, entry.author, entry.label, entry.update, hash, entry.concurrent ?? false);
        const base = 1 + i * ENTRY_COLUMNS;
        return `($${base + 1}::bigint, $${base + 2}::bigint, $${base + 3}::text, $${base + 4}::text, $${base + 5}::bytea, $${base + 6}::bytea, $${base + 7}::boolean)`;
      });
      await client.query(
        `INSERT INTO entries (room, seq, time, author, label, "update", hash, concurrent)
         SELECT $1, v.seq, v.time, v.author, v.label, v.upd, v.hash, v.concurrent
         FROM (VALUES ${rows.join(', ')}) AS v (seq, time, author, label, upd, hash, concurrent)`,
        params,
      );
    }
    return hashes;
  }

  async addBookmarks(bookmarks: readonly Bookmark[]): Promise<void> {
    const client = this.open();
    for (const bookmark of bookmarks) {
      this.checkSeq(bookmark.seq, 'a bookmark names');
      await client.query('INSERT INTO bookmarks (room, seq, name, author, time) VALUES ($1, $2, $3, $4, $5)', [
        this.room,
        bookmark.seq,
        bookmark.name,
        bookmark.author,
        bookmark.time,
      ]);
    }
  }

  async keepRules(rules: StoredRules): Promise<void> {
    this.checkSeq(rules.seq, 'the rules were set by');
    await this.open().query('INSERT INTO room_rules (room, seq, rules, author, time) VALUES ($1, $2, $3, $4, $5)', [
      this.room,
      rules.seq,
      JSON.stringify(rules.rules),
      rules.author,
      rules.time,
    ]);
  }

  async saveState(state: PackedState): Promise<void> {
    // A state of the empty log (seq 0: a desktop project saved before its first edit) is the
    // empty document: the database keeps states only at entries (a foreign key), and rebuilding
    // from nothing gives the same document.
    if (state.seq === 0) return;
    this.checkSeq(state.seq, state.kind === 'room' ? 'a room state is at' : 'a snapshot is at');
    // The bytes as the other store packed them: both deflate-raw the same encodings.
    if (state.kind === 'room') {
      await this.open().query(
        'INSERT INTO room_state (room, seq, state) VALUES ($1, $2, $3) ON CONFLICT (room) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state',
        [this.room, state.seq, state.packed],
      );
    } else {
      await this.open().query(
        'INSERT INTO snapshots (room, seq, state) VALUES ($1, $2, $3) ON CONFLICT (room, seq) DO UPDATE SET state = EXCLUDED.state',
        [this.room, state.seq, state.packed],
      );
    }
  }

  async commit(): Promise<void> {
    const client = this.open();
    this.client = null;
    await finish(client, 'COMMIT');
  }

  async abort(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await finish(client, 'ROLLBACK').catch(() => undefined);
  }

  private checkSeq(seq: number, what: string): void {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.lastSeq) {
      throw new RoomLogError(where(this.room), 'damaged', `${what} entry ${seq}, which the log does not have`);
    }
  }

  private open(): pg.PoolClient {
    if (!this.client) throw new Error(`${where(this.room)}: the import is over`);
    return this.client;
  }
}
