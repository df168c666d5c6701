import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { RoomLog, RoomLogError } from './room-log.ts';
import { LIMITS } from '../limits.ts';
import { BOMB_INFLATED_BYTES, HOSTILE_LOGS, fileFingerprint, writeGoodLog } from '../../tests/support/hostile-logs.ts';

function tempFile(name = 'room.riffroom'): string {
  return join(mkdtempSync(join(tmpdir(), 'riffroom-log-')), name);
}

const update = (...bytes: number[]) => Uint8Array.from(bytes);
/** SQLite rows have a null prototype; compare them as plain objects. */
const plain = <T extends object>(rows: T[]): T[] => rows.map((r) => ({ ...r }));

function fill(log: RoomLog, n: number): void {
  for (let i = 1; i <= n; i++) {
    log.append({ time: 1000 + i, author: i % 2 ? 'ann' : 'ben', label: `edit ${i}`, update: update(i, i, i) });
  }
}

test('append numbers entries from 1; entries and history read them back in order', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  try {
    assert.equal(log.lastSeq, 0);
    assert.deepEqual([...log.entries(0)], []);
    assert.equal(log.append({ time: 5, author: 'ann', label: 'created song', update: update(1, 2, 3) }), 1);
    assert.equal(log.append({ time: 6, author: 'ben', label: 'added track Bass', update: update(4, 5) }), 2);
    assert.equal(log.append({ time: 7, author: 'ann', label: 'created song', update: update(6) }), 3);
    assert.equal(log.lastSeq, 3);
    const all = [...log.entries(0)].map((e) => ({ seq: e.seq, time: e.time, author: e.author, label: e.label, update: e.update }));
    assert.deepEqual(all, [
      { seq: 1, time: 5, author: 'ann', label: 'created song', update: update(1, 2, 3) },
      { seq: 2, time: 6, author: 'ben', label: 'added track Bass', update: update(4, 5) },
      { seq: 3, time: 7, author: 'ann', label: 'created song', update: update(6) },
    ]);
    assert.ok(all.every((e) => e.update instanceof Uint8Array));
    assert.deepEqual(
      [...log.entries(1, 2)].map((e) => e.seq),
      [2],
      'after < seq <= upTo',
    );
    assert.deepEqual(
      [...log.entries(3)].map((e) => e.seq),
      [],
    );
    assert.deepEqual(plain(log.history(0, 10)), [
      { seq: 1, time: 5, author: 'ann', label: 'created song', bytes: 3 },
      { seq: 2, time: 6, author: 'ben', label: 'added track Bass', bytes: 2 },
      { seq: 3, time: 7, author: 'ann', label: 'created song', bytes: 1 },
    ]);
    assert.deepEqual(
      log.history(1, 1).map((e) => e.seq),
      [2],
      'after and limit',
    );
    assert.equal(log.updateBytesAfter(0), 6);
    assert.equal(log.updateBytesAfter(1), 3);
    assert.equal(log.verify(), null);
  } finally {
    log.close();
  }
  // Reopened, it continues where it was.
  const again = new RoomLog(path);
  try {
    assert.equal(again.lastSeq, 3);
    assert.equal(again.append({ time: 8, author: 'cat', label: 'set tempo to 90 BPM', update: update(9) }), 4);
    assert.equal(again.verify(), null, 'the chain continues across reopen');
  } finally {
    again.close();
  }
});

