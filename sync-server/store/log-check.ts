/**
 * Everything a log file must pass before anything reads it for use or writes to it: it is ours
 * (log_meta), of a version we read, with exactly our schema (log-schema.ts: no trigger, view,
 * index, extra table or foreign definition), undamaged (quick_check), every stored value of the
 * right type and within its bound (LIMITS.projectFile: updates, texts, and states and snapshots
 * that must inflate within the ceiling), and — when asked — its whole hash chain intact.
 *
 * The order matters: the schema is checked before a single row is read, so no definition in the
 * file (a generated column, a trigger) can act while we look; rows are read only from tables whose
 * definitions are exactly ours.
 */
import type { DatabaseSync } from 'node:sqlite';
import { LIMITS } from '../limits.ts';
import { RoomLogError } from './log-error.ts';
import {
  expectedCatalog,
  LOG_FORMAT,
  LOG_SCHEMA,
  LOG_VERSION,
  normalizeSql,
  readCatalog,
  readColumns,
  type CatalogRow,
  type ColumnInfo,
  type ExpectedCatalog,
  type LogSchema,
} from './log-schema.ts';
import { formatBytes, inflateBounded, stateCeiling } from './bounded-inflate.ts';
import { walkChain } from './log-chain.ts';
import { openForChecking } from './sqlite-open.ts';

export interface LogSummary {
  /** The log layout version the file was written with. */
  version: number;
  /** Newest entry (0 when there is none). */
  lastSeq: number;
  entries: number;
  /** Time of the newest entry (ms since the epoch), null when there is none. */
  lastEditTime: number | null;
}

export interface CheckOptions {
  /** Walk the whole hash chain too (every entry is read and hashed). */
  history: boolean;
  /** The bounds (tests pass smaller ones). */
  limits?: LogBounds;
  /** The schema to hold the file to (tests pass one with a table added since). */
  schema?: LogSchema;
}

export interface LogBounds {
  maxUpdateBytes: number;
  maxInflatedBytes: number;
  maxTextChars: number;
}

/** Opens `path` through a connection that writes nothing, checks it and closes it. */
export function checkLogFile(path: string, options: CheckOptions): LogSummary {
  let db: DatabaseSync;
  try {
    db = openForChecking(path);
  } catch (err) {
    throw new RoomLogError(path, 'cannot-open', `SQLite cannot open it (${(err as Error).message})`);
  }
  try {
    return checkLog(db, path, options);
  } finally {
    db.close();
  }
}

/** Checks an open connection to `path` (named in errors). Throws RoomLogError. */
export function checkLog(db: DatabaseSync, path: string, options: CheckOptions): LogSummary {
  const limits = options.limits ?? LIMITS.projectFile;
  const expected = expectedCatalog(options.schema ?? LOG_SCHEMA);
  try {
    const catalog = readCatalog(db);
    const version = checkIdentity(db, path, catalog, expected);
    checkSchema(db, path, catalog, expected);
    checkIntegrity(db, path);
    const summary = checkEntries(db, path, limits);
    checkTexts(db, path, limits);
    checkStates(db, path, summary.lastSeq, limits);
    if (options.history) {
      const broken = walkChain(db);
      if (broken) throw new RoomLogError(path, 'history-broken', `its history is damaged at entry ${broken.brokenAt}: ${broken.reason}`);
    }
    return { version, ...summary };
  } catch (err) {
    throw asLogError(path, err);
  }
}

/** SQLite's own errors, worded for a person. */
export function asLogError(path: string, err: unknown): RoomLogError {
  if (err instanceof RoomLogError) return err;
  const message = (err as Error)?.message ?? String(err);
  if (/not a database|file is encrypted/i.test(message))
    return new RoomLogError(path, 'not-sqlite', 'it is not a Riffroom project (not an SQLite database file)');
  return new RoomLogError(path, 'damaged', `the file is damaged (${message})`);
}

/** log_meta says the file is a Riffroom log of a version we read; returns that version. */
function checkIdentity(db: DatabaseSync, path: string, catalog: CatalogRow[], expected: ExpectedCatalog): number {
  const meta = catalog.find((row) => row.name === 'log_meta');
  if (meta?.type !== 'table') throw new RoomLogError(path, 'not-riffroom', 'it is not a Riffroom project (no log_meta table)');
  // Read it only when it is a plain table of our two plain columns: even a SELECT would compute
  // a generated column, and a virtual table runs its module's code.
  const columns = readColumns(db, 'log_meta');
  const wanted = expected.columns.get('log_meta')!;
  const plain =
    /^CREATE TABLE /i.test(meta.sql ?? '') &&
    columns.length === wanted.length &&
    columns.every((c, i) => c.name === wanted[i]!.name && c.type === wanted[i]!.type && c.hidden === 0);
  if (!plain) throw new RoomLogError(path, 'not-riffroom', 'it is not a Riffroom project (its log_meta table is not Riffroom’s)');
  const values = Object.fromEntries(
    (db.prepare('SELECT key, value FROM log_meta').all() as { key: unknown; value: unknown }[]).map((r) => [
      String(r.key),
      String(r.value),
    ]),
  );
  if (values.format !== LOG_FORMAT) {
    throw new RoomLogError(
      path,
      'not-riffroom',
      `it is not a Riffroom project (format ${JSON.stringify((values.format ?? 'none').slice(0, 64))})`,
    );
  }
  const version = Number(values.version);
  if (!Number.isInteger(version) || version < 1) {
    throw new RoomLogError(path, 'damaged', `its format version ${JSON.stringify(String(values.version).slice(0, 32))} is not readable`);
  }
  if (version > LOG_VERSION) {
    throw new RoomLogError(
      path,
      'newer-version',
      `it was saved by a newer Riffroom (project format ${version}; this app reads up to ${LOG_VERSION}). Update Riffroom to open it`,
    );
  }
  return version;
}

