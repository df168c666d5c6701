/**
 * Graceful shutdown: SIGTERM with peers connected exits 0 after telling peers it is going away
 * (1001); the room file alone (no WAL beside it) holds every entry with an intact hash chain; a
 * restarted server serves the same song and the stock clients reconnect without re-logging
 * anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addClip, addNotes, addTrack, initSong, moveNotes, setChords } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { CLOSE } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getLastSeq, getSong, waitForSeq } from './support/room-api.ts';

test('SIGTERM with peers connected: exit 0, every entry in the room file, same state after restart', async () => {
  const dataDir = tempDataDir();
  const room = 'shutdown-jam';
  const viewer = testToken(room, 'viewer');
  let server: ServerProcess = await startServerProcess({ dataDir });
  const clients: Client[] = [];
  try {
    for (const name of ['ann', 'ben']) clients.push(await connectClient(server.wsUrl, room, testToken(room, 'editor', name)));
    const [a, b] = clients as [Client, Client];
    initSong(a.doc, { title: 'Goodnight' });
    const track = addTrack(a.doc, { role: 'keys' });
    await waitFor(() => b.doc.getMap('tracks').has(track), 5000, 'b has the track');
    for (let i = 0; i < 20; i++) {
      const who = i % 2 ? b : a;
      const clip = addClip(who.doc, { trackId: track, startBar: i * 2, lengthBars: 1 });
      const notes = addNotes(who.doc, clip, [{ pitch: 60 + i, tick: 0, duration: 240, velocity: 90 }]);
      moveNotes(who.doc, clip, notes, { ticks: 240 });
    }
    setChords(b.doc, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'Cmaj7' }]);
    const expectedSeq = 2 + 20 * 3 + 1;
    await waitForSeq(server, room, viewer, expectedSeq);
    await waitFor(() => JSON.stringify(readSong(a.doc)) === JSON.stringify(readSong(b.doc)), 5000, 'a and b converge');
    const song = readSong(a.doc);
    const history = await getHistory(server, room, viewer);
    assert.equal(history.lastSeq, expectedSeq);

    const closes: (number | undefined)[] = [];
    for (const c of clients) c.provider.on('connection-close', (event) => closes.push(event?.code));
    assert.equal(await server.kill('SIGTERM'), 0, `exit code 0; output:\n${server.output()}`);
    assert.match(server.output(), /SIGTERM, closing rooms/);
    await waitFor(() => closes.length === 2, 5000, 'both peers saw the close');
    assert.deepEqual(closes, [CLOSE.goingAway, CLOSE.goingAway], 'peers were told the server is going away');

    // The project file alone has everything: the WAL was folded in and removed.
    const file = join(dataDir, 'rooms', `${room}.riffroom`);
    assert.ok(!existsSync(`${file}-wal`) || statSync(`${file}-wal`).size === 0, 'no WAL left beside the room file');
    const copy = join(tempDataDir(), 'copy.riffroom');
    copyFileSync(file, copy);
    for (const path of [file, copy]) {
      const log = new RoomLog(path, { readOnly: true });
      try {
        assert.equal(log.lastSeq, expectedSeq, path);
        assert.equal(log.verify(), null, `${path}: the hash chain verifies`);
        const entries = [...log.entries(0)];
        assert.deepEqual(entries.map((e) => [e.seq, e.author, e.label]), history.entries.map((e) => [e.seq, e.author, e.label]));
      } finally {
        log.close();
      }
    }

    // Restart on the same port: same state, and the stock clients come back by themselves
    // without re-logging what the server already has.
    server = await startServerProcess({ dataDir, port: server.port });
    assert.deepEqual(await getSong(server, room, viewer), song);
    await waitFor(() => clients.every((c) => c.provider.synced), 10_000, 'clients reconnected');
    assert.deepEqual(readSong(a.doc), song);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await getLastSeq(server, room, viewer), expectedSeq, 'a reconnect that brings nothing new logs nothing');
    const fresh = await connectClient(server.wsUrl, room, viewer);
    clients.push(fresh);
    assert.deepEqual(readSong(fresh.doc), song);
  } finally {
    clients.forEach(disconnect);
    await server.kill();
  }
});