test('updatePage pages through entries by bytes and count, at least one entry per page', () => {
  const log = new RoomLog(tempFile());
  try {
    const sizes = [10, 10, 10, 50, 10, 10];
    sizes.forEach((n, i) => log.append({ time: i, author: 'a', label: 'x', update: new Uint8Array(n).fill(i + 1) }));
    const page = (after: number, upTo: number, bytes: number, entries: number) =>
      log.updatePage(after, upTo, bytes, entries).map((e) => [e.seq, e.update.byteLength]);
    assert.deepEqual(
      page(0, 99, 25, 100),
      [
        [1, 10],
        [2, 10],
      ],
      'as many as fit the byte budget',
    );
    assert.deepEqual(page(3, 99, 25, 100), [[4, 50]], 'one entry bigger than the budget still comes, alone');
    assert.deepEqual(
      page(0, 99, 1000, 2),
      [
        [1, 10],
        [2, 10],
      ],
      'at most maxEntries',
    );
    assert.deepEqual(page(4, 5, 1000, 100), [[5, 10]], 'never past upTo');
    assert.deepEqual(page(6, 99, 1000, 100), []);
    assert.deepEqual(log.updatePage(0, 99, 1000, 100)[3]!.update, new Uint8Array(50).fill(4));
    // Interleaved with the live room's own reads and appends, pages still come out whole.
    const first = log.updatePage(0, 99, 25, 100);
    [...log.entries(0)];
    log.append({ time: 9, author: 'a', label: 'x', update: new Uint8Array(5) });
    const rest = log.updatePage(first.at(-1)!.seq, 99, 1000, 100);
    assert.deepEqual(
      [...first, ...rest].map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
  } finally {
    log.close();
  }
});

test('an entry is durable as soon as append returns, even if the process is killed right after', () => {
  const path = tempFile();
  const script = `
    import { RoomLog } from ${JSON.stringify(fileURLToPath(new URL('./room-log.ts', import.meta.url)))};
    const log = new RoomLog(${JSON.stringify(path)});
    for (let i = 1; i <= 25; i++) log.append({ time: i, author: 'ann', label: 'e' + i, update: Uint8Array.of(i) });
    process.kill(process.pid, 'SIGKILL');
  `;
  assert.throws(
    () => execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' }),
    (err: { signal?: string }) => err.signal === 'SIGKILL',
  );
  const log = new RoomLog(path);
  try {
    assert.equal(log.lastSeq, 25);
    assert.equal(log.verify(), null);
    assert.deepEqual(
      [...log.entries(0)].map((e) => e.label),
      Array.from({ length: 25 }, (_, i) => `e${i + 1}`),
    );
  } finally {
    log.close();
  }
});

test('snapshots are stored compressed beside the entries, newest first, and survive reopen', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  try {
    fill(log, 6);
    assert.equal(log.lastSnapshotInfo(), null);
    const state = new Uint8Array(20_000).fill(7); // very compressible
    const bytes = log.saveSnapshot(3, state);
    assert.ok(bytes > 0 && bytes < state.length / 10, `stored deflated (${bytes} bytes)`);
    assert.deepEqual({ ...log.lastSnapshotInfo() }, { seq: 3, bytes });
    const later = log.saveSnapshot(6, Uint8Array.of(1, 2, 3));
    assert.deepEqual({ ...log.lastSnapshotInfo() }, { seq: 6, bytes: later });
    assert.equal(log.lastSeq, 6, 'snapshots are not entries');
    assert.equal(log.verify(), null);
  } finally {
    log.close();
  }
  const reopened = new RoomLog(path, { readOnly: true });
  try {
    assert.equal(reopened.lastSnapshotInfo()?.seq, 6);
  } finally {
    reopened.close();
  }
});

test('bookmarks are stored with their author and listed by seq', () => {
  const log = new RoomLog(tempFile());
  try {
    fill(log, 5);
    assert.deepEqual(log.bookmarks(), []);
    log.addBookmark({ seq: 4, name: 'Chorus idea', author: 'ann', time: 100 });
    log.addBookmark({ seq: 2, name: 'Verse', author: 'ben', time: 200 });
    log.addBookmark({ seq: 4, name: 'Same seq, later', author: 'cat', time: 300 });
    assert.deepEqual(plain(log.bookmarks()), [
      { seq: 2, name: 'Verse', author: 'ben', time: 200 },
      { seq: 4, name: 'Chorus idea', author: 'ann', time: 100 },
      { seq: 4, name: 'Same seq, later', author: 'cat', time: 300 },
    ]);
    assert.equal(log.lastSeq, 5, 'bookmarks are not entries');
    assert.equal(log.bookmarkCount(), 3);
    assert.equal(log.verify(), null);
  } finally {
    log.close();
  }
});

