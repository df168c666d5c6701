/**
 * Hostile room files in a server's own data folder (a decompression bomb, a trigger that deletes
 * history on every append, an oversized update): the real server process refuses each room —
 * its websocket upgrade and its history API — and keeps running; the files stay byte for byte as
 * they were, and stock y-websocket peers in another room keep editing together while attackers
 * knock on the hostile rooms, with that room's log complete afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { addClip, addTrack, initSong } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { getLastSeq, healthz } from './support/room-api.ts';
import { HOSTILE_LOGS, fileFingerprint } from './support/hostile-logs.ts';

const HOSTILE_ROOMS = [
  ['bomb', 'a decompression bomb as the room state'],
  ['trigger', 'a trigger that deletes history on every append'],
  ['huge', 'an update over the size bound (its hash right)'],
] as const;

/** The status a websocket upgrade to `room` is answered with (101 when it is accepted). */
function upgradeStatus(wsUrl: string, room: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${wsUrl}/${room}?token=${encodeURIComponent(testToken(room, 'editor', 'mallory'))}`);
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
  });
}

test('a server refuses hostile room files in its data folder, stays up, and serves its other rooms', async (t) => {
  const dataDir = tempDataDir();
  mkdirSync(join(dataDir, 'rooms'));
  const fingerprints = new Map<string, ReturnType<typeof fileFingerprint>>();
  for (const [room, name] of HOSTILE_ROOMS) {
    const file = join(dataDir, 'rooms', `${room}.riffroom`);
    HOSTILE_LOGS.find((h) => h.name === name)!.make(file);
    fingerprints.set(file, fileFingerprint(file));
  }
  const server = await startServerProcess({ dataDir });
  t.after(() => server.kill());

  const a = await connectClient(server.wsUrl, 'good', testToken('good', 'editor', 'ann'));
  const b = await connectClient(server.wsUrl, 'good', testToken('good', 'editor', 'ben'));
  try {
    initSong(a.doc, { title: 'Still here' });
    const track = addTrack(a.doc, { role: 'keys' });
    await waitFor(() => b.doc.getMap('tracks').has(track), 5000, 'b has the track');
    let made = 0;
    for (let round = 0; round < 3; round++) {
      for (const [room] of HOSTILE_ROOMS) {
        // An honest edit while each hostile room is knocked on.
        addClip(b.doc, { trackId: track, startBar: made, lengthBars: 1, name: `clip ${made}` });
        made++;
        assert.equal(await upgradeStatus(server.wsUrl, room), 500, `${room}: the upgrade is refused`);
        const history = await fetch(`${server.url}/api/rooms/${room}/history`, {
          headers: { authorization: `Bearer ${testToken(room, 'owner')}` },
        });
        assert.equal(history.status, 500, `${room}: the history API refuses it`);
        const { error } = (await history.json()) as { error: string };
        assert.match(error, /^the room's log cannot be opened: /, `${room}: the reason is given`);
        assert.ok(!error.includes(server.dataDir), `${room}: without the server's paths`);
      }
    }
    await waitFor(() => readSong(a.doc).clips.length === made, 5000, 'a has every clip b made meanwhile');
    assert.equal(JSON.stringify(readSong(a.doc)), JSON.stringify(readSong(b.doc)), 'the honest peers converged');
    assert.equal(await getLastSeq(server, 'good', testToken('good', 'owner')), made + 2, 'every honest edit is logged');
    assert.ok((await healthz(server)).ok, 'the server is up');
  } finally {
    disconnect(a);
    disconnect(b);
  }
  // Each refusal says why, in the server's log.
  await waitFor(() => HOSTILE_ROOMS.every(([room]) => server.output().includes(`${room}.riffroom`)), 5000, 'the reasons are logged');
  assert.match(server.output(), /bomb\.riffroom: its room state at entry 5 inflates to more than 64 MiB/);
  assert.match(server.output(), /trigger\.riffroom: it holds a trigger "wipe_history" on table "entries"/);
  assert.match(server.output(), /huge\.riffroom: entry 6 holds an update of 8,388,609 bytes/);
  assert.equal(await server.kill(), 0, 'a clean shutdown');
  for (const [file, before] of fingerprints) assert.deepEqual(fileFingerprint(file), before, `${file} is untouched`);
  const log = new RoomLog(join(dataDir, 'rooms', 'good.riffroom'), { readOnly: true });
  try {
    assert.equal(log.verify(), null, 'the good room’s log is complete and its chain holds');
  } finally {
    log.close();
  }
});
