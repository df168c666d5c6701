/**
 * Project files. A project file (`<name>.riffroom`) IS a room's checkpoint log: the SQLite store
 * the sync server writes (sync-server/store/room-log.ts), so a saved project keeps its whole
 * history and autosave is inherent (every edit is appended as it arrives). The session host serves
 * the open project as its room; its room name comes from the file name (roomNameFor), the same
 * mapping the server uses for `<data>/rooms/<room>.riffroom`.
 *
 * Opening checks the file without writing to it: a file that is not SQLite, is truncated or
 * damaged, lacks the log's tables, was written by a newer Riffroom, holds anything but the log's
 * exact schema (a trigger, a view, an index, another table or definition), a value out of bounds
 * (an oversized update, a state that inflates past the ceiling: a decompression bomb) or a
 * history whose hash chain does not hold, is refused with a ProjectFileError naming the file and
 * the reason. Its bytes stay exactly as they were: it is read through SQLite's immutable mode, so
 * not even a -wal/-shm file appears beside it. The checks themselves are the store's
 * (sync-server/store/log-check.ts), so the session host's server opens only what passed them.
 *
 * Plain Node: used by the Electron main process and the session host, tested under Node.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOM_NAME } from '../../sync-server/contract.ts';
import { RoomLog, RoomLogError, type LogProblem } from '../../sync-server/store/room-log.ts';
import { checkLogFile, type LogSummary } from '../../sync-server/store/log-check.ts';
import { openHardened } from '../../sync-server/store/sqlite-open.ts';
import { ROOM_FILE_EXTENSION } from '../../sync-server/room/registry.ts';

export const PROJECT_EXTENSION = ROOM_FILE_EXTENSION;

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
  | 'unexpected-schema' // a trigger, view, index, extra table or changed definition: not exactly the log's schema
  | 'too-large' // a value over its bound: an oversized update or text, a state that inflates too far (decompression bomb)
  | 'history-broken' // the hash chain does not hold: an entry was changed, removed or inserted
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
  let room = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
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
 * which serving it as a live room needs. `verifyHistory` (default true) walks the whole hash
 * chain; the session host leaves it to the server's open, which walks it for any project file
 * (sync-server/room/registry.ts), so that a large history is read once.
 */
export function inspectProject(path: string, options: { writable?: boolean; verifyHistory?: boolean } = {}): ProjectInfo {
  const file = resolve(path);
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ProjectFileError(file, 'not-a-file', 'it is a folder, not a project file');
    size = stat.size;
  } catch (err) {
    if (err instanceof ProjectFileError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ProjectFileError(file, 'missing', 'the file does not exist (moved or deleted?)');
    throw new ProjectFileError(file, 'not-a-file', `it cannot be read (${(err as Error).message})`);
  }
  if (size === 0) throw new ProjectFileError(file, 'empty', 'the file is empty: it is not a Riffroom project');
  const header = readHeader(file);
  if (header.length < SQLITE_MAGIC.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new ProjectFileError(file, 'not-sqlite', 'it is not a Riffroom project (not an SQLite database file)');
  }
  if (header.length < 100) throw new ProjectFileError(file, 'truncated', `the file is cut short (${size} bytes, less than its header)`);
  checkHeaderSize(file, header, size);

  let summary: LogSummary;
  try {
    summary = checkLogFile(file, { history: options.verifyHistory ?? true });
  } catch (err) {
    throw err instanceof RoomLogError ? projectFileError(file, err) : err;
  }
  const info: ProjectInfo = { path: file, room: roomNameFor(file), ...summary, bytes: size };
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
  if (size % pageSize !== 0)
    throw new ProjectFileError(file, 'truncated', `the file is cut short (${size} bytes is not a whole number of ${pageSize}-byte pages)`);
  // The page count in the header is valid when the change counter matches "version-valid-for".
  const pages = header.readUInt32BE(28);
  if (pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92) && pages * pageSize > size) {
    throw new ProjectFileError(file, 'truncated', `the file is cut short (${size} of ${pages * pageSize} bytes)`);
  }
}

/** The store's refusal of a project file, as the desktop reports it (same reason, its problem code). */
export function projectFileError(file: string, err: RoomLogError): ProjectFileError {
  return new ProjectFileError(file, PROBLEM_OF[err.problem], err.reason);
}

/** The store's reasons, as the desktop names them. */
const PROBLEM_OF: Record<LogProblem, ProjectFileProblem> = {
  missing: 'missing',
  'cannot-open': 'damaged',
  'not-sqlite': 'not-sqlite',
  damaged: 'damaged',
  'not-riffroom': 'not-riffroom',
  'newer-version': 'newer-version',
  'missing-tables': 'missing-tables',
  'unexpected-schema': 'unexpected-schema',
  'too-large': 'too-large',
  'history-broken': 'history-broken',
};

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
    const db = openHardened(source, { readOnly: true });
    try {
      db.prepare('VACUUM INTO ?').run(temp);
    } finally {
      db.close();
    }
    // Check the copy as any opened file is checked (its whole chain included), then bring it to
    // the layout the live room uses (WAL).
    try {
      new RoomLog(temp, { create: false }).close();
    } catch (err) {
      throw err instanceof RoomLogError ? projectFileError(source, err) : err;
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
