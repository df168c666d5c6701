import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { initSong, addTrack } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOG_VERSION, RoomLog } from '../../sync-server/store/room-log.ts';
import { LIMITS } from '../../sync-server/limits.ts';
import { BOMB_INFLATED_BYTES, HOSTILE_LOGS } from '../../tests/support/hostile-logs.ts';
import {
  copyProject,
  createProject,
  inspectProject,
  ProjectFileError,
  roomNameFor,
  untitledProjectPath,
  withProjectExtension,
  type ProjectFileProblem,
} from './project-file.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-project-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A project with a few real edits in its log, closed (WAL folded in). */
function projectWithEdits(path: string, edits = 3): void {
  const doc = new Y.Doc();
  const log = new RoomLog(path);
  doc.on('update', (update: Uint8Array) => log.append({ time: Date.now(), author: 'ann', label: 'edit', update }));
  initSong(doc, { title: 'Saved song' });
  for (let i = 1; i < edits; i++) addTrack(doc, { role: 'bass', name: `Bass ${i}` });
  log.close();
}

function songIn(path: string): ReturnType<typeof readSong> {
  const log = new RoomLog(path, { readOnly: true });
  const doc = new Y.Doc();
  try {
    for (const { update } of log.updates(0)) Y.applyUpdate(doc, update);
  } finally {
    log.close();
  }
  return readSong(doc);
}

/** Asserts that opening `file` fails with `problem`, naming the file, and leaves it (and its folder) untouched. */
function assertRefused(file: string, problem: ProjectFileProblem, reason: RegExp): void {
  const dir = join(file, '..');
  const before = readFileSync(file);
  const filesBefore = readdirSync(dir).sort();
  assert.throws(
    () => inspectProject(file),
    (err: unknown) => {
      assert.ok(err instanceof ProjectFileError, `a ProjectFileError, got ${err}`);
      assert.equal(err.problem, problem);
      assert.equal(err.path, file);
      assert.ok(err.message.includes(file), `the message names the file: ${err.message}`);
      assert.match(err.message, reason);
      return true;
    },
  );
  assert.deepEqual(readFileSync(file), before, 'the file bytes are unchanged');
  assert.deepEqual(readdirSync(dir).sort(), filesBefore, 'no -wal/-shm or other file appeared beside it');
}

test('room names come from the file name', () => {
  assert.equal(roomNameFor('/x/my-song.riffroom'), 'my-song');
  assert.equal(roomNameFor('/x/My Song (v2).riffroom'), 'My-Song-v2');
  assert.equal(roomNameFor('/x/Café démo.riffroom'), 'Cafe-demo');
  assert.equal(roomNameFor('/x/日本.riffroom'), 'song');
  assert.equal(roomNameFor('/x/__x.riffroom'), 'x');
  assert.equal(roomNameFor(`/x/${'a'.repeat(80)}.riffroom`), 'a'.repeat(64));
  assert.equal(withProjectExtension('/x/a'), '/x/a.riffroom');
  assert.equal(withProjectExtension('/x/a.RIFFROOM'), '/x/a.RIFFROOM');
});

test('New makes an empty project that opens; it refuses to replace a file unless asked', (t) => {
  const dir = tempDir(t);
  const path = untitledProjectPath(dir, new Date(2025, 4, 1, 17, 5));
  assert.equal(path, join(dir, 'Untitled song 2025-05-01 17.05.riffroom'));
  const info = createProject(path);
  assert.equal(info.path, path);
  assert.equal(info.room, 'Untitled-song-2025-05-01-17-05');
  assert.equal(info.lastSeq, 0);
  assert.equal(info.version, LOG_VERSION);
  assert.deepEqual(readdirSync(dir), ['Untitled song 2025-05-01 17.05.riffroom'], 'no temporary or sidecar files left');
  assert.equal(untitledProjectPath(dir, new Date(2025, 4, 1, 17, 5)), join(dir, 'Untitled song 2025-05-01 17.05 2.riffroom'));
  assert.throws(
    () => createProject(path),
    (err: unknown) => err instanceof ProjectFileError && err.problem === 'exists',
  );
  assert.equal(createProject(path, { overwrite: true }).lastSeq, 0);
});

test('an existing project opens with its history', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'jam.riffroom');
  projectWithEdits(path, 3);
  const before = readFileSync(path);
  const info = inspectProject(path);
  assert.equal(info.lastSeq, 3);
  assert.equal(info.entries, 3);
  assert.equal(info.room, 'jam');
  assert.ok(info.lastEditTime && info.lastEditTime > 0);
  assert.deepEqual(readFileSync(path), before, 'inspecting writes nothing');
  assert.deepEqual(readdirSync(dir), ['jam.riffroom']);
});

