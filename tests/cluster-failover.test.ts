/**
 * The owner node dies with its lease still live: how long until a stock y-websocket client that
 * was relayed to it is served again? Real PostgreSQL (room_leases, riffroom_nodes), node A a real
 * server process holding the room (its lease and heartbeat kept by this process on its behalf,
 * as the lease wiring will: the store lands separately), node B an in-process server placing
 * rooms by the real leases and directory (cluster-placer.ts's rule), and a stock provider with
 * its default reconnect backoff. A dies at once (SIGKILL, its lease renewals and heartbeat stop
 * with it). The peer gets 1012 and reconnects once; B's relay to A is refused, so B counts A dead
 * (without waiting out A's heartbeat window) and holds the same connection until A's lease runs
 * out, then opens the room itself: no 1013, no round of client backoff. Defaults throughout: a 3 s
 * lease (LIMITS.store.leaseMs), a 2 s heartbeat with a 6 s window, the router's 3 s longest wait.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { startServerProcess, TEST_SECRET, tempDataDir, testToken } from './support/server-process.ts';
import { waitFor } from './support/yjs-clients.ts';
import { createPool, migrate } from '../sync-server/store/postgres-schema.ts';
import { LeaseKeeper, leaseHolder, RoomLeases } from '../sync-server/store/room-lease.ts';
import { NodeDirectory } from '../sync-server/cluster/node-directory.ts';
import { RoomRouter } from '../sync-server/cluster/room-router.ts';
import { startServer } from '../sync-server/server.ts';
import { tokenProtocols } from '../sync-server/contract.ts';
import { LIMITS } from '../sync-server/limits.ts';

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('owner failover', { skip: binaries.why }, () => {});
} else {
  test('the owner dies with a live lease: a relayed stock client is served again once the lease runs out', async () => {
    const cluster = await startPostgresCluster();
    after(() => cluster.stop());
    const pool = createPool(await cluster.createDatabase('failover'));
    after(() => pool.end());
    await migrate(pool);
    const room = 'failover-room';

    const a = await startServerProcess();
    after(() => a.kill('SIGKILL'));
    // A's side of the cluster, kept here for it: its heartbeat and its lease on the room.
    const aDirectory = new NodeDirectory(pool, { node: 'node-a', url: a.url });
    await aDirectory.start();
    const aLeases = new RoomLeases(pool, { node: 'node-a', leaseMs: LIMITS.store.leaseMs });
    const lease = await aLeases.acquire(room);
    assert.ok(lease);
    const keeper = new LeaseKeeper(aLeases, lease, () => undefined);

    const bDirectory = new NodeDirectory(pool, { node: 'node-b', url: 'http://127.0.0.1:1' });
    const b = await startServer({
      dataDir: tempDataDir(),
      secret: TEST_SECRET,
      roomPlacer: new RoomRouter({
        node: 'node-b',
        directory: bDirectory,
        ownerOf: async (r) => {
          const holder = await leaseHolder(pool, r);
          return holder?.live && holder.expiresAt ? { node: holder.node, expiresAt: holder.expiresAt.getTime() } : null;
        },
      }),
    });
    after(() => b.close());

    const doc = new Y.Doc();
    // A stock provider as an app would make it: default backoff (up to 2.5 s between tries).
    const provider = new WebsocketProvider(`ws://127.0.0.1:${b.port}`, room, doc, {
      protocols: tokenProtocols(testToken(room, 'editor', 'bob')),
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    after(() => {
      provider.destroy();
      provider.awareness.destroy();
    });
    const closes: number[] = [];
    provider.on('connection-close', (event: CloseEvent | null) => {
      if (event) closes.push(event.code);
    });
    await waitFor(() => provider.synced, 10_000, 'synced through B');
    assert.equal(b.rooms.loadedCount, 0, 'relayed, not served by B');

    // A dies: the process, its renewals and its heartbeat at once.
    const died = performance.now();
    await a.kill('SIGKILL');
    keeper.stop();
    await aDirectory.stop();
    const holder = await leaseHolder(pool, room);
    const leaseLeftMs = holder!.expiresAt!.getTime() - Date.now();
    await waitFor(() => closes.length > 0, 10_000, 'the peer told A is gone');
    provider.synced = false;
    await waitFor(() => provider.synced && b.rooms.loadedCount === 1, 30_000, 'served again, by B');
    const servedAfterMs = performance.now() - died;
    const retries = closes.filter((code) => code === 1013).length;
    console.log(
      `owner died with ${Math.round(leaseLeftMs)} ms of lease left; the relayed peer was served again by B after ${Math.round(servedAfterMs)} ms (closes: ${closes.join(', ')})`,
    );
    assert.equal(closes[0], 1012, 'first: the owner went away');
    assert.equal(retries, 0, 'never sent away to try again: B held the connection while the lease ran out');
    assert.deepEqual(closes, [1012], 'one reconnect, served on it');
    assert.ok(bDirectory.isSuspect('node-a'), "B counts A dead since its relay was refused, inside A's heartbeat window");
    // Bounded by what is left of the lease + waiting for it here (3 s) + the client's backoff (2.5 s) + slack.
    assert.ok(servedAfterMs < leaseLeftMs + 3000 + 2500 + 3000, `served after ${servedAfterMs} ms`);
  });
}
