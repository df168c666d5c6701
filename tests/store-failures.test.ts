/**
 * What the PostgreSQL store and leases do when the database connection fails at the worst moment,
 * on a real cluster with the failure injected between the store and its pool: an append whose
 * reply is lost after it committed (the store learns it committed from the log's end), one lost
 * before it ran (refused, and the store goes on), and a lease renewal that never answers (the
 * keeper gives the room up when the lease runs out, without waiting for the answer).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { createPool } from '../sync-server/store/postgres-schema.ts';
import { PostgresLogStore } from '../sync-server/store/postgres-store.ts';
import { LeaseKeeper, RoomLeases } from '../sync-server/store/room-lease.ts';
import { collect, edits, freshRoom } from '../sync-server/store/room-store.suite.ts';

type Failure = 'after-commit' | 'before-send' | 'hang' | null;

/** The pool, with the next matching query failing as asked (once), as a broken connection would. */
function faultyPool(pool: pg.Pool, matches: RegExp): { pool: pg.Pool; failNext(failure: Failure): void } {
  let next: Failure = null;
  const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { injected: true });
  const proxy = new Proxy(pool, {
    get(target, key) {
      if (key !== 'query') return Reflect.get(target, key, target);
      return async (text: string, values?: unknown[]) => {
        const failure = typeof text === 'string' && matches.test(text) ? next : null;
        if (failure) next = null;
        if (failure === 'before-send') throw lost();
        if (failure === 'hang') return new Promise(() => {});
        const result = await target.query(text, values);
        if (failure === 'after-commit') throw lost();
        return result;
      };
    },
  });
  return { pool: proxy, failNext: (failure) => (next = failure) };
}

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('PostgreSQL failures', { skip: binaries.why }, () => {});
} else {
  const cluster = await startPostgresCluster();
  after(() => cluster.stop());
  const url = await cluster.createDatabase('failures');
  const pool = createPool(url);
  after(() => pool.end());

  describe('PostgreSQL failures', () => {
    test('an append whose reply is lost after its commit is known committed; one lost before it ran is refused and the log goes on', async () => {
      const faulty = faultyPool(pool, /INSERT INTO entries/);
      const store = await PostgresLogStore.over(faulty.pool);
      const leases = new RoomLeases(pool, { node: 'node-a', leaseMs: 60_000 });
      const room = freshRoom('lost-reply');
      const s = await store.open(room, { lease: (await leases.acquire(room))! });
      await s.appendBatch(edits(1, 3));

      faulty.failNext('after-commit');
      assert.deepEqual(await s.appendBatch(edits(4, 2)), [4, 5], 'committed: its seqs, as if the reply had come');
      assert.equal(s.lastSeq, 5);

      faulty.failNext('before-send');
      await assert.rejects(s.appendBatch(edits(6, 2)), /Connection terminated unexpectedly/);
      assert.equal(s.lastSeq, 5, 'not committed: nothing of it counted');
      assert.deepEqual(await s.appendBatch(edits(6, 2)), [6, 7], 'and the same entries go in on the retry');

      assert.deepEqual(
        (await collect(s.entries(0))).map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7],
      );
      assert.equal(await s.verify(), null);
      await s.close();
    });

    test('a renewal that never answers: the keeper gives the room up once the lease has run out', async () => {
      const faulty = faultyPool(pool, /UPDATE room_leases SET expires_at = now\(\)/);
      const leases = new RoomLeases(faulty.pool, { node: 'node-a', leaseMs: 600 });
      const room = freshRoom('hung-renewal');
      const lease = (await leases.acquire(room))!;
      faulty.failNext('hang');
      const started = performance.now();
      const reason = await new Promise<string>((resolve) => new LeaseKeeper(leases, lease, resolve));
      const waited = performance.now() - started;
      assert.match(reason, /no renewal succeeded for a whole lease/);
      assert.ok(waited >= 550 && waited < 5_000, `gave up after ${Math.round(waited)} ms`);
    });
  });
}