/** Exactly our schema: nothing more (in any form), nothing missing but newer tables, no definition changed. */
function checkSchema(db: DatabaseSync, path: string, catalog: CatalogRow[], expected: ExpectedCatalog): void {
  for (const row of catalog) {
    const known = expected.rows.get(row.name);
    if (!known || known.type !== row.type || known.tbl_name !== row.tbl_name) {
      throw new RoomLogError(path, 'unexpected-schema', `it holds ${describeObject(row)}, which no Riffroom project has`);
    }
  }
  const present = new Set(catalog.map((row) => row.name));
  const missing = [...expected.rows.values()]
    .filter((row) => row.type === 'table' && !expected.optional.has(row.name) && !present.has(row.name))
    .map((row) => row.name);
  if (missing.length)
    throw new RoomLogError(
      path,
      'missing-tables',
      `the project is incomplete: missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );
  for (const row of catalog) {
    const known = expected.rows.get(row.name)!;
    const same = row.sql === null || known.sql === null ? row.sql === known.sql : normalizeSql(row.sql) === normalizeSql(known.sql);
    if (!same) {
      const difference =
        row.type === 'table'
          ? tableDifference(row, readColumns(db, row.name), expected.columns.get(row.name)!)
          : `its index ${shown(row.name)} is defined differently`;
      throw new RoomLogError(path, 'unexpected-schema', `it does not have Riffroom’s layout: ${difference}`);
    }
  }
}

function describeObject(row: CatalogRow): string {
  switch (row.type) {
    case 'trigger':
      return `a trigger ${shown(row.name)} on table ${shown(row.tbl_name)}`;
    case 'view':
      return `a view ${shown(row.name)}`;
    case 'index':
      return `an index ${shown(row.name)} on table ${shown(row.tbl_name)}`;
    case 'table':
      return /^CREATE VIRTUAL TABLE/i.test(row.sql ?? '') ? `a virtual table ${shown(row.name)}` : `a table ${shown(row.name)}`;
    default:
      return `a schema object ${shown(row.name)} (${shown(row.type)})`;
  }
}

/** The first way a table's definition differs from ours, as precisely as its columns tell. */
function tableDifference(row: CatalogRow, found: ColumnInfo[], wanted: ColumnInfo[]): string {
  const table = row.name;
  const generated = found.find((c) => c.hidden !== 0);
  if (generated) return `column ${table}.${generated.name} is generated or hidden`;
  const byName = new Map(found.map((c) => [c.name, c]));
  for (const want of wanted) {
    const column = byName.get(want.name);
    if (!column) return `table ${table} lacks its column ${want.name}`;
    if (column.type !== want.type)
      return `column ${table}.${want.name} is declared ${column.type ? shown(column.type) : 'without a type'}, not ${want.type}`;
    if (column.notnull !== want.notnull || column.pk !== want.pk || column.dflt_value !== want.dflt_value) {
      return `column ${table}.${want.name} has other constraints or a default`;
    }
  }
  const extra = found.find((c) => !wanted.some((w) => w.name === c.name));
  if (extra) return `table ${table} has a column ${shown(extra.name)} that Riffroom’s does not`;
  if (found.some((c, i) => c.name !== wanted[i]!.name)) return `table ${table} has its columns in another order`;
  return `table ${table} is defined differently (${shown((row.sql ?? '').slice(0, 200))})`;
}

function checkIntegrity(db: DatabaseSync, path: string): void {
  const rows = db.prepare('PRAGMA quick_check(3)').all() as { quick_check: string }[];
  if (rows.length !== 1 || rows[0]!.quick_check !== 'ok') {
    throw new RoomLogError(path, 'damaged', `the file is damaged (${rows.map((r) => r.quick_check).join('; ')})`);
  }
}

/** Every entry's values have their types and bounds, and name an author and a label that exist. */
function checkEntries(db: DatabaseSync, path: string, limits: LogBounds): Omit<LogSummary, 'version'> {
  // typeof and length read a value's header only, not its bytes: one pass over the rows is cheap.
  const bad = db
    .prepare(
      `SELECT seq, typeof("update") AS updateType, length("update") AS bytes FROM entries
     WHERE seq < 1 OR typeof(time) != 'integer' OR typeof(author_id) != 'integer' OR typeof(label_id) != 'integer'
        OR typeof("update") != 'blob' OR length("update") > ? OR typeof(hash) != 'blob' OR length(hash) != 16
        OR typeof(concurrent) != 'integer' OR concurrent NOT IN (0, 1)
     ORDER BY seq LIMIT 1`,
    )
    .get(limits.maxUpdateBytes) as { seq: number; updateType: string; bytes: number } | undefined;
  if (bad) {
    if (bad.updateType === 'blob' && bad.bytes > limits.maxUpdateBytes) {
      throw new RoomLogError(
        path,
        'too-large',
        `entry ${bad.seq} holds an update of ${formatBytes(bad.bytes)}, over the ${formatBytes(limits.maxUpdateBytes)} a Riffroom project stores per edit`,
      );
    }
    throw new RoomLogError(path, 'damaged', `entry ${bad.seq} has a value of the wrong type`);
  }
  const dangling = db
    .prepare(
      'SELECT seq FROM entries WHERE author_id NOT IN (SELECT id FROM authors) OR label_id NOT IN (SELECT id FROM labels) ORDER BY seq LIMIT 1',
    )
    .get() as { seq: number } | undefined;
  if (dangling) throw new RoomLogError(path, 'damaged', `entry ${dangling.seq} names an author or a label the file does not have`);
  const stats = db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS last, max(time) AS time FROM entries').get() as {
    n: number;
    last: number;
    time: number | null;
  };
  return { lastSeq: stats.last, entries: stats.n, lastEditTime: stats.time };
}

/** Authors, labels and bookmarks: text, of a length Riffroom writes. */
function checkTexts(db: DatabaseSync, path: string, limits: LogBounds): void {
  const bad = db
    .prepare(
      `SELECT 'author' AS kind, id, typeof(name) AS type, length(name) AS chars FROM authors WHERE typeof(name) != 'text' OR length(name) > :max
     UNION ALL SELECT 'label', id, typeof(text), length(text) FROM labels WHERE typeof(text) != 'text' OR length(text) > :max
     UNION ALL SELECT 'bookmark name', id, typeof(name), length(name) FROM bookmarks WHERE typeof(name) != 'text' OR length(name) > :max
     UNION ALL SELECT 'bookmark author', id, typeof(author), length(author) FROM bookmarks WHERE typeof(author) != 'text' OR length(author) > :max
     UNION ALL SELECT 'bookmark', id, 'text', 0 FROM bookmarks WHERE typeof(seq) != 'integer' OR typeof(time) != 'integer'
     LIMIT 1`,
    )
    .get({ max: limits.maxTextChars }) as { kind: string; id: number; type: string; chars: number } | undefined;
  if (!bad) return;
  if (bad.type === 'text' && bad.chars > limits.maxTextChars) {
    throw new RoomLogError(
      path,
      'too-large',
      `a ${bad.kind} (#${bad.id}) is ${bad.chars} characters long, over the ${limits.maxTextChars} a Riffroom project stores`,
    );
  }
  throw new RoomLogError(path, 'damaged', `a ${bad.kind} (#${bad.id}) has a value of the wrong type`);
}

