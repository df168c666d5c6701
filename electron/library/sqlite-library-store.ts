/**
 * The desktop's library: one SQLite file in the app's data folder (`<userData>/library.sqlite`),
 * through node:sqlite like the session host's room logs (sync-server/store/). Plain Node, no
 * Electron: the main process opens it (electron/main/index.ts) and answers the window's library
 * calls with it (library-ipc.ts); tests open it on temp files.
 *
 * - Versioned: `PRAGMA user_version` is the layout's version, `PRAGMA application_id` marks the
 *   file as a Riffroom library. Opening an older file migrates it in one transaction
 *   (MIGRATIONS); a file from a newer Riffroom is refused and left exactly as it is.
 * - A file that is not a library, or is damaged (not SQLite, a page that fails `quick_check`, a
 *   layout without our tables), is never written to: it is renamed aside
 *   (`library.corrupt-<time>.sqlite`, with its -wal beside it) and a new, empty library is started;
 *   `notice` says so, for the window to tell the user where the old file is.
 * - Each clip and preset is a JSON row checked on the way in and out (core/library/library-file.ts),
 *   with the filter fields (role, tempo, origin, time) in columns of their own and indexed.
 */
import { existsSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { checkLibraryClip, checkPreset, LibraryFileError } from '../../core/library/library-file.ts';
import { byNewest, matchesQuery, searchableText } from '../../core/library/library-query.ts';
import { byName } from '../../core/library/memory-store.ts';
import type { ImportSummary, LibraryClip, LibraryQuery, LibrarySnapshot, LibraryStore, PromptPreset } from '../../core/library/types.ts';
import { openForChecking, openHardened } from '../../sync-server/store/sqlite-open.ts';

export const LIBRARY_FILE = 'library.sqlite';
/** "RfLb": what PRAGMA application_id holds in every Riffroom library. */
export const LIBRARY_APPLICATION_ID = 0x52664c62;
export const LIBRARY_SCHEMA_VERSION = 2;

/**
 * How each older layout becomes the next, applied in order inside one transaction. Version 1 kept
 * each clip as a JSON row only (id, saved_at, body) and had no presets; version 2 adds the filter
 * columns and the words text search looks in (filled from each row's JSON) and the presets table.
 */
export const MIGRATIONS: Record<number, (db: DatabaseSync) => void> = {
  0: (db) => {
    db.exec(`CREATE TABLE clips (id TEXT PRIMARY KEY, saved_at TEXT NOT NULL, body TEXT NOT NULL) STRICT`);
  },
  1: (db) => {
    db.exec(`
      ALTER TABLE clips ADD COLUMN role TEXT NOT NULL DEFAULT 'other';
      ALTER TABLE clips ADD COLUMN bpm REAL NOT NULL DEFAULT 120;
      ALTER TABLE clips ADD COLUMN origin TEXT NOT NULL DEFAULT 'human';
      ALTER TABLE clips ADD COLUMN search TEXT NOT NULL DEFAULT '';
      UPDATE clips SET
        role = coalesce(json_extract(body, '$.role'), 'other'),
        bpm = coalesce(json_extract(body, '$.metadata.tempo.value'), 120),
        origin = CASE json_extract(body, '$.provenance.source') WHEN 'model' THEN 'ai' ELSE 'human' END;
      CREATE INDEX clips_newest ON clips (saved_at DESC, id);
      CREATE INDEX clips_role_bpm ON clips (role, bpm);
      CREATE TABLE presets (id TEXT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL) STRICT;
    `);
    // The words text search looks in, computed as the app computes them (library-query.ts).
    const update = db.prepare('UPDATE clips SET search = ? WHERE id = ?');
    for (const row of db.prepare('SELECT id, body FROM clips').all() as { id: string; body: string }[]) {
      try {
        update.run(searchableText(checkLibraryClip(JSON.parse(row.body))), row.id);
      } catch {
        // A row that fails the check is never served (SqliteLibraryStore): nothing to search in it.
      }
    }
  },
};

/** The library file cannot be used (a newer Riffroom's, or it could not be set aside); the message says why. */
export class LibraryOpenError extends Error {
  override name = 'LibraryOpenError';
}

export interface OpenedLibrary {
  store: SqliteLibraryStore;
  /** Set when a damaged or foreign file was set aside and a new library started: say it to the user. */
  notice: string | null;
  /** Where the old file went, when it was set aside. */
  keptAside: string | null;
}

/** Why the file at `path` is not a usable library (null: it is one), without writing to it. */
export function inspectLibraryFile(path: string): { problem: 'damaged' | 'foreign' | 'newer'; detail: string } | null {
  let db: DatabaseSync | null = null;
  try {
    db = openForChecking(path);
    const appId = (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id;
    const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    const tables = (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    if (appId !== LIBRARY_APPLICATION_ID) {
      // An empty SQLite file (0 tables) is a library that was never written: fine to use.
      return tables.length === 0 && version === 0 ? null : { problem: 'foreign', detail: 'it is an SQLite file of some other program' };
    }
    if (version > LIBRARY_SCHEMA_VERSION)
      return { problem: 'newer', detail: `it is version ${version}; this Riffroom reads up to ${LIBRARY_SCHEMA_VERSION}` };
    const check = (db.prepare('PRAGMA quick_check').all() as { quick_check: string }[]).map((r) => r.quick_check);
    if (check.length !== 1 || check[0] !== 'ok')
      return { problem: 'damaged', detail: `SQLite's check failed: ${check.slice(0, 3).join('; ')}` };
    if (version >= 1 && !tables.includes('clips')) return { problem: 'damaged', detail: 'its clips table is missing' };
    return null;
  } catch (error) {
    return { problem: 'damaged', detail: (error as Error).message };
  } finally {
    db?.close();
  }
}

/** A free name beside `path` for a file set aside: library.corrupt-2026-12-06T20-30-00Z.sqlite (-2, -3… if taken). */
function asideName(path: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const base = basename(path).replace(/\.sqlite$/, '');
  for (let n = 1; ; n++) {
    const candidate = join(dirname(path), `${base}.corrupt-${stamp}${n > 1 ? `-${n}` : ''}.sqlite`);
    if (!existsSync(candidate) && !existsSync(`${candidate}-wal`)) return candidate;
  }
}

/** Opens (creating, migrating, or setting aside a damaged file first) the library at `path`. */
export function openSqliteLibrary(path: string, options: { now?: () => Date } = {}): OpenedLibrary {
  let notice: string | null = null;
  let keptAside: string | null = null;
  if (existsSync(path)) {
    const problem = inspectLibraryFile(path);
    if (problem?.problem === 'newer')
      throw new LibraryOpenError(
        `Your riff library (${path}) was written by a newer Riffroom (${problem.detail}). Update Riffroom to use it; the file was left untouched.`,
      );
    if (problem) {
      keptAside = asideName(path, options.now?.() ?? new Date());
      try {
        renameSync(path, keptAside);
        for (const side of ['-wal', '-shm']) if (existsSync(path + side)) renameSync(path + side, keptAside + side);
      } catch (error) {
        throw new LibraryOpenError(
          `Your riff library (${path}) cannot be read (${problem.detail}) and could not be set aside: ${(error as Error).message}`,
        );
      }
      notice = `Your riff library could not be read (${problem.problem === 'foreign' ? 'it is not a Riffroom library' : 'the file is damaged'}: ${problem.detail}). It was kept as ${keptAside}, untouched, and a new, empty library was started.`;
    }
  }
  const db = openHardened(path, { readOnly: false });
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 2000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return { store: new SqliteLibraryStore(db), notice, keptAside };
}

/** Brings the file's layout to LIBRARY_SCHEMA_VERSION, all steps in one transaction. */
function migrate(db: DatabaseSync): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (version === LIBRARY_SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    for (let v = version; v < LIBRARY_SCHEMA_VERSION; v++) MIGRATIONS[v]!(db);
    db.exec(`PRAGMA application_id = ${LIBRARY_APPLICATION_ID}; PRAGMA user_version = ${LIBRARY_SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

interface Row {
  body: string;
}

export class SqliteLibraryStore implements LibraryStore {
  readonly #db: DatabaseSync;
  /** Rows whose JSON failed the check (a hand-edited file): left out of every answer, counted here. */
  skippedRows = 0;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  close(): void {
    this.#db.close();
  }

  #clip(row: Row | undefined): LibraryClip | null {
    if (!row) return null;
    try {
      return checkLibraryClip(JSON.parse(row.body));
    } catch (error) {
      if (!(error instanceof LibraryFileError) && !(error instanceof SyntaxError)) throw error;
      this.skippedRows++;
      return null;
    }
  }

  #write(clip: LibraryClip): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO clips (id, saved_at, body, role, bpm, origin, search) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        clip.id,
        clip.savedAt,
        JSON.stringify(clip),
        clip.role,
        clip.metadata.tempo.value,
        clip.provenance.source === 'model' ? 'ai' : 'human',
        searchableText(clip),
      );
  }

  async saveClip(clip: LibraryClip): Promise<void> {
    this.#write(checkLibraryClip(clip));
  }

  async getClip(id: string): Promise<LibraryClip | null> {
    return this.#clip(this.#db.prepare('SELECT body FROM clips WHERE id = ?').get(id) as Row | undefined);
  }

  async listClips(query: LibraryQuery = {}): Promise<LibraryClip[]> {
    // The indexed columns narrow; matchesQuery decides (the same predicate as every store).
    const where: string[] = [];
    const args: (string | number)[] = [];
    const narrow = (clause: string, ...values: (string | number)[]): void => {
      where.push(clause);
      args.push(...values);
    };
    if (query.role) narrow('role = ?', query.role);
    if (query.origin) narrow('origin = ?', query.origin);
    if (query.tempo) narrow('bpm BETWEEN ? AND ?', query.tempo.min, query.tempo.max);
    for (const word of query.text?.toLowerCase().split(/\s+/).filter(Boolean) ?? []) narrow('instr(search, ?) > 0', word);
    const sql = `SELECT body FROM clips ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY saved_at DESC, id`;
    const out: LibraryClip[] = [];
    for (const row of this.#db.prepare(sql).iterate(...args) as Iterable<Row>) {
      const clip = this.#clip(row);
      if (clip && matchesQuery(clip, query)) out.push(clip);
    }
    return out.sort(byNewest);
  }

  async deleteClip(id: string): Promise<void> {
    this.#db.prepare('DELETE FROM clips WHERE id = ?').run(id);
  }

  async savePreset(preset: PromptPreset): Promise<void> {
    const checked = checkPreset(preset);
    this.#db
      .prepare('INSERT OR REPLACE INTO presets (id, name, body) VALUES (?, ?, ?)')
      .run(checked.id, checked.name, JSON.stringify(checked));
  }

  async listPresets(): Promise<PromptPreset[]> {
    const out: PromptPreset[] = [];
    for (const row of this.#db.prepare('SELECT body FROM presets').iterate() as Iterable<Row>) {
      try {
        out.push(checkPreset(JSON.parse(row.body)));
      } catch {
        this.skippedRows++;
      }
    }
    return out.sort(byName);
  }

  async deletePreset(id: string): Promise<void> {
    this.#db.prepare('DELETE FROM presets WHERE id = ?').run(id);
  }

  async snapshot(): Promise<LibrarySnapshot> {
    return { clips: await this.listClips(), presets: await this.listPresets() };
  }

  async importSnapshot(snapshot: LibrarySnapshot): Promise<ImportSummary> {
    const clips = snapshot.clips.map((c) => checkLibraryClip(c));
    const presets = snapshot.presets.map((p) => checkPreset(p));
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const clip of clips) this.#write(clip);
      for (const preset of presets)
        this.#db
          .prepare('INSERT OR REPLACE INTO presets (id, name, body) VALUES (?, ?, ?)')
          .run(preset.id, preset.name, JSON.stringify(preset));
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    return { clips: clips.length, presets: presets.length };
  }
}
