/**
 * The SQLite side of a transfer (log-transfer.ts): a room log file read as a HistorySource, and a
 * new room log file written as a HistorySink.
 *
 * Source: the file is opened read-only through RoomLog, so it passes every check of log-check.ts
 * first (schema, bounds, states that inflate within the ceiling; the whole hash chain too when
 * asked: always for a file someone sent). It is then read in one read transaction on a connection
 * of its own: a room that a server is writing meanwhile is read as it was when the transfer began,
 * whole entries only (WAL lets the room go on appending beside the reader).
 *
 * Sink: the new log is written to a hidden temporary file beside the target and placed only once
 * complete, chain checked, closed as one self-contained file. Placing never overwrites a file
 * unless asked (a hard link, which fails when the name is taken), and with `replace` it refuses a
 * target that another connection has open (a room loaded in a running server).
 */
import { existsSync, linkSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RoomLog, type Bookmark, type ChainedEntry, type PackedState, type StoredRules } from './room-log.ts';
import {
  DEFAULT_TRANSFER_PAGES,
  transferHistory,
  type HistorySink,
  type HistorySource,
  type TransferOptions,
  type TransferSummary,
} from './log-transfer.ts';
import { openHardened } from './sqlite-open.ts';

/** Why a transfer cannot place its result: the name is taken, or the file there is in use. */
export class TransferTargetError extends Error {
  override name = 'TransferTargetError';
  readonly problem: 'exists' | 'in-use';
  readonly target: string;
  constructor(target: string, problem: 'exists' | 'in-use', message: string) {
    super(message);
    this.target = target;
    this.problem = problem;
  }
}

/**
 * Copies the room log at `from` into a new log file at `to` (export, import, or both at once):
 * `from` is checked (its whole chain unless `verifyHistory` is false), read in one read
 * transaction, and `to` appears only once complete. Throws RoomLogError for a file that fails its
 * checks, TransferTargetError when `to` is taken (or, with `replace`, in use); nothing is left
 * behind either way.
 */
export async function copyRoomFile(
  from: string,
  to: string,
  options: { verifyHistory?: boolean; replace?: boolean } & Partial<TransferOptions> = {},
): Promise<TransferSummary> {
  const sink = new RoomFileSink(to, { replace: options.replace });
  let source: RoomFileSource;
  try {
    source = new RoomFileSource(from, { verifyHistory: options.verifyHistory });
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return transferHistory(source, sink, { ...DEFAULT_TRANSFER_PAGES, ...options });
}

export class RoomFileSource implements HistorySource {
  readonly name: string;
  readonly lastSeq: number;
  private readonly log: RoomLog;

  /**
   * Opens `path` for reading (RoomLog's checks run first: RoomLogError when it fails them).
   * `verifyHistory`: walk the whole chain before anything is read (default true). The transfer
   * compares every hash anyway; walking first refuses a broken file before anything is written.
   * `alreadyChecked`: the caller ran every check itself (RoomLog's option of that name).
   */
  constructor(path: string, options: { verifyHistory?: boolean; alreadyChecked?: boolean } = {}) {
    this.name = path;
    this.log = new RoomLog(path, {
      readOnly: true,
      create: false,
      verifyHistory: options.verifyHistory ?? true,
      alreadyChecked: options.alreadyChecked,
    });
    try {
      this.lastSeq = this.log.beginRead();
    } catch (err) {
      this.log.close();
      throw err;
    }
  }

  async entries(after: number, maxBytes: number, maxEntries: number): Promise<ChainedEntry[]> {
    return this.log.entryPage(after, this.lastSeq, maxBytes, maxEntries);
  }

  async bookmarks(): Promise<Bookmark[]> {
    return this.log.bookmarks();
  }

  async rules(): Promise<StoredRules | null> {
    return this.log.storedRules();
  }

  async *states(): AsyncIterable<PackedState> {
    yield* this.log.packedStates();
  }

  async close(): Promise<void> {
    try {
      this.log.endRead();
    } finally {
      this.log.close();
    }
  }
}

export class RoomFileSink implements HistorySink {
  readonly target: string;
  readonly temp: string;
  private readonly replace: boolean;
  private log: RoomLog | null;

  /** Throws TransferTargetError('exists') at once when `target` is taken and `replace` is not asked. */
  constructor(target: string, options: { replace?: boolean } = {}) {
    this.target = target;
    this.replace = options.replace ?? false;
    if (!this.replace && existsSync(target)) throw existsError(target);
    this.temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    this.log = new RoomLog(this.temp);
  }

  async append(entries: readonly ChainedEntry[]): Promise<Uint8Array[]> {
    const log = this.open();
    return log.transaction(() =>
      entries.map((entry) => {
        log.append(entry);
        return log.lastEntryHash;
      }),
    );
  }

  async addBookmarks(bookmarks: readonly Bookmark[]): Promise<void> {
    const log = this.open();
    log.transaction(() => bookmarks.forEach((bookmark) => log.addBookmark(bookmark)));
  }

  async keepRules(rules: StoredRules): Promise<void> {
    this.open().keepRules(rules);
  }

  async saveState(state: PackedState): Promise<void> {
    this.open().savePackedState(state);
  }

  async commit(): Promise<void> {
    this.open().closeAsSingleFile();
    this.log = null;
    if (this.replace) replaceUnused(this.temp, this.target);
    else placeNew(this.temp, this.target);
  }

  async abort(): Promise<void> {
    try {
      this.log?.close();
    } finally {
      this.log = null;
      removeDbFiles(this.temp);
    }
  }

  private open(): RoomLog {
    if (!this.log) throw new Error('the transfer is over');
    return this.log;
  }
}

/** Puts `temp` at `target` unless something is there already (checked and placed in one step). */
function placeNew(temp: string, target: string): void {
  try {
    linkSync(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(target);
    // A file system without hard links (a FAT stick): look, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    if (existsSync(target)) throw existsError(target);
    renameSync(temp, target);
    return;
  }
  unlinkSync(temp);
}

/**
 * Renames `temp` over `target`, unless a connection has `target` open: a server that loaded the
 * room keeps it in WAL mode, and leaving WAL needs every other connection gone. Once out of WAL,
 * an exclusive lock keeps anyone from starting to write the old file until it is replaced.
 */
function replaceUnused(temp: string, target: string): void {
  if (!existsSync(target)) return placeNew(temp, target);
  let held: ReturnType<typeof openHardened> | null = null;
  try {
    held = openHardened(target, { readOnly: false });
    const mode = held.prepare('PRAGMA journal_mode = DELETE').get() as { journal_mode: string } | undefined;
    if (mode?.journal_mode !== 'delete') throw inUseError(target);
    held.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    held?.close();
    if (err instanceof TransferTargetError) throw err;
    if (/locked|busy/i.test((err as Error).message)) throw inUseError(target);
    held = null; // not a database SQLite can open: nobody is using it as one
  }
  try {
    renameSync(temp, target);
  } finally {
    held?.close();
  }
}

function existsError(target: string): TransferTargetError {
  return new TransferTargetError(target, 'exists', `${target} already exists`);
}

function inUseError(target: string): TransferTargetError {
  return new TransferTargetError(
    target,
    'in-use',
    `${target} is open elsewhere (a running server has the room loaded): stop the server, or wait until the room is idle and unloaded`,
  );
}

export function removeDbFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}