test('files that are not projects are refused with a reason, and never modified', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.riffroom');
  projectWithEdits(good, 40);
  const size = readFileSync(good).length;

  await t.test('missing', () => {
    assert.throws(
      () => inspectProject(join(dir, 'gone.riffroom')),
      (err: unknown) => err instanceof ProjectFileError && err.problem === 'missing' && /does not exist/.test(err.message),
    );
  });
  await t.test('a folder', () => {
    mkdirSync(join(dir, 'folder.riffroom'));
    assert.throws(
      () => inspectProject(join(dir, 'folder.riffroom')),
      (err: unknown) => err instanceof ProjectFileError && err.problem === 'not-a-file',
    );
  });
  await t.test('empty', () => {
    const f = join(dir, 'empty.riffroom');
    writeFileSync(f, '');
    assertRefused(f, 'empty', /empty/);
  });
  await t.test('not SQLite', () => {
    const f = join(dir, 'text.riffroom');
    writeFileSync(f, 'this is a text file, not a project\n'.repeat(200));
    assertRefused(f, 'not-sqlite', /not an SQLite/);
  });
  await t.test('truncated', () => {
    const f = join(dir, 'cut.riffroom');
    copyFileSync(good, f);
    truncateSync(f, Math.floor(size / 2) + 100);
    assertRefused(f, 'truncated', /cut short/);
    const g = join(dir, 'cut-to-pages.riffroom');
    copyFileSync(good, g);
    truncateSync(g, 4096 * 2);
    assertRefused(g, 'truncated', /cut short/);
    const h = join(dir, 'cut-header.riffroom');
    writeFileSync(h, readFileSync(good).subarray(0, 60));
    assertRefused(h, 'truncated', /cut short/);
  });
  await t.test('damaged pages', () => {
    const f = join(dir, 'damaged.riffroom');
    const bytes = readFileSync(good);
    // Scribble over every page after the first two (schema intact, b-trees broken).
    for (let i = 4096 * 2; i < bytes.length; i += 4096) bytes.fill(0xa5, i, i + 64);
    writeFileSync(f, bytes);
    assertRefused(f, 'damaged', /damaged/);
  });
  await t.test('an SQLite file of something else', () => {
    const f = join(dir, 'other.riffroom');
    const db = new DatabaseSync(f);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('hi')");
    db.close();
    assertRefused(f, 'not-riffroom', /not a Riffroom project/);
    const g = join(dir, 'other-format.riffroom');
    const db2 = new DatabaseSync(g);
    db2.exec(
      "CREATE TABLE log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO log_meta VALUES ('format', 'somebody-else'), ('version', '1')",
    );
    db2.close();
    assertRefused(g, 'not-riffroom', /somebody-else/);
  });
  await t.test('missing tables', () => {
    const f = join(dir, 'partial.riffroom');
    copyFileSync(good, f);
    const db = new DatabaseSync(f);
    db.exec('DROP TABLE bookmarks; DROP TABLE snapshots; PRAGMA journal_mode = DELETE');
    db.close();
    assertRefused(f, 'missing-tables', /missing tables snapshots, bookmarks|missing tables bookmarks, snapshots/);
  });
  await t.test('written by a newer Riffroom', () => {
    const f = join(dir, 'future.riffroom');
    copyFileSync(good, f);
    const db = new DatabaseSync(f);
    db.exec(`UPDATE log_meta SET value = '${LOG_VERSION + 1}' WHERE key = 'version'; PRAGMA journal_mode = DELETE`);
    db.close();
    assertRefused(f, 'newer-version', new RegExp(`newer Riffroom \\(project format ${LOG_VERSION + 1}`));
    // The sync server's own open refuses it too, before writing anything.
    const before = readFileSync(f);
    assert.throws(() => new RoomLog(f, { create: false }), /newer Riffroom/);
    assert.deepEqual(readFileSync(f), before);
  });
  await t.test('read-only on disk', { skip: process.getuid?.() === 0 ? 'root can write anything' : false }, () => {
    const f = join(dir, 'locked.riffroom');
    copyFileSync(good, f);
    chmodSync(f, 0o444);
    assertRefused(f, 'read-only', /read-only/);
    assert.equal(inspectProject(f, { writable: false }).lastSeq, 40);
  });
});

test('a project whose last edits are still in its write-ahead log (a live or crashed session) opens with them', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'live.riffroom');
  projectWithEdits(path, 2);
  const writer = new RoomLog(path);
  try {
    writer.append({ time: Date.now(), author: 'ben', label: 'late edit', update: new Uint8Array([0, 0]) });
    assert.equal(inspectProject(path).lastSeq, 3, 'the entry in the -wal counts');
  } finally {
    writer.close();
  }
});

