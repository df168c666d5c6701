/**
 * Nothing is ever lost, even when the server is killed: SIGKILL the server process in the middle
 * of a burst of edits from three stock y-websocket clients, restart it on the same data dir and
 * port, and the clients reconnect by themselves; afterwards every edit any client made is on
 * every client and on the server, and the log's hash chain is intact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addClip, addTrack, initSong } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getSong } from './support/room-api.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL during a burst from 3 clients: restart on the same port, clients reconnect, every edit survives', async () => {
  const dataDir = tempDataDir();
  const room = 'crash-jam';
  const viewer = testToken(room, 'viewer');
  let server: ServerProcess = await startServerProcess({ dataDir });
  const port = server.port;
  const clients: Client[] = [];
  try {
    for (const name of ['ann', 'ben', 'cat']) clients.push(await connectClient(server.wsUrl, room, testToken(room, 'editor', name)));
    initSong(clients[0]!.doc, { title: 'Crash test' });
    const trackId = addTrack(clients[0]!.doc, { role: 'drums' });
    await waitFor(() => clients.every((c) => c.doc.getMap('tracks').has(trackId)), 5000, 'everyone has the track');

    const created: string[][] = clients.map(() => []);
    let stop = false;
    const burst = async (client: Client, i: number) => {
      for (let n = 0; !stop; n++) {
        created[i]!.push(
          addClip(client.doc, {
            trackId,
            startBar: n % 4000,
            lengthBars: 1,
            name: `c${i}-${n}`,
            notes: [{ pitch: 36 + i, tick: 0, duration: 120, velocity: 100 }],
          }),
        );
        await sleep(n % 4 === 0 ? 2 : 0);
      }
    };
    const bursting = clients.map((c, i) => burst(c, i));

    await sleep(150);
    assert.equal(await server.kill('SIGKILL'), null, 'killed by the signal, no exit code');
    assert.equal(server.child.signalCode, 'SIGKILL');
    const countAtKill = created.flat().length;
    await waitFor(() => clients.every((c) => !c.provider.wsconnected), 5000, 'clients noticed the server is gone');
    await sleep(100); // keep editing offline

    server = await startServerProcess({ dataDir, port });
    assert.equal(server.port, port);
    await waitFor(() => clients.every((c) => c.provider.synced), 10_000, 'stock providers reconnected and synced by themselves');
    await sleep(100); // and keep editing online again
    stop = true;
    await Promise.all(bursting);
    assert.ok(countAtKill > 10 && created.flat().length > countAtKill, 'edits were made before, during and after the outage');

    const all = created.flat();
    const songOf = (c: Client) => JSON.stringify(readSong(c.doc));
    await waitFor(() => clients.every((c) => songOf(c) === songOf(clients[0]!)), 10_000, 'clients converge');
    let onServer = await getSong(server, room, viewer);
    for (let tries = 0; JSON.stringify(onServer) !== songOf(clients[0]!) && tries < 200; tries++) {
      await sleep(10);
      onServer = await getSong(server, room, viewer);
    }
    const final = readSong(clients[0]!.doc);
    assert.deepEqual(onServer, final, 'the server has what the clients have');
    const ids = new Set(final.clips.map((c) => c.id));
    assert.equal(final.clips.length, all.length, 'no clip was lost or duplicated');
    for (const id of all) assert.ok(ids.has(id), `clip ${id} survived`);
    for (const c of clients) assert.deepEqual(readSong(c.doc), final);

    const { entries, lastSeq } = await getHistory(server, room, viewer);
    assert.deepEqual(
      entries.map((e) => e.seq),
      Array.from({ length: lastSeq }, (_, i) => i + 1),
      'seqs continue without gaps after the restart',
    );

    clients.forEach(disconnect);
    clients.length = 0;
    assert.equal(await server.kill('SIGTERM'), 0);
    const log = new RoomLog(join(dataDir, 'rooms', `${room}.riffroom`), { readOnly: true });
    try {
      assert.equal(log.verify(), null, 'the hash chain verifies');
      assert.equal(log.lastSeq, lastSeq);
    } finally {
      log.close();
    }
  } finally {
    clients.forEach(disconnect);
    await server.kill('SIGKILL');
  }
});
