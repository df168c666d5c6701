/**
 * The PostgreSQL store on a real, throwaway PostgreSQL cluster: the shared RoomStore suite (the
 * same one SQLite passes), the same entries and hashes as SQLite, what the schema refuses by
 * itself, migrations from several nodes at once, and a database restart under a writing room.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { PostgresLogStore } from '../sync-server/store/postgres-store.ts';
import { RoomLeases, type LeaseGrant } from '../sync-server/store/room-lease.ts';
import { SqliteLogStore } from '../sync-server/store/sqlite-store.ts';
import { migrate, SCHEMA_VERSION } from '../sync-server/store/postgres-schema.ts';
import { collect, comparable, edits, freshRoom, hex, roomStoreSuite } from '../sync-server/store/room-store.suite.ts';

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('PostgreSQL store', { skip: binaries.why }, () => {});
} else {
  const cluster = await startPostgresCluster();
  after(() => cluster.stop());
  const url = await cluster.createDatabase('store_suite');
  const store = await PostgresLogStore.connect(url);
  const leases = new RoomLeases(store.pool, { node: 'node-a', leaseMs: 60_000 });
  after(() => store.close());
  const held = new Map<string, LeaseGrant>();
  const leaseFor = async (room: string): Promise<LeaseGrant> => {
    let lease = held.get(room);
    if (!lease) {
      lease = (await leases.acquire(room)) ?? assert.fail(`room ${room} is held by another node`);
      held.set(room, lease);
    }
    return lease;
  };

  roomStoreSuite('PostgreSQL', () => ({
    open: async (room) => store.open(room, { lease: await leaseFor(room) }),
    openExisting: async (room) => store.open(room, { create: false, lease: await leaseFor(room) }),
  }));

  describe('PostgreSQL store', () => {
    test('keeps the same entries with the same hashes as the SQLite log', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'riffroom-same-chain-'));
      const sqlite = new SqliteLogStore((room) => join(dir, `${room}.riffroom`));
      const room = freshRoom('same');
      try {
        const fromSqlite = await sqlite.open(room);
        const fromPostgres = await store.open(room, { lease: await leaseFor(room) });
        for (const s of [fromSqlite, fromPostgres]) {
          await s.appendBatch(edits(1, 20));
          await s.saveRules({ rules: { mode: 'open' }, author: 'teacher', label: 'set the rules', time: 99 });
          await s.appendBatch(edits(21, 5));
        }
        assert.deepEqual(comparable(await collect(fromPostgres.entries(0))), comparable(await collect(fromSqlite.entries(0))));
        await fromSqlite.close();
        await fromPostgres.close();
        const file = new DatabaseSync(join(dir, `${room}.riffroom`), { readOnly: true });
        const sqliteHashes = (file.prepare('SELECT hash FROM entries ORDER BY seq').all() as { hash: Uint8Array }[]).map((r) =>
          hex(r.hash),
        );
        file.close();
        const { rows } = await store.pool.query<{ hash: Buffer }>('SELECT hash FROM entries WHERE room = $1 ORDER BY seq', [room]);
        assert.equal(sqliteHashes.length, 26);
        assert.deepEqual(
          rows.map((r) => hex(r.hash)),
          sqliteHashes,
          'entry for entry, the same chain',
        );
      } finally {
        await sqlite.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the schema itself refuses a duplicate seq, a gap, a removed entry and a dangling bookmark', async () => {
      const room = freshRoom('schema');
      const s = await store.open(room, { lease: await leaseFor(room) });
      await s.appendBatch(edits(1, 3));
      await s.close();
      const insert = (seq: number) =>
        store.pool.query(
          `INSERT INTO entries (room, seq, time, author, label, "update", hash, concurrent) VALUES ($1, $2, 1, 'x', 'x', '\\x0000', $3, false)`,
          [room, seq, Buffer.alloc(16)],
        );
      await assert.rejects(insert(3), /duplicate key value violates unique constraint "entries_pkey"/);
      await assert.rejects(insert(5), /violates foreign key constraint/, 'entry 4 is missing: a gap');
      await assert.rejects(insert(0), /violates check constraint/);
      await assert.rejects(store.pool.query('DELETE FROM entries WHERE room = $1 AND seq = 2', [room]), /violates foreign key constraint/);
      await assert.rejects(
        store.pool.query(`INSERT INTO bookmarks (room, seq, name, author, time) VALUES ($1, 9, 'x', 'x', 1)`, [room]),
        /violates foreign key constraint/,
      );
      const reopened = await store.open(room, { create: false, verifyHistory: true });
      assert.equal(reopened.lastSeq, 3);
      await assert.rejects(reopened.appendBatch(edits(4, 1)), /opened without a lease, for reading only/);
      await reopened.close();
    });

    test('a damaged entry is found by verify and refused by an open that walks the chain', async () => {
      const room = freshRoom('damaged');
      const s = await store.open(room, { lease: await leaseFor(room) });
      await s.appendBatch(edits(1, 5));
      await store.pool.query(`UPDATE entries SET label = 'rewritten' WHERE room = $1 AND seq = 3`, [room]);
      assert.deepEqual(await s.verify(), { brokenAt: 3, reason: 'entry 3 does not match its hash' });
      await s.close();
      await assert.rejects(store.open(room, { create: false, verifyHistory: true }), /history is damaged at entry 3/);
    });

    test('nodes migrating one database at once make the schema exactly once; a newer schema is refused', async () => {
      const fresh = await cluster.createDatabase('migrations');
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: fresh, max: 1 }));
      try {
        assert.deepEqual(await Promise.all(pools.map((p) => migrate(p))), [SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
        const { rows } = await pools[0]!.query<{ version: number }>('SELECT version FROM riffroom_migrations ORDER BY version');
        assert.deepEqual(
          rows.map((r) => r.version),
          Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
          'each migration once',
        );
        await pools[0]!.query('INSERT INTO riffroom_migrations (version) VALUES (99)');
        await assert.rejects(PostgresLogStore.connect(fresh), /schema is version 99, made by a newer Riffroom/);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
    });

    test('a room open across a database restart (pg_ctl restart -m immediate) carries on; nothing acknowledged is lost', async () => {
      const room = freshRoom('restart');
      const lease = await leaseFor(room);
      const s = await store.open(room, { lease });
      await s.appendBatch(edits(1, 10));
      await cluster.restart();
      // Connections the restart cut fail once each; retry until the deadline, as a room would.
      const deadline = performance.now() + 30_000;
      let seqs: number[] | null = null;
      while (!seqs) {
        try {
          seqs = await s.appendBatch(edits(11, 5));
        } catch (err) {
          if (performance.now() > deadline) throw err;
          assert.match((err as Error).message, /terminat|connect|shut/i);
        }
      }
      assert.deepEqual(seqs, [11, 12, 13, 14, 15]);
      assert.equal((await collect(s.entries(0))).length, 15);
      assert.equal(await s.verify(), null);
      await s.close();
    });
  });
}
