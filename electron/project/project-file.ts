/**
 * Project files. A project file (`<name>.riffroom`) IS a room's checkpoint log: the SQLite store
 * the sync server writes (sync-server/store/room-log.ts), so a saved project keeps its whole
 * history and autosave is inherent (every edit is appended as it arrives). The session host serves
 * the open project as its room; its room name comes from the file name (roomNameFor), the same
 * mapping the server uses for `<data>/rooms/<room>.riffroom`.
 *
 * Opening checks the file without writing to it: a file that is not SQLite, is truncated or
 * damaged, lacks the log's tables, or was written by a newer Riffroom is refused with a
 * ProjectFileError naming the file and the reason, and its bytes stay exactly as they were (it is
 * read through SQLite's immutable mode, so not even a -wal/-shm file appears beside it).
 *
 * Plain Node: used by the Electron main process and the session host, tested under Node.
 */
import { DatabaseSync } from 'node:sqlite';
import { accessSync, closeSync, constants, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ROOM_NAME } from '../../sync-server/contract.ts';
import { LOG_FORMAT, LOG_VERSION, RoomLog } from '../../sync-server/store/room-log.ts';
import { ROOM_FILE_EXTENSION } from '../../sync-server/room/registry.ts';

export const PROJECT_EXTENSION = ROOM_FILE_EXTENSION;

/** Tables every room log has (room-log.ts creates them all on first open). */
export const REQUIRED_TABLES = ['log_meta', 'authors', 'labels', 'entries', 'snapshots', 'room_state', 'bookmarks'] as const;

export type ProjectFileProblem =
  | 'missing' // no file at that path
  | 'not-a-file' // a folder or a device
  | 'empty' // zero bytes
  | 'not-sqlite' // not an SQLite database at all
  | 'truncated' // shorter than its own header says
  | 'damaged' // SQLite reports corruption
  | 'not-riffroom' // an SQLite file, but not a Riffroom log
  | 'missing-tables' // a Riffroom log with tables missing
  | 'newer-version' // written by a newer Riffroom
  | 'read-only' // cannot be written (permissions)
  | 'exists' // (create / save as) the target exists and overwriting was not asked for
  | 'same-file'; // (save as) the copy would replace the live project

export class ProjectFileError extends Error {
  override name = 'ProjectFileError';
  readonly path: string;
  readonly problem: ProjectFileProblem;
  constructor(path: string, problem: ProjectFileProblem, reason: string) {
    super(`Cannot open "${basename(path)}" (${path}): ${reason}`);
    this.path = path;
    this.problem = problem;
  }
}

