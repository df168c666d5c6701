import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { libraryStoreSuite } from '../../tests/support/library-store-suite.ts';
import { libraryClip, preset } from '../../tests/support/library-fixtures.ts';
import {
  LIBRARY_APPLICATION_ID,
  LIBRARY_FILE,
  LIBRARY_SCHEMA_VERSION,
  LibraryOpenError,
  openSqliteLibrary,
  type SqliteLibraryStore,
} from './sqlite-library-store.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-library-'));
  dirs.push(dir);
  return dir;
}
test.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const paths = new WeakMap<SqliteLibraryStore, string>();
libraryStoreSuite('SQLite library', {
  async open() {
    const path = join(tempDir(), LIBRARY_FILE);
    const { store } = openSqliteLibrary(path);
    paths.set(store, path);
    return store;
  },
  async reopen(store) {
    const path = paths.get(store as SqliteLibraryStore)!;
    (store as SqliteLibraryStore).close();
    const again = openSqliteLibrary(path).store;
    paths.set(again, path);
    return again;
  },
});

const now = () => new Date('2026-12-06T20:30:00.000Z');

test('a new library file carries its version and the Riffroom mark', () => {
  const path = join(tempDir(), LIBRARY_FILE);
  openSqliteLibrary(path).store.close();
  const db = new DatabaseSync(path, { readOnly: true });
  assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, LIBRARY_SCHEMA_VERSION);
  assert.equal((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id, LIBRARY_APPLICATION_ID);
  db.close();
});

test('a version 1 library (clips as JSON rows, no presets) migrates, keeping its clips filterable', async () => {
  const path = join(tempDir(), LIBRARY_FILE);
  const v1 = new DatabaseSync(path);
  v1.exec(`CREATE TABLE clips (id TEXT PRIMARY KEY, saved_at TEXT NOT NULL, body TEXT NOT NULL) STRICT;
    PRAGMA application_id = ${LIBRARY_APPLICATION_ID}; PRAGMA user_version = 1;`);
  const drums = libraryClip({ id: 'd', role: 'drums', savedAt: '2026-01-02T00:00:00.000Z' });
  const ai = libraryClip({ id: 'a', provenance: { source: 'model', author: 'bob', sourceSong: 'S' } });
  for (const c of [drums, ai]) v1.prepare('INSERT INTO clips VALUES (?, ?, ?)').run(c.id, c.savedAt, JSON.stringify(c));
  v1.close();

  const { store, notice } = openSqliteLibrary(path);
  assert.equal(notice, null);
  assert.deepEqual(
    (await store.listClips({ role: 'drums' })).map((c) => c.id),
    ['d'],
  );
  assert.deepEqual(
    (await store.listClips({ origin: 'ai' })).map((c) => c.id),
    ['a'],
  );
  await store.savePreset(preset());
  assert.equal((await store.listPresets()).length, 1);
  store.close();
  const db = new DatabaseSync(path, { readOnly: true });
  assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, LIBRARY_SCHEMA_VERSION);
  db.close();
});

test('a damaged library file is set aside unchanged and a new library starts, saying where the old one is', async () => {
  const dir = tempDir();
  const path = join(dir, LIBRARY_FILE);
  const { store } = openSqliteLibrary(path);
  await store.saveClip(libraryClip());
  store.close();
  // Damage the file past its header: the pages SQLite reads no longer make sense.
  const bytes = readFileSync(path);
  for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 37) & 0xff;
  writeFileSync(path, bytes);
  const damaged = readFileSync(path);

  const opened = openSqliteLibrary(path, { now });
  assert.ok(opened.keptAside, 'the damaged file was set aside');
  assert.match(opened.keptAside!, /library\.corrupt-2026-12-06T20-30-00Z\.sqlite$/);
  assert.match(opened.notice!, /could not be read .*damaged.*kept as .*library\.corrupt-/);
  assert.deepEqual(readFileSync(opened.keptAside!), damaged, 'the old file is exactly as it was');
  assert.deepEqual(await opened.store.listClips(), [], 'a new, empty library');
  await opened.store.saveClip(libraryClip({ id: 'fresh' }));
  opened.store.close();
  assert.deepEqual(readFileSync(opened.keptAside!), damaged, 'never written to afterwards');
});

test('a file that is not SQLite at all, and a foreign SQLite file, are both set aside', async () => {
  for (const make of [
    (path: string) => writeFileSync(path, 'this is a text file, not a library\n'),
    (path: string) => {
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE notes (x TEXT)');
      db.close();
    },
  ]) {
    const dir = tempDir();
    const path = join(dir, LIBRARY_FILE);
    make(path);
    const before = readFileSync(path);
    const opened = openSqliteLibrary(path, { now });
    assert.ok(opened.notice);
    assert.deepEqual(readFileSync(opened.keptAside!), before);
    opened.store.close();
    assert.equal(readdirSync(dir).filter((f) => f.includes('corrupt')).length >= 1, true);
  }
});

test('two damaged files in the same second get different names: nothing set aside is ever overwritten', () => {
  const dir = tempDir();
  const path = join(dir, LIBRARY_FILE);
  writeFileSync(path, 'garbage one');
  const first = openSqliteLibrary(path, { now });
  first.store.close();
  rmSync(path);
  for (const side of ['-wal', '-shm']) if (existsSync(path + side)) rmSync(path + side);
  writeFileSync(path, 'garbage two');
  const second = openSqliteLibrary(path, { now });
  second.store.close();
  assert.notEqual(first.keptAside, second.keptAside);
  assert.equal(readFileSync(first.keptAside!, 'utf8'), 'garbage one');
  assert.equal(readFileSync(second.keptAside!, 'utf8'), 'garbage two');
});

test('a library from a newer Riffroom is refused and left untouched', () => {
  const path = join(tempDir(), LIBRARY_FILE);
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE clips (id TEXT PRIMARY KEY, saved_at TEXT NOT NULL, body TEXT NOT NULL) STRICT;
    PRAGMA application_id = ${LIBRARY_APPLICATION_ID}; PRAGMA user_version = ${LIBRARY_SCHEMA_VERSION + 1};`);
  db.close();
  const before = readFileSync(path);
  assert.throws(
    () => openSqliteLibrary(path),
    (e: Error) => e instanceof LibraryOpenError && /newer Riffroom/.test(e.message),
  );
  assert.deepEqual(readFileSync(path), before);
});

test('a row that fails the check is left out, not served', async () => {
  const path = join(tempDir(), LIBRARY_FILE);
  const { store } = openSqliteLibrary(path);
  await store.saveClip(libraryClip({ id: 'good' }));
  store.close();
  const db = new DatabaseSync(path);
  db.prepare(
    `INSERT INTO clips (id, saved_at, body, role, bpm, origin, search) VALUES ('bad', '2027', '{"id":"bad"}', 'bass', 100, 'human', '')`,
  ).run();
  db.close();
  const again = openSqliteLibrary(path).store;
  assert.deepEqual(
    (await again.listClips()).map((c) => c.id),
    ['good'],
  );
  assert.equal(again.skippedRows, 1);
  again.close();
});
