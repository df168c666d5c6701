/**
 * Room leases across nodes on a real PostgreSQL cluster. Each "node" is its own store with its
 * own connection pool, as separate server processes would have: exclusive ownership, expiry and
 * takeover with a higher epoch, the deposed owner fenced (its writes refused, the chain never
 * forks, nothing it was told was written goes missing), racing acquires with one winner, and one
 * renewer keeping all of a node's leases in one statement per interval, each lost on its own.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { PostgresLogStore } from '../sync-server/store/postgres-store.ts';
import type pg from 'pg';
import { LeaseKeeper, LeaseLostError, LeaseRenewer, RoomLeases, type HeldLease } from '../sync-server/store/room-lease.ts';
import { collect, edit, edits, freshRoom } from '../sync-server/store/room-store.suite.ts';

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('room leases', { skip: binaries.why }, () => {});
} else {
  const cluster = await startPostgresCluster();
  after(() => cluster.stop());
  const url = await cluster.createDatabase('leases');

  interface Node {
    name: string;
    store: PostgresLogStore;
    leases: RoomLeases;
  }
  const nodes: Node[] = [];
  after(async () => {
    for (const node of nodes) await node.store.close();
  });
  async function startNode(name: string, leaseMs: number): Promise<Node> {
    const store = await PostgresLogStore.connect(url, { maxConnections: 4, applicationName: name });
    const node = { name, store, leases: new RoomLeases(store.pool, { node: name, leaseMs }) };
    nodes.push(node);
    return node;
  }
  /** Polls until the room's lease has run out by the database's clock. */
  async function waitExpired(leases: RoomLeases, room: string): Promise<void> {
    const deadline = performance.now() + 30_000;
    while ((await leases.holder(room))?.live) {
      if (performance.now() > deadline) assert.fail(`the lease on ${room} did not expire`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  // Short leases, so that expiry takes a second, yet long enough that a busy machine's stalls do
  // not make an owner lose a lease in the middle of what a test expects to succeed.
  const a = await startNode('node-a', 1000);
  const b = await startNode('node-b', 1000);

  describe('room leases', () => {
    test('one owner at a time: a live lease is not taken, and a guessed epoch writes nothing', async () => {
      const room = freshRoom('exclusive');
      const lease = (await a.leases.acquire(room))!;
      assert.equal(lease.epoch, 1);
      assert.equal(await b.leases.acquire(room), null, 'held and live: not free');
      assert.equal(await a.leases.acquire(room), null, 'not even by its holder (a second grant would be a second owner)');
      assert.deepEqual(await b.leases.holder(room).then((h) => [h!.node, h!.epoch, h!.live]), ['node-a', 1, true]);
      // Node B pretending to hold A's epoch, or its own at the same epoch: fenced.
      const forged = await b.store.open(room, { lease: { room, node: 'node-b', epoch: 1 } });
      await assert.rejects(
        forged.appendBatch([edit(1)]),
        (err: Error) => err instanceof LeaseLostError && /node node-a holds it at epoch 1/.test(err.message),
      );
      const owner = await a.store.open(room, { lease });
      assert.deepEqual(await owner.appendBatch(edits(1, 3)), [1, 2, 3]);
      assert.equal(await a.leases.renew(lease).then((r) => r?.epoch), 1, 'the holder renews');
      assert.equal(await b.leases.renew({ room, node: 'node-b', epoch: 1 }), null, 'nobody else does');
      await owner.close();
      await forged.close();
    });

    test('an expired lease is taken with the next epoch; the old owner is fenced and the chain goes on from its last entry', async () => {
      const room = freshRoom('takeover');
      const first = (await a.leases.acquire(room))!;
      const old = await a.store.open(room, { lease: first });
      await old.appendBatch(edits(1, 5));
      // A stops renewing (paused, partitioned): its lease runs out by the database's clock.
      await waitExpired(b.leases, room);
      const second = (await b.leases.acquire(room))!;
      assert.equal(second.epoch, first.epoch + 1);
      const owner = await b.store.open(room, { lease: second });
      assert.equal(owner.lastSeq, 5, 'the new owner starts from the log in the database');

      // A wakes up and writes as if nothing happened: every kind of write is refused.
      await assert.rejects(
        old.appendBatch([edit(6, { author: 'stale' })]),
        (err: Error) =>
          err instanceof LeaseLostError &&
          err.message ===
            `room ${room}: node node-a lost its lease (epoch ${first.epoch}): node node-b holds it at epoch ${second.epoch}; nothing was written`,
      );
      await assert.rejects(old.saveSnapshot(5, new Uint8Array([1])), LeaseLostError);
      await assert.rejects(old.saveRoomState(5, new Uint8Array([1])), LeaseLostError);
      await assert.rejects(old.addBookmark({ seq: 1, name: 'x', author: 'stale', time: 1 }), LeaseLostError);
      await assert.rejects(old.saveRules({ rules: {}, author: 'stale', label: 'x', time: 1 }), LeaseLostError);
      assert.equal(await a.leases.renew(first), null, 'nor can it renew');

      assert.deepEqual(await owner.appendBatch(edits(6, 2)), [6, 7]);
      const log = await collect(owner.entries(0));
      assert.deepEqual(
        log.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7],
      );
      assert.ok(
        log.every((e) => e.author !== 'stale'),
        'nothing of the old owner after the takeover',
      );
      assert.equal(await owner.verify(), null);
      assert.equal(await owner.snapshotSeqsAtOrBefore(100).then((s) => s.length), 0);
      await old.close();
      await owner.close();
    });

    test('an owner appending nonstop while its lease runs out: every acknowledged entry stays, the rest is refused, no fork', async () => {
      const room = freshRoom('burst');
      const lease = (await a.leases.acquire(room))!;
      const old = await a.store.open(room, { lease });
      const acknowledged: number[] = [];
      let refused = null as Error | null;
      // The old owner writes as fast as it can and never renews...
      const writer = (async () => {
        for (let i = 1; !refused; i++) {
          try {
            acknowledged.push(...(await old.appendBatch([edit(i, { author: 'node-a' })])));
          } catch (err) {
            refused = err as Error;
          }
        }
      })();
      // ...while node B tries to take the room until it may.
      let taken: HeldLease | null = null;
      const deadline = performance.now() + 30_000;
      while (!taken) {
        assert.ok(performance.now() < deadline, 'node B never got the room');
        taken = await b.leases.acquire(room);
      }
      await writer;
      assert.ok(refused instanceof LeaseLostError, String(refused));
      assert.ok(acknowledged.length > 0);
      const owner = await b.store.open(room, { lease: taken });
      assert.equal(owner.lastSeq, acknowledged[acknowledged.length - 1], 'the log ends with the last write A was told succeeded');
      await owner.appendBatch([edit(0, { author: 'node-b' })]);
      const log = await collect(owner.entries(0));
      assert.deepEqual(
        log.filter((e) => e.author === 'node-a').map((e) => e.seq),
        acknowledged,
        'every acknowledged entry, once, in order',
      );
      assert.deepEqual(
        log.map((e) => e.seq),
        log.map((_, i) => i + 1),
        'no gap, no duplicate',
      );
      assert.equal(await owner.verify(), null, 'one chain: it never forked');
      await old.close();
      await owner.close();
    });

    test('release frees the room at once; the releasing node may write no more', async () => {
      const room = freshRoom('release');
      const lease = (await a.leases.acquire(room))!;
      const old = await a.store.open(room, { lease });
      await old.appendBatch([edit(1)]);
      assert.equal(await a.leases.release(lease), true);
      assert.equal(await a.leases.release(lease), true, 'releasing again changes nothing');
      await assert.rejects(old.appendBatch([edit(2)]), /lost its lease \(epoch 1\): it was released/);
      const next = (await b.leases.acquire(room))!;
      assert.equal(next.epoch, 2);
      assert.equal(await a.leases.release(lease), false, 'not ours any more');
      await old.close();
    });

    test('many nodes racing for one room: exactly one wins, each time, with the next epoch', async () => {
      const racers = await Promise.all(Array.from({ length: 6 }, (_, i) => startNode(`racer-${i}`, 300)));
      const room = freshRoom('race');
      for (let round = 1; round <= 3; round++) {
        const results = await Promise.all(racers.map((node) => node.leases.acquire(room)));
        const winners = results.filter((r): r is HeldLease => r !== null);
        assert.equal(winners.length, 1, `round ${round}: ${winners.map((w) => w.node).join(', ')}`);
        assert.equal(winners[0]!.epoch, round);
        await waitExpired(racers[0]!.leases, room);
      }
    });

    test('a LeaseKeeper renews while alive, and reports the loss once another node takes the room', async () => {
      const [holder, other] = await Promise.all([startNode('keeper-a', 2000), startNode('keeper-b', 2000)]);
      const room = freshRoom('keeper');
      const lease = (await holder.leases.acquire(room))!;
      let lost: string | null = null;
      const keeper = new LeaseKeeper(holder.leases, lease, (reason) => (lost = reason));
      try {
        // Two lease lengths pass: renewed, so the other node never gets the room.
        const until = performance.now() + 2 * holder.leases.leaseMs;
        while (performance.now() < until) {
          assert.equal(await other.leases.acquire(room), null);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.ok(keeper.valid);
        assert.equal(lost, null);
        // Another node taking over (here: the lease released behind the keeper's back).
        await holder.leases.release(lease);
        assert.ok(await other.leases.acquire(room));
        const deadline = performance.now() + 10_000;
        while (lost === null) {
          assert.ok(performance.now() < deadline, 'the keeper never noticed');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.match(lost, /another node holds the room now, or it was released/);
        assert.equal(keeper.valid, false);
      } finally {
        keeper.stop();
      }
    });

    test("one LeaseRenewer renews all of a node's leases in one statement per interval; each is lost on its own", async () => {
      const store = await PostgresLogStore.connect(url, { maxConnections: 2, applicationName: 'renewer-a' });
      nodes.push({ name: 'renewer-a', store, leases: new RoomLeases(store.pool, { node: 'renewer-a', leaseMs: 1500 }) });
      // Counts the renewal statements this node sends.
      let renewals = 0;
      const counting = new Proxy(store.pool, {
        get(target, key) {
          if (key !== 'query') return Reflect.get(target, key);
          return (text: string, values?: unknown[]) => {
            if (/^UPDATE room_leases SET expires_at = now\(\)/.test(text)) renewals++;
            return target.query(text, values);
          };
        },
      }) as pg.Pool;
      const leases = new RoomLeases(counting, { node: 'renewer-a', leaseMs: 1500 });
      const renewer = new LeaseRenewer(leases);
      const rooms = Array.from({ length: 50 }, (_, i) => freshRoom(`renewed-${i}`));
      const lost = new Map<string, string>();
      try {
        const held = [];
        const began = performance.now();
        for (const room of rooms) {
          const sentAt = performance.now();
          const lease = (await leases.acquire(room))!;
          held.push({ lease, renewal: renewer.hold(lease, (reason) => lost.set(room, reason), sentAt) });
        }
        assert.equal(renewer.size, 50);
        // Two lease lengths pass: every lease renewed, none taken by the other node.
        const until = performance.now() + 2 * leases.leaseMs;
        while (performance.now() < until) {
          assert.equal(await b.leases.acquire(rooms[(performance.now() % 50) | 0]!), null);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(lost.size, 0, JSON.stringify([...lost]));
        assert.ok(held.every(({ renewal }) => renewal.valid));
        // One statement per interval (500 ms) for all 50 rooms: about 6 in 3 s, not 300.
        const intervals = Math.ceil((performance.now() - began) / 500);
        assert.ok(renewals >= 3 && renewals <= intervals + 1, `${renewals} renewal statements in ${intervals} intervals`);

        // One room taken behind the renewer's back (released, then acquired by B): only it is lost.
        await leases.release(held[7]!.lease);
        assert.ok(await b.leases.acquire(rooms[7]!));
        const deadline = performance.now() + 10_000;
        while (!lost.has(rooms[7]!)) {
          assert.ok(performance.now() < deadline, 'the renewer never noticed');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.match(lost.get(rooms[7]!)!, /another node holds the room now, or it was released/);
        assert.equal(held[7]!.renewal.valid, false);
        assert.equal(lost.size, 1);
        assert.equal(renewer.size, 49);
        // A stopped lease is no longer renewed, and runs out by itself; the rest go on.
        held[3]!.renewal.stop();
        await waitExpired(leases, rooms[3]!);
        assert.equal(lost.has(rooms[3]!), false, 'stopping is not losing');
        assert.ok((await leases.holder(rooms[4]!))?.live);
      } finally {
        renewer.stop();
      }
    });

    test("a lease's deadline starts when it was acquired: the watchdog gives it up a lease after that unless renewed", async () => {
      const leases = new RoomLeases(a.store.pool, { node: 'node-a', leaseMs: 600 });
      const renewer = new LeaseRenewer(leases);
      const room = freshRoom('deadline');
      const lease = (await leases.acquire(room))!;
      // Acquired "long ago" (as if its room took longer than a lease to load before it was held):
      // already past its deadline, so it is given up at once, never believed valid.
      let reason: string | null = null;
      const renewal = renewer.hold(lease, (why) => (reason = why), performance.now() - 700);
      assert.equal(renewal.valid, false);
      const deadline = performance.now() + 5000;
      while (reason === null) {
        assert.ok(performance.now() < deadline, 'the watchdog never fired');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.match(reason!, /no renewal succeeded for a whole lease/);
      assert.equal(renewer.size, 0);
      renewer.stop();
      await leases.release(lease);
    });
  });
}