test('Save As copies the whole history while the log is being written; refuses the same file and existing files', (t) => {
  const dir = tempDir(t);
  const live = join(dir, 'live.riffroom');
  projectWithEdits(live, 5);
  const writer = new RoomLog(live);
  try {
    for (let i = 0; i < 20; i++) writer.append({ time: Date.now(), author: 'ben', label: `edit ${i}`, update: new Uint8Array([0, 0]) });
    const copy = join(dir, 'copy.riffroom');
    const info = copyProject(live, copy);
    assert.equal(info.lastSeq, 25);
    writer.append({ time: Date.now(), author: 'ben', label: 'after the copy', update: new Uint8Array([0, 0]) });
    const log = new RoomLog(copy, { readOnly: true });
    try {
      assert.equal(log.verify(), null, 'the copy’s hash chain is intact');
      assert.deepEqual(
        log.history(0, 100).map((e) => e.seq),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
    } finally {
      log.close();
    }
    assert.equal(songIn(copy).meta.title, 'Saved song');
    assert.throws(
      () => copyProject(live, live),
      (err: unknown) => err instanceof ProjectFileError && err.problem === 'same-file',
    );
    assert.throws(
      () => copyProject(live, copy),
      (err: unknown) => err instanceof ProjectFileError && err.problem === 'exists',
    );
    assert.equal(copyProject(live, copy, { overwrite: true }).lastSeq, 26);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  } finally {
    writer.close();
  }
});

test('Save As of a damaged project fails and writes nothing', (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.riffroom');
  writeFileSync(bad, 'nope'.repeat(100));
  assert.throws(
    () => copyProject(bad, join(dir, 'copy.riffroom')),
    (err: unknown) => err instanceof ProjectFileError && err.problem === 'not-sqlite',
  );
  assert.deepEqual(readdirSync(dir), ['bad.riffroom']);
});

test('hostile project files are refused with the reason, and never modified', async (t) => {
  const dir = tempDir(t);
  for (const hostile of HOSTILE_LOGS) {
    await t.test(hostile.name, () => {
      const file = join(dir, `${hostile.name.replace(/\W+/g, '-')}.riffroom`);
      hostile.make(file);
      assertRefused(file, hostile.problem, hostile.reason);
      // Save As refuses to copy it too, and leaves no copy behind.
      assert.throws(
        () => copyProject(file, join(dir, 'copy.riffroom')),
        (err: unknown) => err instanceof ProjectFileError && err.problem === hostile.problem,
      );
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.startsWith('copy') || f.endsWith('.tmp')),
        [],
      );
    });
  }
});

test('verifyHistory: false skips only the hash chain (the session host leaves it to the server’s open)', (t) => {
  const dir = tempDir(t);
  const altered = join(dir, 'altered.riffroom');
  HOSTILE_LOGS.find((h) => h.problem === 'history-broken')!.make(altered);
  assert.equal(inspectProject(altered, { verifyHistory: false }).lastSeq, 5);
  assertRefused(altered, 'history-broken', /history is damaged at entry 2/);
  const trigger = join(dir, 'trigger.riffroom');
  HOSTILE_LOGS.find((h) => h.problem === 'unexpected-schema')!.make(trigger);
  assert.throws(
    () => inspectProject(trigger, { verifyHistory: false }),
    (err: unknown) => err instanceof ProjectFileError && err.problem === 'unexpected-schema',
  );
});

test('opening a decompression bomb keeps the process’s memory within the ceiling (peak RSS in a child process)', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bomb.riffroom');
  HOSTILE_LOGS.find((h) => h.name === 'a decompression bomb as a snapshot')!.make(file);
  const script = `
    import { inspectProject } from ${JSON.stringify(fileURLToPath(new URL('./project-file.ts', import.meta.url)))};
    const startRss = process.memoryUsage().rss;
    let problem = null;
    try { inspectProject(${JSON.stringify(file)}); } catch (err) { problem = err.problem; }
    process.stdout.write(JSON.stringify({ problem, startRss, peakRss: process.resourceUsage().maxRSS * 1024 }));
  `;
  const { problem, startRss, peakRss } = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as { problem: string; startRss: number; peakRss: number };
  assert.equal(problem, 'too-large');
  const MiB = 2 ** 20;
  const grew = peakRss - startRss;
  assert.ok(
    grew < LIMITS.projectFile.maxInflatedBytes + 32 * MiB && grew < BOMB_INFLATED_BYTES / 2,
    `the child grew ${(grew / MiB).toFixed(0)} MiB opening a ${BOMB_INFLATED_BYTES / MiB} MiB bomb`,
  );
});
