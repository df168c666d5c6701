/**
 * The PostgreSQL store's connection pool and schema. The schema is made by the store itself on
 * first use, one numbered migration at a time, recorded in riffroom_migrations; nodes starting
 * together take a transaction-scoped advisory lock, so exactly one of them applies each migration
 * and the others find it done. A database migrated by a newer Riffroom is refused, not written.
 *
 * What the tables guarantee on their own, whatever code writes to them:
 * - entries: primary key (room, seq), seq from 1, and a foreign key from each entry to the one
 *   before it (prev_seq, generated as seq - 1): a duplicate seq, a gap, or removing an entry from
 *   the middle of a log is refused by the database itself.
 * - snapshots, room_state, bookmarks and room_rules name an entry that exists.
 * - room_leases rows are never deleted: a room's epoch only ever grows (room-lease.ts).
 */
import pg from 'pg';
import { RoomLogError } from './log-error.ts';
import type { StoredRules } from './room-log.ts';

/** Migrations, oldest first; never edit one that has shipped, add the next. */
const MIGRATIONS: readonly string[] = [
  // 1: rooms' logs, their states, bookmarks, rules, and the rooms' leases.
  `CREATE TABLE rooms (
     room text PRIMARY KEY,
     created_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE entries (
     room text NOT NULL,
     seq bigint NOT NULL CHECK (seq >= 1),
     prev_seq bigint GENERATED ALWAYS AS (CASE WHEN seq > 1 THEN seq - 1 END) STORED,
     time bigint NOT NULL CHECK (time >= 0),
     author text NOT NULL,
     label text NOT NULL,
     "update" bytea NOT NULL,
     hash bytea NOT NULL CHECK (octet_length(hash) = 16),
     concurrent boolean NOT NULL,
     PRIMARY KEY (room, seq),
     FOREIGN KEY (room, prev_seq) REFERENCES entries (room, seq)
   );
   CREATE TABLE snapshots (
     room text NOT NULL,
     seq bigint NOT NULL,
     state bytea NOT NULL,
     PRIMARY KEY (room, seq),
     FOREIGN KEY (room, seq) REFERENCES entries (room, seq)
   );
   CREATE TABLE room_state (
     room text PRIMARY KEY,
     seq bigint NOT NULL,
     state bytea NOT NULL,
     FOREIGN KEY (room, seq) REFERENCES entries (room, seq)
   );
   CREATE TABLE bookmarks (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     room text NOT NULL,
     seq bigint NOT NULL,
     name text NOT NULL,
     author text NOT NULL,
     time bigint NOT NULL,
     FOREIGN KEY (room, seq) REFERENCES entries (room, seq)
   );
   CREATE INDEX bookmarks_by_room ON bookmarks (room, seq, id);
   CREATE TABLE room_rules (
     room text PRIMARY KEY,
     seq bigint NOT NULL,
     rules text NOT NULL,
     author text NOT NULL,
     time bigint NOT NULL,
     FOREIGN KEY (room, seq) REFERENCES entries (room, seq)
   );
   CREATE TABLE room_leases (
     room text PRIMARY KEY,
     node text NOT NULL,
     epoch bigint NOT NULL CHECK (epoch >= 1),
     expires_at timestamptz NOT NULL
   );
   -- States are deflated already: PostgreSQL's own compression would only spend CPU on them.
   ALTER TABLE snapshots ALTER COLUMN state SET STORAGE EXTERNAL;
   ALTER TABLE room_state ALTER COLUMN state SET STORAGE EXTERNAL;`,
  // 2: the jam channel's transport (tempo, loop, playing, anchor) as the room's owner node last
  // set it, so a node that takes the room over continues the same beat timeline
  // (store/cluster-store.ts). Not an entry: it changes with every play and stop, and is no
  // part of the song's history.
  `CREATE TABLE room_transport (
     room text PRIMARY KEY REFERENCES rooms (room),
     state text NOT NULL,
     time bigint NOT NULL
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Any 64-bit number of our own: the advisory lock migrations take. */
const MIGRATION_LOCK = 0x5269_6666_726f_6f6dn; // "Riffroom"

export class PostgresSchemaError extends Error {
  override name = 'PostgresSchemaError';
}

/**
 * A pool whose bigint columns (seq, time, epoch) come back as numbers: each is well under 2^53
 * (a seq, milliseconds since 1970), and one past that is refused rather than rounded.
 */
export function createPool(connectionString: string, options: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'riffroom-server',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? parseSafeInteger : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  // An idle connection that breaks (the database restarted) is reported here; without a
  // listener the pool would throw it as an uncaught error and end the process. The pool makes
  // a new connection for the next query.
  pool.on('error', (err) => console.error(`postgres: an idle connection failed (it is replaced): ${err.message}`));
  return pool;
}

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new PostgresSchemaError(`a stored integer (${text}) is beyond what the store reads exactly`);
  return value;
}

/** Brings the database's schema up to SCHEMA_VERSION (idempotent; safe from many nodes at once). */
export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS riffroom_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM riffroom_migrations');
      const current = rows[0]?.version ?? 0;
      if (current > SCHEMA_VERSION) {
        throw new PostgresSchemaError(
          `the database's Riffroom schema is version ${current}, made by a newer Riffroom (this one knows up to ${SCHEMA_VERSION})`,
        );
      }
      for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
        await client.query(MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO riffroom_migrations (version) VALUES ($1)', [version]);
      }
      await client.query('COMMIT');
      return SCHEMA_VERSION;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/** A room's teacher rules as room_rules keeps them (the rules as JSON text). */
export const SELECT_RULES = 'SELECT seq, rules, author, time FROM room_rules WHERE room = $1';
export type RulesRow = { seq: number; rules: string; author: string; time: number };

/**
 * The stored rules of SELECT_RULES's answer, or null when the room has none. Damaged JSON is a
 * RoomLogError naming `where` (the store and the export read them alike).
 */
export function storedRulesOf(rows: readonly RulesRow[], where: string): StoredRules | null {
  const row = rows[0];
  if (!row) return null;
  try {
    return { seq: row.seq, rules: JSON.parse(row.rules), author: row.author, time: row.time };
  } catch {
    throw new RoomLogError(where, 'damaged', 'the stored room rules are damaged');
  }
}

/**
 * A page of entries by size, in two steps (the store's updatePage and the export's pages read
 * alike): SELECT_ENTRY_SIZES (octet_length reads a stored value's header, not the value), then
 * pageEnd (page-end.ts) picks the last entry that keeps the page within `maxBytes` (at least one), and the
 * caller reads the rows up to it.
 */
export const SELECT_ENTRY_SIZES =
  'SELECT seq, octet_length("update") AS bytes FROM entries WHERE room = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4';

/** An entry as both stores read it from the entries table (hash only when asked for). */
export interface EntryRow {
  seq: number;
  time: number;
  author: string;
  label: string;
  update: Buffer;
  concurrent: boolean;
  hash?: Buffer;
}
