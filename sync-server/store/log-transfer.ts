/**
 * Moving a room's whole history from one store to another: a server's room to a project file
 * (export), a project file to a server's new room (import), and later the same with PostgreSQL on
 * either side. What moves: every entry (seq, time, author, label, update, concurrency flag) with
 * its hash chain, the bookmarks, the teacher's rules in force, the snapshots and the room state.
 * Nothing else: a store's own bookkeeping (a server's leases, caches, a file's free pages) stays
 * where it was, so an export is a fresh log, never a copy of the server's file.
 *
 * Both sides speak two small async interfaces, so any store can be either side:
 *   HistorySource  reads one consistent view of a room (SQLite: one read transaction).
 *   HistorySink    writes a new room that nobody sees until commit() (SQLite: a temporary file
 *                  renamed into place), and that abort() removes without a trace.
 *
 * The chain is checked on the way: the sink rebuilds it entry by entry from the genesis hash, and
 * every hash it computes must equal the one the source stored. So an entry that was changed,
 * removed or inserted anywhere stops the transfer at that entry, and the new log's chain is the
 * source's, hash for hash.
 */
import type { Bookmark, ChainedEntry, PackedState, StoredRules } from './room-log.ts';
import { RoomLogError } from './log-error.ts';

export interface HistorySource {
  /** Names the source in errors (a file's path, "room R"). */
  readonly name: string;
  /** Newest entry of the view being read: fixed while the source is open. */
  readonly lastSeq: number;
  /** Entries after `after` (none past lastSeq), oldest first: about maxBytes of updates, at least one. */
  entries(after: number, maxBytes: number, maxEntries: number): Promise<ChainedEntry[]>;
  bookmarks(): Promise<Bookmark[]>;
  rules(): Promise<StoredRules | null>;
  /** Stored states (snapshots, then the room state), one at a time, as stored. */
  states(): AsyncIterable<PackedState>;
  close(): Promise<void>;
}

export interface HistorySink {
  /** Appends entries in order; returns the hash it computed for each (its own chain). */
  append(entries: readonly ChainedEntry[]): Promise<Uint8Array[]>;
  addBookmarks(bookmarks: readonly Bookmark[]): Promise<void>;
  keepRules(rules: StoredRules): Promise<void>;
  saveState(state: PackedState): Promise<void>;
  /** Makes what was written the new room (or file), all at once. */
  commit(): Promise<void>;
  /** Drops everything written; nothing is left behind. Safe after a failed commit. */
  abort(): Promise<void>;
}

export interface TransferOptions {
  /** Updates per page (bytes): what one step holds in memory, and how long it keeps the thread. */
  pageBytes: number;
  pageEntries: number;
  /** Between pages (a server lets its other work run here); default: nothing. */
  betweenPages?: () => Promise<void>;
}

export interface TransferSummary {
  lastSeq: number;
  entries: number;
  bookmarks: number;
  states: number;
  rules: boolean;
}

export const DEFAULT_TRANSFER_PAGES = { pageBytes: 1024 * 1024, pageEntries: 1024 } as const;

/**
 * Copies `source` into `sink` and commits it; on any failure aborts the sink (and rethrows), so
 * either the whole history arrived, chain checked, or nothing did. Closes the source either way.
 */
export async function transferHistory(
  source: HistorySource,
  sink: HistorySink,
  options: TransferOptions = DEFAULT_TRANSFER_PAGES,
): Promise<TransferSummary> {
  try {
    const summary = await copyInto(source, sink, options);
    await sink.commit();
    return summary;
  } catch (err) {
    await sink.abort();
    throw err;
  } finally {
    await source.close();
  }
}

/**
 * Opens the source, then the sink, and transfers: a sink that cannot begin (a name that is
 * taken) closes the source again, so either open failing leaves nothing open and nothing written.
 */
export async function openAndTransfer(
  openSource: () => HistorySource | Promise<HistorySource>,
  openSink: () => HistorySink | Promise<HistorySink>,
  options: TransferOptions = DEFAULT_TRANSFER_PAGES,
): Promise<TransferSummary> {
  const source = await openSource();
  let sink: HistorySink;
  try {
    sink = await openSink();
  } catch (err) {
    await source.close();
    throw err;
  }
  return transferHistory(source, sink, options);
}

async function copyInto(source: HistorySource, sink: HistorySink, options: TransferOptions): Promise<TransferSummary> {
  let next = 1;
  while (next <= source.lastSeq) {
    const page = await source.entries(next - 1, options.pageBytes, options.pageEntries);
    if (!page.length)
      throw new RoomLogError(source.name, 'history-broken', `its history is damaged at entry ${next}: entry ${next} is missing`);
    for (const entry of page) {
      if (entry.seq !== next)
        throw new RoomLogError(source.name, 'history-broken', `its history is damaged at entry ${next}: entry ${next} is missing`);
      next++;
    }
    const hashes = await sink.append(page);
    page.forEach((entry, i) => {
      if (!sameBytes(hashes[i]!, entry.hash)) {
        throw new RoomLogError(
          source.name,
          'history-broken',
          `its history is damaged at entry ${entry.seq}: entry ${entry.seq} does not match its hash`,
        );
      }
    });
    await options.betweenPages?.();
  }
  const lastSeq = next - 1;
  const bookmarks = await source.bookmarks();
  const outOfRange = bookmarks.find((b) => !Number.isInteger(b.seq) || b.seq < 0 || b.seq > lastSeq);
  if (outOfRange) throw new RoomLogError(source.name, 'damaged', `a bookmark names entry ${outOfRange.seq}, which the log does not have`);
  await sink.addBookmarks(bookmarks);
  const rules = await source.rules();
  if (rules) await sink.keepRules(rules);
  let states = 0;
  for await (const state of source.states()) {
    await sink.saveState(state);
    states++;
  }
  return { lastSeq, entries: lastSeq, bookmarks: bookmarks.length, states, rules: rules !== null };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
