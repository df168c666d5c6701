/**
 * Idle rooms leave memory and come back from their log intact: with room for only two rooms,
 * visiting three in turn unloads the idle ones; each reloads with exactly its song, keeps its
 * history going without gaps, and a server full of busy rooms refuses a new one (503) instead of
 * going over its limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { addClip, addNotes, addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import type { Song } from '../core/song/types.ts';
import { testToken } from './support/server-process.ts';
import { startTestServer } from './support/test-server.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getSong, healthz, waitForSeq } from './support/room-api.ts';

test('with maxRooms 2, three rooms visited in turn unload and reload from their logs intact', async () => {
  const target = await startTestServer({ maxRooms: 2, idleUnloadMs: 50 });
  const { rooms, metrics } = target.server;
  let maxLoaded = 0;
  const sample = setInterval(() => (maxLoaded = Math.max(maxLoaded, rooms.loadedCount)), 1);
  const open: Client[] = [];
  try {
    const names = ['unload-a', 'unload-b', 'unload-c'];
    const songs = new Map<string, Song>();
    const seqs = new Map<string, number>();
    // Visit each room: edit, wait until logged, leave. No waiting between rooms, so the third
    // visit finds two loaded rooms and must make room.
    for (const [i, room] of names.entries()) {
      const client = await connectClient(target.wsUrl, room, testToken(room, 'editor', `player${i}`));
      open.push(client);
      maxLoaded = Math.max(maxLoaded, rooms.loadedCount);
      initSong(client.doc, { title: `Song ${room}`, bpm: 90 + i });
      const track = addTrack(client.doc, { role: 'bass' });
      const clip = addClip(client.doc, { trackId: track, startBar: i, lengthBars: 2 });
      addNotes(client.doc, clip, [{ pitch: 40 + i, tick: 0, duration: 480, velocity: 100 }]);
      seqs.set(room, await waitForSeq(target, room, testToken(room, 'viewer'), 4));
      songs.set(room, readSong(client.doc));
      disconnect(open.pop()!);
      maxLoaded = Math.max(maxLoaded, rooms.loadedCount);
    }
    assert.ok(metrics.roomsUnloaded.get() >= 1, 'a room was unloaded to make room for the third');
    await waitFor(() => rooms.loadedCount === 0, 2000, 'idle rooms are swept out of memory');
    assert.equal((await healthz(target)).rooms, 0);

    // Each room reloads from its log with its song intact, and its history goes on without gaps.
    for (const [i, room] of names.entries()) {
      const client = await connectClient(target.wsUrl, room, testToken(room, 'editor', `player${i}`));
      open.push(client);
      maxLoaded = Math.max(maxLoaded, rooms.loadedCount);
      assert.deepEqual(readSong(client.doc), songs.get(room), `${room} reloaded intact`);
      assert.deepEqual(await getSong(target, room, testToken(room, 'viewer')), songs.get(room));
      setTempo(client.doc, 150 + i);
      await waitForSeq(target, room, testToken(room, 'viewer'), seqs.get(room)! + 1);
      const { entries } = await getHistory(target, room, testToken(room, 'viewer'));
      assert.deepEqual(
        entries.map((e) => e.seq),
        [1, 2, 3, 4, 5],
        `${room}: seqs continue after the reload`,
      );
      assert.equal(entries[4]!.author, `player${i}`);
      assert.equal(entries[4]!.label, `set tempo to ${150 + i} BPM`, 'the first edit after a reload keeps its label');
      disconnect(open.pop()!);
    }
    assert.ok(metrics.roomsLoaded.get() >= 6, 'every visit after an unload loaded the room again');
    assert.ok(maxLoaded <= 2, `never more than 2 rooms loaded (saw ${maxLoaded})`);
  } finally {
    clearInterval(sample);
    open.forEach(disconnect);
    await target.close();
  }
});

test('a server whose rooms all have peers refuses a new room with 503 and serves it once one frees up', async () => {
  const target = await startTestServer({ maxRooms: 2, idleUnloadMs: 60_000 });
  const busy: Client[] = [];
  try {
    for (const room of ['busy-a', 'busy-b']) busy.push(await connectClient(target.wsUrl, room, testToken(room)));
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${target.wsUrl}/busy-c?token=${testToken('busy-c')}`);
      ws.on('open', () => reject(new Error('a third room was opened')));
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
    });
    assert.equal(status, 503);
    assert.equal(target.server.rooms.loadedCount, 2);
    // Rooms with peers were not unloaded: their clients still sync.
    initSong(busy[0]!.doc, { title: 'still here' });
    await waitForSeq(target, 'busy-a', testToken('busy-a'), 1);

    // When one room empties, it is idle and gives way even before its idle time is up.
    disconnect(busy.pop()!);
    await waitFor(() => target.server.rooms.loaded('busy-a')?.peerCount === 1, 2000, 'busy-a still has its peer');
    await new Promise((r) => setTimeout(r, 20));
    const third = await connectClient(target.wsUrl, 'busy-c', testToken('busy-c'));
    busy.push(third);
    assert.equal(target.server.rooms.loadedCount, 2);
    assert.equal(readSong(busy[0]!.doc).meta.title, 'still here');
  } finally {
    busy.forEach(disconnect);
    await target.close();
  }
});