test('verify() finds the first entry that was changed or removed behind the log’s back', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  fill(log, 10);
  log.close();

  const tamper = (sql: string) => {
    const db = new DatabaseSync(path);
    db.exec(sql);
    db.close();
  };
  const check = () => {
    // Opening walks the chain too (and refuses a broken one): skip that to see what verify() finds.
    const reopened = new RoomLog(path, { readOnly: true, verifyHistory: false });
    try {
      return reopened.verify();
    } finally {
      reopened.close();
    }
  };
  assert.equal(check(), null);
  tamper(`UPDATE entries SET "update" = x'00' WHERE seq = 6`);
  assert.deepEqual(check(), { brokenAt: 6, reason: 'entry 6 does not match its hash' });
  tamper(`UPDATE entries SET "update" = x'ff' WHERE seq = 3`);
  assert.equal(check()?.brokenAt, 3, 'the first break is reported');
  tamper(`UPDATE entries SET time = time + 1 WHERE seq = 2`);
  assert.equal(check()?.brokenAt, 2, 'times are covered by the hash');
  tamper('DELETE FROM entries WHERE seq = 1');
  assert.deepEqual(check(), { brokenAt: 1, reason: 'entry 1 is missing' });
  assert.throws(() => new RoomLog(path), {
    name: 'RoomLogError',
    problem: 'history-broken',
    message: /history is damaged at entry 1: entry 1 is missing/,
  });
});

test('a file of random bytes is refused with a clear RoomLogError and left byte-identical', () => {
  const path = tempFile('not-a-db.riffroom');
  const bytes = Buffer.alloc(8192);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  writeFileSync(path, bytes);
  assert.throws(
    () => new RoomLog(path),
    (err: Error) => {
      assert.ok(err instanceof RoomLogError, `a RoomLogError, got ${err.name}`);
      assert.ok(err.message.includes(path), 'names the file');
      assert.match(err.message, /not a Riffroom project \(not an SQLite database file\)/);
      return true;
    },
  );
  assert.ok(readFileSync(path).equals(bytes), 'the file is unchanged');
  assert.deepEqual(readdirSync(join(path, '..')), ['not-a-db.riffroom'], 'no journal or WAL was left beside it');
});

test("another app's SQLite file is refused and not touched", () => {
  const path = tempFile('other.sqlite');
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts (name) VALUES ('Ann')");
  db.close();
  const before = readFileSync(path);
  assert.throws(() => new RoomLog(path), { name: 'RoomLogError', message: /is not a Riffroom project \(no log_meta table\)/ });
  assert.ok(readFileSync(path).equals(before), 'the file is unchanged');
  const check = new DatabaseSync(path);
  assert.deepEqual(
    check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => r.name),
    ['contacts'],
    'no tables were added',
  );
  check.close();

  // A log_meta table of someone else's format is not ours either.
  const path2 = tempFile('other2.sqlite');
  const db2 = new DatabaseSync(path2);
  db2.exec("CREATE TABLE log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO log_meta VALUES ('format', 'acme-log')");
  db2.close();
  assert.throws(() => new RoomLog(path2), { name: 'RoomLogError', message: /not a Riffroom project \(format "acme-log"\)/ });
});

test('a log written by a newer Riffroom (log_meta version 99) is refused and left unchanged', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  fill(log, 3);
  log.close();
  const db = new DatabaseSync(path);
  db.exec("UPDATE log_meta SET value = '99' WHERE key = 'version'");
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  const before = readFileSync(path);
  for (const options of [{}, { readOnly: true }]) {
    assert.throws(
      () => new RoomLog(path, options),
      (err: Error) => {
        assert.ok(err instanceof RoomLogError);
        assert.match(err.message, /newer Riffroom/);
        assert.match(err.message, /format 99/);
        return true;
      },
    );
  }
  assert.ok(readFileSync(path).equals(before), 'the file is unchanged');
});

test('a missing file is created unless create: false or readOnly', () => {
  const path = tempFile();
  assert.throws(() => new RoomLog(path, { create: false }), RoomLogError);
  assert.throws(() => new RoomLog(tempFile(), { readOnly: true }), RoomLogError);
  const log = new RoomLog(path);
  assert.equal(log.lastSeq, 0);
  log.close();
  const reopened = new RoomLog(path, { create: false });
  assert.equal(reopened.lastSeq, 0);
  reopened.close();
});

