import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openForChecking, openHardened } from './sqlite-open.ts';
import { fileFingerprint, writeGoodLog } from '../../tests/support/hostile-logs.ts';

test('every connection distrusts the schema and is defensive', () => {
  const db = openHardened(':memory:', { readOnly: false });
  try {
    assert.equal((db.prepare('PRAGMA trusted_schema').get() as { trusted_schema: number }).trusted_schema, 0);
    db.exec('CREATE TABLE t (a); PRAGMA writable_schema = ON');
    // Defensive mode: the schema cannot be rewritten behind SQLite's back, even when asked to.
    assert.throws(() => db.exec("UPDATE sqlite_master SET sql = 'CREATE TABLE t (b)'"), /may not be modified/);
  } finally {
    db.close();
  }
});

test('a checking connection cannot write and leaves nothing beside the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-open-'));
  const path = join(dir, 'song.riffroom');
  writeGoodLog(path);
  const before = fileFingerprint(path);
  const db = openForChecking(path);
  try {
    assert.equal((db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, 5);
    assert.throws(() => db.exec('DELETE FROM entries'), /readonly|read-only/i);
  } finally {
    db.close();
  }
  assert.deepEqual(fileFingerprint(path), before);
  assert.deepEqual(readdirSync(dir), ['song.riffroom']);
});
