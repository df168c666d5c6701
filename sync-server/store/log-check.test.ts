import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { checkLogFile } from './log-check.ts';
import { RoomLogError } from './log-error.ts';
import { createMissingObjects, LOG_SCHEMA, type LogSchema } from './log-schema.ts';
import { openHardened } from './sqlite-open.ts';
import { fileFingerprint, writeGoodLog } from '../../tests/support/hostile-logs.ts';

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'riffroom-check-')), 'room.riffroom');
}

/** The schema as it will be once another table is added: one more line in ADDED_OBJECTS. */
const WITH_FUTURE_TABLE: LogSchema = {
  original: LOG_SCHEMA.original,
  added: [
    ...LOG_SCHEMA.added,
    { name: 'future_table', sql: 'CREATE TABLE future_table (id INTEGER PRIMARY KEY CHECK (id = 1), rules TEXT NOT NULL)' },
  ],
};

test('a file from before a table was added passes the checks, and gets the table once they passed', () => {
  const path = tempFile();
  writeGoodLog(path);
  const before = fileFingerprint(path);
  assert.equal(checkLogFile(path, { history: true, schema: WITH_FUTURE_TABLE }).lastSeq, 5, 'the missing newer table is accepted');
  assert.deepEqual(fileFingerprint(path), before, 'checking wrote nothing');

  const db = openHardened(path, { readOnly: false });
  createMissingObjects(db, WITH_FUTURE_TABLE);
  db.exec('PRAGMA journal_mode = DELETE');
  assert.deepEqual(
    db
      .prepare("SELECT name FROM sqlite_master WHERE name = 'future_table'")
      .all()
      .map((r) => r.name),
    ['future_table'],
  );
  db.close();
  assert.equal(checkLogFile(path, { history: true, schema: WITH_FUTURE_TABLE }).lastSeq, 5, 'and passes with it');
  // The release that does not know the table yet refuses a file that has it: it would not keep it.
  assert.throws(() => checkLogFile(path, { history: true }), {
    name: 'RoomLogError',
    problem: 'unexpected-schema',
    message: /a table "future_table"/,
  });
});

test('a newer table of another definition is refused; a missing original table still is', () => {
  const path = tempFile();
  writeGoodLog(path);
  const db = new DatabaseSync(path);
  db.exec('CREATE TABLE future_table (id INTEGER PRIMARY KEY, rules BLOB); PRAGMA journal_mode = DELETE');
  db.close();
  assert.throws(
    () => checkLogFile(path, { history: true, schema: WITH_FUTURE_TABLE }),
    (err: unknown) => {
      assert.ok(err instanceof RoomLogError);
      assert.equal(err.problem, 'unexpected-schema');
      assert.match(err.reason, /column future_table\.rules is declared "BLOB", not TEXT/);
      return true;
    },
  );

  const partial = tempFile();
  writeGoodLog(partial);
  const db2 = new DatabaseSync(partial);
  db2.exec('DROP TABLE bookmarks; PRAGMA journal_mode = DELETE');
  db2.close();
  assert.throws(() => checkLogFile(partial, { history: true, schema: WITH_FUTURE_TABLE }), {
    problem: 'missing-tables',
    message: /missing table bookmarks$/,
  });
});

test('a table whose definition differs only in a constraint is refused with its SQL', () => {
  const path = tempFile();
  writeGoodLog(path);
  const db = new DatabaseSync(path);
  // Same columns, but the CHECK is gone: nothing in the columns tells, the statement does.
  db.exec(`
    CREATE TABLE room_state2 (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, state BLOB NOT NULL);
    INSERT INTO room_state2 SELECT * FROM room_state; DROP TABLE room_state; ALTER TABLE room_state2 RENAME TO room_state;
    PRAGMA journal_mode = DELETE`);
  db.close();
  assert.throws(() => checkLogFile(path, { history: false }), {
    problem: 'unexpected-schema',
    message: /table room_state is defined differently/,
  });
});

test('values of the wrong type, dangling references and overlong texts are refused', async (t) => {
  const cases: [string, string, string, RegExp][] = [
    ['a text update', `UPDATE entries SET "update" = 'text' WHERE seq = 2`, 'damaged', /entry 2 has a value of the wrong type/],
    ['a short hash', `UPDATE entries SET hash = x'00' WHERE seq = 3`, 'damaged', /entry 3 has a value of the wrong type/],
    [
      'a dangling label',
      'UPDATE entries SET label_id = 999 WHERE seq = 4',
      'damaged',
      /entry 4 names an author or a label the file does not have/,
    ],
    [
      'an overlong label',
      `UPDATE labels SET text = printf('%.*c', 5000, 'x') WHERE text = 'edit 1'`,
      'too-large',
      /a label \(#\d+\) is 5000 characters long, over the 4096/,
    ],
    ['a room state past the end', 'UPDATE room_state SET seq = 99', 'damaged', /room state at entry 99 is past the log’s last entry \(5\)/],
    ['a snapshot that does not inflate', `UPDATE snapshots SET state = x'ffffffff'`, 'damaged', /snapshot at entry 5 cannot be inflated/],
    [
      'a format version that is not a number',
      `UPDATE log_meta SET value = 'one' WHERE key = 'version'`,
      'damaged',
      /format version "one" is not readable/,
    ],
  ];
  for (const [name, sql, problem, reason] of cases) {
    await t.test(name, () => {
      const path = tempFile();
      writeGoodLog(path);
      const db = new DatabaseSync(path);
      db.exec(`${sql}; PRAGMA journal_mode = DELETE`);
      db.close();
      assert.throws(
        () => checkLogFile(path, { history: false }),
        (err: unknown) => {
          assert.ok(err instanceof RoomLogError, String(err));
          assert.equal(err.problem, problem, err.message);
          assert.match(err.reason, reason);
          return true;
        },
      );
    });
  }
});
