/**
 * The one definition of a room log's SQLite schema (a project file is a room log): RoomLog creates
 * files from it, and every open checks a file against it (log-check.ts) before reading a row.
 *
 * A file must hold exactly these tables, with exactly these definitions, and nothing else: no
 * trigger, view, index, virtual table or extra table. Anything SQLite runs by itself when we read
 * or write (a trigger deleting history on every append, a view, a generated column) can only come
 * from the schema, so a file whose schema is ours runs nothing but our own statements.
 *
 * Adding a table: one line in ADDED_OBJECTS. Files written before it lack it and still open (the
 * check accepts its absence); RoomLog creates it once a file has passed the checks. A release that
 * checks schemas and predates the table refuses a file that has it (it would not keep it): from the
 * next table on, bump LOG_VERSION with it so that such a release says "made by a newer Riffroom".
 * (room_rules came in the same release as the checks, so no earlier checking release exists.)
 */
import { DatabaseSync } from 'node:sqlite';

/** Identifies the file as ours, and the layout version a reader must understand. */
export const LOG_FORMAT = 'riffroom-room-log';
export const LOG_VERSION = 1;

export interface SchemaObject {
  /** The table's (or index's) name, as in sqlite_master. */
  readonly name: string;
  /** Its CREATE statement, as SQLite stores it in sqlite_master (without IF NOT EXISTS). */
  readonly sql: string;
}

/** Every room log has had these since version 1: a file without one of them is incomplete. */
export const ORIGINAL_OBJECTS: readonly SchemaObject[] = [
  { name: 'log_meta', sql: 'CREATE TABLE log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID' },
  { name: 'authors', sql: 'CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)' },
  { name: 'labels', sql: 'CREATE TABLE labels (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)' },
  {
    name: 'entries',
    sql: 'CREATE TABLE entries (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, author_id INTEGER NOT NULL, label_id INTEGER NOT NULL, "update" BLOB NOT NULL, hash BLOB NOT NULL, concurrent INTEGER NOT NULL)',
  },
  { name: 'snapshots', sql: 'CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, state BLOB NOT NULL)' },
  { name: 'room_state', sql: 'CREATE TABLE room_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, state BLOB NOT NULL)' },
  {
    name: 'bookmarks',
    sql: 'CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, author TEXT NOT NULL, time INTEGER NOT NULL)',
  },
];

/**
 * Tables (or indexes) added after version 1, oldest first. A file may predate any of them; it gets them
 * (CREATE TABLE IF NOT EXISTS) when it is opened for writing, after its checks passed.
 */
export const ADDED_OBJECTS: readonly SchemaObject[] = [
  // The teacher's rules in force (room-log.ts saveRules): one row, set by an entry of the log.
  {
    name: 'room_rules',
    sql: 'CREATE TABLE room_rules (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, rules TEXT NOT NULL, author TEXT NOT NULL, time INTEGER NOT NULL)',
  },
];

export interface LogSchema {
  original: readonly SchemaObject[];
  added: readonly SchemaObject[];
}

/** The schema files are created with and checked against (tests build variants of it). */
export const LOG_SCHEMA: LogSchema = { original: ORIGINAL_OBJECTS, added: ADDED_OBJECTS };

/** What SQLite records for one schema object (a row of sqlite_master). */
export interface CatalogRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** One column as PRAGMA table_xinfo describes it (hidden > 0: a generated or virtual column). */
export interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

/** The schema as SQLite itself records it: made once in memory from LOG_SCHEMA, never written by hand. */
export interface ExpectedCatalog {
  /** Every sqlite_master row a complete log has, by name (tables and their automatic indexes). */
  rows: Map<string, CatalogRow>;
  /** Columns of each table. */
  columns: Map<string, ColumnInfo[]>;
  /** Objects a file may lack (the added ones), with their automatic indexes. */
  optional: Set<string>;
}

const catalogs = new WeakMap<LogSchema, ExpectedCatalog>();

export function expectedCatalog(schema: LogSchema = LOG_SCHEMA): ExpectedCatalog {
  const cached = catalogs.get(schema);
  if (cached) return cached;
  const db = new DatabaseSync(':memory:');
  try {
    for (const object of [...schema.original, ...schema.added]) db.exec(object.sql);
    const rows = new Map<string, CatalogRow>();
    for (const row of readCatalog(db)) rows.set(row.name, row);
    const columns = new Map<string, ColumnInfo[]>();
    for (const row of rows.values()) if (row.type === 'table') columns.set(row.name, readColumns(db, row.name));
    // What the original objects alone make (their automatic indexes included): the rest may be missing.
    for (const object of [...schema.added].reverse()) db.exec(`DROP ${rows.get(object.name)!.type.toUpperCase()} IF EXISTS ${object.name}`);
    const original = new Set(readCatalog(db).map((r) => r.name));
    const optional = new Set([...rows.keys()].filter((name) => !original.has(name)));
    const expected = { rows, columns, optional };
    catalogs.set(schema, expected);
    return expected;
  } finally {
    db.close();
  }
}

export function readCatalog(db: DatabaseSync): CatalogRow[] {
  return (db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid').all() as unknown as CatalogRow[]).map((r) => ({
    ...r,
  }));
}

export function readColumns(db: DatabaseSync, table: string): ColumnInfo[] {
  return (
    db.prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)').all(table) as unknown as ColumnInfo[]
  ).map((c) => ({ ...c }));
}

/**
 * The same statement up to whitespace: files written by older code hold our CREATE statements
 * laid out on several lines. Only whitespace is folded (runs to one space, none beside brackets
 * and commas), which never changes what SQL means outside quotes, and our statements quote no
 * text with spaces in it.
 */
export function normalizeSql(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/ ?([(),]) ?/g, '$1')
    .trim();
}

/** Creates whatever of the schema is missing (all of it in a new file) and stamps the format. */
export function createMissingObjects(db: DatabaseSync, schema: LogSchema = LOG_SCHEMA): void {
  for (const object of [...schema.original, ...schema.added])
    db.exec(object.sql.replace(/^CREATE (TABLE|INDEX|UNIQUE INDEX) /, 'CREATE $1 IF NOT EXISTS '));
  db.prepare('INSERT OR IGNORE INTO log_meta (key, value) VALUES (?, ?), (?, ?)').run('format', LOG_FORMAT, 'version', String(LOG_VERSION));
}