for (const hostile of HOSTILE_LOGS) {
  test(`a file with ${hostile.name} is refused before anything is written, naming the file and the reason`, () => {
    const path = tempFile('hostile.riffroom');
    hostile.make(path);
    const before = fileFingerprint(path);
    assert.deepEqual(before.sidecars, [], 'the fixture has nothing beside it');
    for (const options of [{}, { readOnly: true }, { create: false }]) {
      assert.throws(
        () => new RoomLog(path, options),
        (err: unknown) => {
          assert.ok(err instanceof RoomLogError, `a RoomLogError, got ${err}`);
          assert.equal(err.problem, hostile.problem, err.message);
          assert.ok(err.message.includes(path), `names the file: ${err.message}`);
          assert.match(err.reason, hostile.reason);
          return true;
        },
      );
    }
    assert.deepEqual(fileFingerprint(path), before, 'same bytes (not switched to WAL), no -wal/-shm/-journal beside it');
  });
}

test('the genuine file the hostile ones are made from opens, appends and verifies', () => {
  const path = tempFile();
  writeGoodLog(path);
  const log = new RoomLog(path);
  try {
    assert.equal(log.lastSeq, 5);
    assert.ok(log.roomState() && log.snapshotAt(5), 'its room state and snapshot inflate');
    log.append({ time: 1, author: 'cat', label: 'one more', update: update(0, 0) });
    assert.equal(log.verify(), null);
  } finally {
    log.close();
  }
});

test('a file written by the previous release (its CREATE statements on several lines) opens and continues', () => {
  const path = tempFile();
  // The statements exactly as room-log.ts wrote them before the schema moved to log-schema.ts.
  const db = new DatabaseSync(path);
  db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS labels (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, author_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
        "update" BLOB NOT NULL, hash BLOB NOT NULL, concurrent INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, state BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS room_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, state BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS bookmarks (
        id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, author TEXT NOT NULL, time INTEGER NOT NULL);
      INSERT OR IGNORE INTO log_meta VALUES ('format', 'riffroom-room-log'), ('version', '1');
  `);
  db.close();
  const log = new RoomLog(path);
  try {
    fill(log, 3);
  } finally {
    log.close();
  }
  const again = new RoomLog(path);
  try {
    assert.equal(again.lastSeq, 3);
    assert.equal(again.verify(), null);
  } finally {
    again.close();
  }
});

test('a decompression bomb is refused with memory bounded by the ceiling (peak RSS in a child process)', () => {
  const path = tempFile('bomb.riffroom');
  HOSTILE_LOGS.find((h) => h.name === 'a decompression bomb as the room state')!.make(path);
  // The child does what loading a room does: open the log, inflate its room state and snapshots.
  const script = `
    import { RoomLog } from ${JSON.stringify(fileURLToPath(new URL('./room-log.ts', import.meta.url)))};
    const startRss = process.memoryUsage().rss;
    let outcome = 'loaded';
    try {
      const log = new RoomLog(${JSON.stringify(path)});
      log.roomState();
      for (const seq of log.snapshotSeqsAtOrBefore(log.lastSeq)) log.snapshotAt(seq);
      log.close();
    } catch (err) {
      outcome = err.name + ' ' + err.problem;
    }
    process.stdout.write(JSON.stringify({ outcome, startRss, peakRss: process.resourceUsage().maxRSS * 1024 }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const { outcome, startRss, peakRss } = JSON.parse(out) as { outcome: string; startRss: number; peakRss: number };
  assert.equal(outcome, 'RoomLogError too-large');
  const grew = peakRss - startRss;
  const MiB = 2 ** 20;
  assert.ok(
    grew < LIMITS.projectFile.maxInflatedBytes + 32 * MiB,
    `the child grew ${(grew / MiB).toFixed(0)} MiB: at most the ${LIMITS.projectFile.maxInflatedBytes / MiB} MiB ceiling (and slack)`,
  );
  assert.ok(grew < BOMB_INFLATED_BYTES / 2, `far below the bomb's ${BOMB_INFLATED_BYTES / MiB} MiB`);
});

test('rules are saved as an entry of the chain and a row pointing at it; the latest survive reopening', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  fill(log, 3);
  assert.equal(log.storedRules(), null, 'a new room has none');
  const first = log.saveRules({
    rules: { students: 'live-only' },
    author: 'tina',
    label: 'set the rules: students play live only',
    time: 2000,
  });
  assert.equal(first, 4);
  const second = log.saveRules({
    rules: { students: 'own-track' },
    author: 'tina',
    label: 'set the rules: students edit their own tracks',
    time: 2001,
  });
  assert.equal(second, 5);
  const entry = [...log.entries(3)][0]!;
  assert.deepEqual(
    { author: entry.author, label: entry.label, update: entry.update },
    { author: 'tina', label: 'set the rules: students play live only', update: update(0, 0) },
  );
  assert.equal(log.verify(), null);
  log.close();
  const again = new RoomLog(path, { readOnly: true });
  try {
    assert.deepEqual(again.storedRules(), { seq: 5, rules: { students: 'own-track' }, author: 'tina', time: 2001 });
    assert.equal(again.lastSeq, 5);
    assert.equal(again.verify(), null);
  } finally {
    again.close();
  }
});

test('a file from before rules were kept opens (read-only too) with none, and takes rules when opened for writing', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  fill(log, 2);
  log.close();
  const db = new DatabaseSync(path);
  db.exec('DROP TABLE room_rules');
  db.close();
  const reader = new RoomLog(path, { readOnly: true });
  assert.equal(reader.storedRules(), null);
  reader.close();
  const writer = new RoomLog(path);
  try {
    assert.equal(writer.storedRules(), null);
    assert.equal(writer.saveRules({ rules: { students: 'edit' }, author: 'tina', label: 'set the rules', time: 1 }), 3);
    assert.equal(writer.storedRules()!.seq, 3);
    assert.equal(writer.verify(), null);
  } finally {
    writer.close();
  }
});

test('saving rules is all or nothing: a failed save leaves no entry, and the log goes on', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  try {
    fill(log, 2);
    // The rules table vanishes behind the log's back: the entry written before it is rolled back.
    const other = new DatabaseSync(path);
    other.exec('DROP TABLE room_rules');
    other.close();
    assert.throws(() => log.saveRules({ rules: {}, author: 'tina', label: 'set the rules: lost', time: 1 }), /room_rules/);
    assert.equal(log.lastSeq, 2);
    assert.deepEqual(
      [...log.entries(0)].map((e) => e.label),
      ['edit 1', 'edit 2'],
    );
    assert.equal(log.append({ time: 3, author: 'ann', label: 'edit 3', update: update(3) }), 3);
    assert.equal(log.verify(), null);
  } finally {
    log.close();
  }
});

