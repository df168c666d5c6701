/**
 * The node directory on a real, throwaway PostgreSQL cluster: nodes announce themselves (several
 * at once, making the table together), look each other up, a node silent past its window counts
 * as dead, a node that leaves is dead at once, one this node could not reach is dead to it until its
 * next heartbeat, and bad URLs are refused with a clear error. Then
 * the production placer (cluster-placer.ts): rooms placed by their real leases in room_leases.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { createPool, migrate } from '../sync-server/store/postgres-schema.ts';
import { checkNodeUrl, NodeDirectory } from '../sync-server/cluster/node-directory.ts';
import { startClusterPlacer } from '../sync-server/cluster/cluster-placer.ts';
import { RoomLeases } from '../sync-server/store/room-lease.ts';

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('node directory', { skip: binaries.why }, () => {});
} else {
  const cluster = await startPostgresCluster();
  after(() => cluster.stop());
  const pool = createPool(await cluster.createDatabase('nodes'));
  after(() => pool.end());

  describe('node directory', () => {
    test('nodes announce themselves at once and find each other', async () => {
      const nodes = ['a', 'b', 'c'].map(
        (n, i) => new NodeDirectory(pool, { node: `node-${n}`, url: `http://10.0.0.${i + 1}:4455`, heartbeatMs: 100 }),
      );
      await Promise.all(nodes.map((n) => n.announce()));
      const b = await nodes[0]!.lookup('node-b');
      assert.equal(b?.url, 'http://10.0.0.2:4455');
      assert.equal(b?.alive, true);
      assert.equal(await nodes[0]!.lookup('node-z'), null);
    });

    test('a node silent past its window is dead; its heartbeat keeps it alive; leaving is dead at once', async () => {
      const quiet = new NodeDirectory(pool, { node: 'quiet', url: 'http://127.0.0.1:1', heartbeatMs: 50, windowMs: 300 });
      const beating = new NodeDirectory(pool, { node: 'beating', url: 'http://127.0.0.1:2', heartbeatMs: 50, windowMs: 300 });
      await quiet.announce();
      await beating.start();
      after(() => beating.stop());
      const announced = Date.now();
      // Polled, not slept: dead once the database's clock is past its window.
      let record = await beating.lookup('quiet');
      while (record?.alive) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        record = await beating.lookup('quiet');
      }
      assert.ok(Date.now() - announced >= 250, `dead after ${Date.now() - announced} ms, before its 300 ms window`);
      assert.ok(record!.silentMs >= 300);
      assert.equal((await quiet.lookup('beating'))?.alive, true, 'the node whose heartbeat runs is alive well past one window');
      await beating.stop({ leave: true });
      assert.equal(await quiet.lookup('beating'), null);
    });

    test('a node this one could not reach is dead to it at once, until it announces itself again', async () => {
      const watcher = new NodeDirectory(pool, { node: 'watcher', url: 'http://127.0.0.1:3', heartbeatMs: 1000 });
      const flaky = new NodeDirectory(pool, { node: 'flaky', url: 'http://127.0.0.1:4', heartbeatMs: 1000 });
      await flaky.announce();
      const seen = (await watcher.lookup('flaky'))!;
      assert.equal(seen.alive, true);
      watcher.suspect('flaky', seen.seenAt);
      const suspected = (await watcher.lookup('flaky'))!;
      assert.equal(suspected.alive, false, 'dead here, well inside its window');
      assert.ok(suspected.silentMs < flaky.windowMs);
      assert.equal((await flaky.lookup('flaky'))?.alive, true, "the suspicion is the watcher's own");
      // An older heartbeat's suspicion does not outlive a newer one.
      watcher.suspect('flaky', seen.seenAt - 1);
      assert.equal((await watcher.lookup('flaky'))!.alive, false);
      // Its next heartbeat (a later seen_at, by the database's clock) clears it.
      while ((await watcher.lookup('flaky'))!.seenAt <= seen.seenAt) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await flaky.announce();
      }
      assert.equal((await watcher.lookup('flaky'))!.alive, true);
      assert.equal(watcher.isSuspect('flaky'), false);
      await flaky.stop({ leave: true });
    });

    test('a running node holds its liveness lock: its leases end early only once its session is gone', async () => {
      await migrate(pool);
      // Another deployment on the same PostgreSQL with the same node ids: its locks do not count here.
      const elsewhere = createPool(await cluster.createDatabase('nodes_elsewhere'));
      const namesakes = ['live-a', 'live-b', 'live-c', 'live-d'].map(
        (node) => new NodeDirectory(elsewhere, { node, url: 'http://127.0.0.1:7', heartbeatMs: 1000 }),
      );
      await Promise.all(namesakes.map((n) => n.start()));
      after(async () => {
        for (const n of namesakes) await n.stop();
        await elsewhere.end();
      });
      // A node id whose hashtext is negative and one whose is positive: both found in pg_locks.
      for (const node of ['live-a', 'live-b', 'live-c', 'live-d']) {
        const directory = new NodeDirectory(pool, { node, url: 'http://127.0.0.1:5', heartbeatMs: 1000 });
        await directory.start();
        assert.equal(directory.holdsLiveness, true);
        // A second process under the same id (the first one paused, say) cannot take it.
        const twin = new NodeDirectory(pool, { node, url: 'http://127.0.0.1:6', heartbeatMs: 1000 });
        await twin.start();
        assert.equal(twin.holdsLiveness, false);
        await twin.stop();
        const mine = new RoomLeases(pool, { node, leaseMs: 60_000 });
        const other = new RoomLeases(pool, { node: 'taker', leaseMs: 60_000 });
        const lease = (await mine.acquire(`liveness-${node}`))!;
        assert.equal(
          await other.expireIfHolderGone(lease),
          false,
          'alive (or only paused): its session holds the lock, the lease runs its course',
        );
        assert.equal((await other.holder(lease.room))?.live, true);
        await directory.stop();
        assert.equal(directory.holdsLiveness, false);
        // Its backend ends a moment after the connection closes: polled, not slept.
        const deadline = Date.now() + 10_000;
        while (!(await other.expireIfHolderGone(lease))) {
          assert.ok(Date.now() < deadline, 'its session is gone: the lease ends now');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.equal((await other.holder(lease.room))?.live, false);
        const taken = (await other.acquire(lease.room))!;
        assert.equal(taken.epoch, lease.epoch + 1, 'taken with the next epoch, as after any expiry');
        assert.equal(await mine.renew(lease), null, 'the former holder keeps nothing');
        assert.equal(await other.expireIfHolderGone(lease), false, 'only the lease it named, at its epoch');
      }
    });

    test('a node URL is scheme, host and port only', () => {
      assert.equal(checkNodeUrl('http://10.0.0.5:4455/'), 'http://10.0.0.5:4455');
      assert.throws(() => checkNodeUrl('ftp://10.0.0.5:4455'), /http:\/\/ or https:\/\//);
      assert.throws(() => checkNodeUrl('10.0.0.5:4455'), /must look like/);
      assert.throws(() => checkNodeUrl('nonsense'), /must look like/);
      assert.throws(() => checkNodeUrl('http://10.0.0.5:4455/rooms'), /no path/);
      assert.throws(() => new NodeDirectory(pool, { node: 'x', url: 'http://a:1', heartbeatMs: 100, windowMs: 50 }), /must be longer/);
    });
  });

  describe('cluster placer (leases + directory)', () => {
    test("places rooms by their live leases: here, relayed to a live owner, here after a dead owner's lease runs out", async () => {
      await migrate(pool);
      const here = await startClusterPlacer(pool, { node: 'n1', url: 'http://127.0.0.1:4001', heartbeatMs: 100, maxWaitMs: 2000 });
      const there = await startClusterPlacer(pool, { node: 'n2', url: 'http://127.0.0.1:4002', heartbeatMs: 100 });
      after(() => here.stop());
      const leasesOf2 = new RoomLeases(pool, { node: 'n2', leaseMs: 800 });
      const leasesOf1 = new RoomLeases(pool, { node: 'n1', leaseMs: 800 });
      assert.equal(await here.placer.where('free-room'), 'here');
      assert.ok(await leasesOf1.acquire('mine'));
      assert.equal(await here.placer.where('mine'), 'here');
      assert.ok(await leasesOf2.acquire('theirs'));
      const relayed = await here.placer.where('theirs');
      assert.ok(typeof relayed === 'object' && 'url' in relayed, JSON.stringify(relayed));
      assert.deepEqual({ url: relayed.url, node: relayed.node }, { url: 'http://127.0.0.1:4002', node: 'n2' });
      assert.equal(typeof relayed.seenAt, 'number', 'with the heartbeat it was seen at, for a suspicion');
      // n2 leaves (or dies and is seen dead): its room is here once its lease has run out.
      await there.stop();
      const asked = Date.now();
      assert.equal(await here.placer.where('theirs'), 'here');
      const waited = Date.now() - asked;
      assert.ok(waited <= 2000, `waited ${waited} ms`);
      assert.ok(await leasesOf1.acquire('theirs'), 'the lease is free by then');
    });
  });
}