export interface ProjectInfo {
  /** Absolute path of the file. */
  path: string;
  /** The room the session host serves it as. */
  room: string;
  /** The log layout version the file was written with. */
  version: number;
  /** Newest entry (0 for a new project). */
  lastSeq: number;
  entries: number;
  /** Time of the newest entry (ms since the epoch), null for a new project. */
  lastEditTime: number | null;
  bytes: number;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The room name for a project file: its base name with anything outside letters, digits, '-' and
 * '_' turned into '-', at most 64 characters ("My Song (v2).riffroom" → "My-Song-v2").
 */
export function roomNameFor(path: string): string {
  const stem = basename(path, extname(path) === PROJECT_EXTENSION ? PROJECT_EXTENSION : extname(path));
  let room = stem.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
  if (!ROOM_NAME.test(room)) room = 'song';
  return room;
}

/** Adds the .riffroom extension when a save dialog's answer lacks it. */
export function withProjectExtension(path: string): string {
  return extname(path).toLowerCase() === PROJECT_EXTENSION ? path : path + PROJECT_EXTENSION;
}

/**
 * Checks that `path` is a Riffroom project this app can open, without writing to it. Throws
 * ProjectFileError saying why not. `writable` (default true) also requires write permission,
 * which serving it as a live room needs.
 */
export function inspectProject(path: string, options: { writable?: boolean } = {}): ProjectInfo {
  const file = resolve(path);
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ProjectFileError(file, 'not-a-file', 'it is a folder, not a project file');
    size = stat.size;
  } catch (err) {
    if (err instanceof ProjectFileError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ProjectFileError(file, 'missing', 'the file does not exist (moved or deleted?)');
    throw new ProjectFileError(file, 'not-a-file', `it cannot be read (${(err as Error).message})`);
  }
  if (size === 0) throw new ProjectFileError(file, 'empty', 'the file is empty: it is not a Riffroom project');
  const header = readHeader(file);
  if (header.length < SQLITE_MAGIC.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new ProjectFileError(file, 'not-sqlite', 'it is not a Riffroom project (not an SQLite database file)');
  }
  if (header.length < 100) throw new ProjectFileError(file, 'truncated', `the file is cut short (${size} bytes, less than its header)`);
  checkHeaderSize(file, header, size);

  const info = withReadOnlyDb(file, (db) => {
    const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    if (!names.has('log_meta')) throw new ProjectFileError(file, 'not-riffroom', 'it is an SQLite database but not a Riffroom project (no log_meta table)');
    const meta = Object.fromEntries(
      (db.prepare('SELECT key, value FROM log_meta').all() as { key: string; value: unknown }[]).map((r) => [r.key, String(r.value)]),
    );
    if (meta.format !== LOG_FORMAT) throw new ProjectFileError(file, 'not-riffroom', `it is not a Riffroom project (format "${meta.format ?? 'none'}")`);
    const version = Number(meta.version);
    if (!Number.isInteger(version) || version < 1) throw new ProjectFileError(file, 'damaged', `its format version "${meta.version}" is not readable`);
    if (version > LOG_VERSION) {
      throw new ProjectFileError(file, 'newer-version', `it was saved by a newer Riffroom (project format ${version}; this app reads up to ${LOG_VERSION}). Update Riffroom to open it`);
    }
    const missing = REQUIRED_TABLES.filter((t) => !names.has(t));
    if (missing.length) throw new ProjectFileError(file, 'missing-tables', `the project is incomplete: missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const rows = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    if (rows.length !== 1 || rows[0]!.quick_check !== 'ok') {
      throw new ProjectFileError(file, 'damaged', `the file is damaged (${rows.slice(0, 3).map((r) => r.quick_check).join('; ')})`);
    }
    const stats = db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS last, max(time) AS time FROM entries').get() as { n: number; last: number; time: number | null };
    return { path: file, room: roomNameFor(file), version, lastSeq: stats.last, entries: stats.n, lastEditTime: stats.time, bytes: size };
  });
  if (options.writable !== false) {
    try {
      accessSync(file, constants.W_OK);
    } catch {
      throw new ProjectFileError(file, 'read-only', 'the file is read-only; use Save As to work on a copy');
    }
  }
  return info;
}

function readHeader(file: string): Buffer {
  const buffer = Buffer.alloc(100);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new ProjectFileError(file, 'not-a-file', `it cannot be read (${(err as Error).message})`);
  }
  try {
    const n = readSync(fd, buffer, 0, 100, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The header's page size and page count must fit in the file (a cut-off copy fails this). */
function checkHeaderSize(file: string, header: Buffer, size: number): void {
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new ProjectFileError(file, 'damaged', 'its header is damaged (impossible page size)');
  }
  if (size % pageSize !== 0) throw new ProjectFileError(file, 'truncated', `the file is cut short (${size} bytes is not a whole number of ${pageSize}-byte pages)`);
  // The page count in the header is valid when the change counter matches "version-valid-for".
  const pages = header.readUInt32BE(28);
  if (pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92) && pages * pageSize > size) {
    throw new ProjectFileError(file, 'truncated', `the file is cut short (${size} of ${pages * pageSize} bytes)`);
  }
}

/**
 * Runs `fn` on a read-only connection. A file without a pending write-ahead log is opened
 * immutable (no locks, no -wal/-shm files created); one with a -wal (a live session, or one that
 * crashed) is opened read-only so the entries still in the WAL count.
 */
function withReadOnlyDb<T>(file: string, fn: (db: DatabaseSync) => T): T {
  const walPending = existsSync(file + '-wal') && statSync(file + '-wal').size > 0;
  let db: DatabaseSync;
  try {
    if (walPending) {
      db = new DatabaseSync(file, { readOnly: true });
    } else {
      const url = pathToFileURL(file);
      url.searchParams.set('immutable', '1');
      db = new DatabaseSync(url, { readOnly: true });
    }
  } catch (err) {
    throw new ProjectFileError(file, 'damaged', `SQLite cannot open it (${(err as Error).message})`);
  }
  try {
    return fn(db);
  } catch (err) {
    if (err instanceof ProjectFileError) throw err;
    const message = (err as Error).message;
    if (/not a database/i.test(message)) throw new ProjectFileError(file, 'not-sqlite', 'it is not a Riffroom project (not an SQLite database file)');
    throw new ProjectFileError(file, 'damaged', `the file is damaged (${message})`);
  } finally {
    db.close();
  }
}

/**
 * New: an empty project (a fresh room with no entries yet) at `path`. Refuses to replace an
 * existing file unless `overwrite` (then the old file is replaced only once the new one is whole).
 */
export function createProject(path: string, options: { overwrite?: boolean } = {}): ProjectInfo {
  const file = resolve(path);
  if (existsSync(file) && !options.overwrite) throw new ProjectFileError(file, 'exists', 'a file with that name already exists');
  const temp = tempBeside(file);
  try {
    new RoomLog(temp).close();
    renameSync(temp, file);
  } finally {
    removeDbFiles(temp);
  }
  return inspectProject(file);
}

/**
 * A path for a new, not yet named project in `dir` that does not exist yet:
 * "Untitled song 2025-05-01 17.55.riffroom" (then " 2", " 3", ... when taken).
 */
export function untitledProjectPath(dir: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}.${pad(now.getMinutes())}`;
  for (let n = 1; ; n++) {
    const candidate = join(dir, `Untitled song ${stamp}${n > 1 ? ` ${n}` : ''}${PROJECT_EXTENSION}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Save As: a consistent copy of the project at `from` (which a session host may be writing right
 * now, from another process) at `to`, with every entry, snapshot and bookmark. SQLite's VACUUM INTO
 * reads one snapshot of the log in a read transaction, so the copy holds exactly the entries
 * committed when it started: a whole hash chain, never half an edit. The copy is written beside
 * the target, checked, and only then renamed over it.
 */
export function copyProject(from: string, to: string, options: { overwrite?: boolean } = {}): ProjectInfo {
  const source = resolve(from);
  const target = resolve(to);
  if (source === target) throw new ProjectFileError(target, 'same-file', 'Save As needs a different file than the open project');
  inspectProject(source, { writable: false });
  if (existsSync(target) && !options.overwrite) throw new ProjectFileError(target, 'exists', 'a file with that name already exists');
  const temp = tempBeside(target);
  try {
    const db = new DatabaseSync(source, { readOnly: true });
    try {
      db.prepare('VACUUM INTO ?').run(temp);
    } finally {
      db.close();
    }
    // Bring the copy to the layout the live room uses (WAL), and check its chain end to end.
    const log = new RoomLog(temp, { create: false });
    try {
      const broken = log.verify();
      if (broken) throw new ProjectFileError(source, 'damaged', `its history is damaged at entry ${broken.brokenAt}: ${broken.reason}`);
    } finally {
      log.close();
    }
    renameSync(temp, target);
  } finally {
    removeDbFiles(temp);
  }
  return inspectProject(target);
}

function tempBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
}

function removeDbFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}
