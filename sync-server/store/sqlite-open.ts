/**
 * Opening a log file that may come from anyone (a project someone sent, a file dropped in the
 * data folder). Two rules, from SQLite's "defense against the dark arts":
 *
 * - Nothing in a file may run on our statements: every connection has `trusted_schema = OFF`
 *   (no functions with side effects from the schema) and SQLite's defensive mode (no writable
 *   schema, no direct edits of shadow tables), and cell_size_check to catch damaged pages early.
 *   The schema check (log-check.ts) then refuses any trigger, view or foreign definition.
 * - Look before writing: a file is first read through a connection that cannot write to it, and
 *   leaves nothing beside it (no -wal, no -shm, no journal), so a refused file is exactly as it was.
 */
import { DatabaseSync } from 'node:sqlite';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function openHardened(location: string | URL, options: { readOnly: boolean }): DatabaseSync {
  const db = new DatabaseSync(location, { readOnly: options.readOnly, defensive: true });
  try {
    db.exec('PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * A read-only connection that writes nothing anywhere. A file without a write-ahead log beside
 * it is opened immutable (no locks, no -wal/-shm created). One with a -wal (a room open in a
 * server right now, or one that crashed) is opened read-only instead, so the entries still in
 * its WAL count.
 */
export function openForChecking(path: string): DatabaseSync {
  if (existsSync(`${path}-wal`)) return openHardened(path, { readOnly: true });
  const url = pathToFileURL(path);
  url.searchParams.set('immutable', '1');
  return openHardened(url, { readOnly: true });
}
