/**
 * A node that loses the race for a room's lease relays the peer to the winner instead of refusing
 * it (server.ts → roomRouting's upgradeOwnedElsewhere / requestOwnedElsewhere → RoomRouter.placeOf).
 *
 * Real PostgreSQL; node A a real server process (--store, --node-id, --node-url) that owns the
 * room; node B an in-process server on the same database whose placer is told, wrongly, that the
 * room is free when it asks (as when A took it between B's look-up and B's open), so B's open
 * fails with RoomOwnedElsewhereError naming A. A stock y-websocket provider on B (disableBc) is
 * then served by A through B and converges with a peer on A, and the HTTP API through B (a GET and
 * a POST with a body) is answered by A, not 503.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { addTrack, initSong } from '../core/song/edits.ts';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { startServerProcess, TEST_SECRET, tempDataDir, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { freePorts } from './support/deploy-files.ts';
import { ClusterStore } from '../sync-server/store/cluster-store.ts';
import { NodeDirectory } from '../sync-server/cluster/node-directory.ts';
import { RoomRouter } from '../sync-server/cluster/room-router.ts';
import { startServer } from '../sync-server/server.ts';
import type pg from 'pg';

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('lost race', { skip: binaries.why }, () => {});
} else {
  test('the node that loses the race for a room relays its peer and its API requests to the winner', async () => {
    const cluster = await startPostgresCluster();
    after(() => cluster.stop());
    const url = await cluster.createDatabase('lostrace');
    const room = 'raced-room';

    const [port] = await freePorts(1);
    const a = await startServerProcess({
      port,
      args: ['--store', url, '--node-id', 'node-a', '--node-url', `http://127.0.0.1:${port}`, '--trusted-proxy', '127.0.0.1'],
    });
    after(() => a.kill('SIGKILL'));
    const onA = await connectClient(a.wsUrl, room, testToken(room, 'editor', 'ann'));
    after(() => disconnect(onA));
    initSong(onA.doc, { title: 'Raced' });

    const store = await ClusterStore.connect({ url, node: 'node-b' });
    const pool = store.logs.pool as pg.Pool;
    const directory = new NodeDirectory(pool, { node: 'node-b', url: 'http://127.0.0.1:1' });
    let asked = 0;
    const b = await startServer({
      dataDir: tempDataDir(),
      secret: TEST_SECRET,
      cluster: store,
      // "Free" whenever asked: B opens the room itself and finds A holding it.
      roomPlacer: new RoomRouter({
        node: 'node-b',
        directory,
        ownerOf: async () => {
          asked++;
          return null;
        },
      }),
    });
    after(() => b.close());

    const onB = await connectClient(`ws://127.0.0.1:${b.port}`, room, testToken(room, 'editor', 'bob'));
    after(() => disconnect(onB));
    assert.ok(asked >= 1, 'B placed the room by asking who owns it');
    assert.equal(b.rooms.loadedCount, 0, 'B does not serve the room: it lost it to A');
    const trackId = addTrack(onB.doc, { role: 'keys' });
    await waitFor(() => onA.doc.getMap('tracks').has(trackId), 10_000, 'the edit on B reaches the peer on A');

    const auth = { authorization: `Bearer ${testToken(room, 'editor', 'bob')}` };
    const history = await fetch(`http://127.0.0.1:${b.port}/api/rooms/${room}/history`, { headers: auth });
    assert.equal(history.status, 200, await history.clone().text());
    const { lastSeq } = (await history.json()) as { lastSeq: number };
    assert.ok(lastSeq >= 1);
    const bookmark = await fetch(`http://127.0.0.1:${b.port}/api/rooms/${room}/bookmarks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ seq: lastSeq, name: 'through B' }),
    });
    assert.equal(bookmark.status, 201, await bookmark.clone().text());
    const listed = await fetch(`${a.url}/api/rooms/${room}/bookmarks`, { headers: auth });
    assert.deepEqual(
      ((await listed.json()) as { bookmarks: { name: string }[] }).bookmarks.map((m) => m.name),
      ['through B'],
    );
    assert.equal(b.rooms.loadedCount, 0, "still A's");
  });
}