/**
 * The room state and every snapshot: at a seq the log has, and inflating within the ceiling.
 * Each is inflated once and dropped (one state in memory at a time), within its ceiling: the
 * floor, or more for a room whose updates add up to more (bounded-inflate.ts stateCeiling).
 */
function checkStates(db: DatabaseSync, path: string, lastSeq: number, limits: LogBounds): void {
  const sources = [
    { what: 'room state', sql: 'SELECT seq, state FROM room_state', minSeq: 0 },
    { what: 'snapshot', sql: 'SELECT seq, state FROM snapshots ORDER BY seq', minSeq: 1 },
  ];
  const updateBytesUpTo = db.prepare('SELECT coalesce(sum(length("update")), 0) AS n FROM entries WHERE seq <= ?');
  for (const { what, sql, minSeq } of sources) {
    for (const row of db.prepare(sql).iterate() as Iterable<{ seq: unknown; state: unknown }>) {
      const label = typeof row.seq === 'number' ? `${what} at entry ${row.seq}` : what;
      if (typeof row.seq !== 'number' || !Number.isInteger(row.seq) || row.seq < minSeq || row.seq > lastSeq) {
        throw new RoomLogError(path, 'damaged', `its ${label} is past the log’s last entry (${lastSeq}) or not an entry number`);
      }
      if (!(row.state instanceof Uint8Array)) throw new RoomLogError(path, 'damaged', `its ${label} has a value of the wrong type`);
      const madeOf = Number((updateBytesUpTo.get(row.seq) as { n: number }).n);
      inflateBounded(row.state, stateCeiling(madeOf, limits.maxInflatedBytes), path, label);
    }
  }
}

/** A name from the file, quoted and cut short, safe to put in a message. */
function shown(name: string): string {
  return JSON.stringify(String(name).slice(0, 64));
}