test('damaged stored rules are a RoomLogError', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  log.saveRules({ rules: { students: 'edit' }, author: 'tina', label: 'set the rules', time: 1 });
  log.close();
  const db = new DatabaseSync(path);
  db.exec("UPDATE room_rules SET rules = '{not json'");
  db.close();
  const again = new RoomLog(path);
  try {
    assert.throws(
      () => again.storedRules(),
      (err: Error) => err instanceof RoomLogError && /rules are damaged/.test(err.message),
    );
  } finally {
    again.close();
  }
});

test('appendBatch is one transaction: a failing entry leaves nothing of its batch, and the log goes on', () => {
  const path = tempFile();
  const log = new RoomLog(path);
  try {
    assert.deepEqual(log.appendBatch([{ time: 1, author: 'ann', label: 'a', update: update(1) }]), [1]);
    // SQLite cannot bind the second entry's update: the first of the batch is rolled back too.
    assert.throws(() =>
      log.appendBatch([
        { time: 2, author: 'ann', label: 'b', update: update(2) },
        { time: 3, author: 'new author', label: 'c', update: { not: 'bytes' } as unknown as Uint8Array },
      ]),
    );
    assert.equal(log.lastSeq, 1);
    assert.deepEqual(
      [...log.entries(0)].map((e) => e.seq),
      [1],
    );
    assert.deepEqual(
      log.appendBatch([
        { time: 4, author: 'new author', label: 'd', update: update(4) },
        { time: 5, author: 'ann', label: 'e', update: update(5) },
      ]),
      [2, 3],
    );
    assert.equal(log.verify(), null);
  } finally {
    log.close();
  }
  const again = new RoomLog(path);
  try {
    assert.deepEqual(
      [...again.entries(0)].map((e) => [e.seq, e.author]),
      [
        [1, 'ann'],
        [2, 'new author'],
        [3, 'ann'],
      ],
    );
  } finally {
    again.close();
  }
});
