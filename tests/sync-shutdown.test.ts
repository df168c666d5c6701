/**
 * SIGTERM drains: with peers connected the server tells them it is restarting (1012 'server
 * restarting'), closes the logs and exits 0; the room file alone (no WAL beside it) holds every
 * entry with an intact hash chain; a new server process on the same port and data serves the same
 * song, the stock providers (disableBc) reconnect by themselves, an edit made while the server was
 * away reaches the other peer and is logged once, and nothing acknowledged is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addClip, addNotes, addTrack, initSong, moveNotes, setChords } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import WebSocket from 'ws';
import { CLOSE, tokenProtocols } from '../sync-server/contract.ts';
import { jamPath } from '../core/jam/contract.ts';
import { JamClient, type JamSocketConstructor } from '../core/jam/jam-client.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getSong, waitForSeq } from './support/room-api.ts';

test('SIGTERM with peers connected: 1012, exit 0, every entry in the room file; peers come back by themselves', async () => {
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

    const closes: string[] = [];
    for (const c of clients) c.provider.once('connection-close', (event) => void closes.push(`${event?.code} ${event?.reason}`));
    assert.equal(await server.kill('SIGTERM'), 0, `exit code 0; output:\n${server.output()}`);
    assert.match(server.output(), /SIGTERM, closing rooms/);
    await waitFor(() => closes.length === 2, 5000, 'both peers saw the close');
    assert.deepEqual(
      closes,
      [`${CLOSE.serviceRestart} server restarting`, `${CLOSE.serviceRestart} server restarting`],
      'peers were told the server restarts',
    );
    // An edit while the server is away: a's provider keeps it until it is back.
    setChords(a.doc, 1920, 3840, [{ tick: 1920, duration: 1920, symbol: 'Fmaj7' }]);

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
        assert.deepEqual(
          entries.map((e) => [e.seq, e.author, e.label]),
          history.entries.map((e) => [e.seq, e.author, e.label]),
        );
      } finally {
        log.close();
      }
    }

    // A new server process on the same port: same state, and the stock clients come back by
    // themselves; the edit made meanwhile reaches b and is logged once; what the server already
    // had is not logged again.
    // (The providers may have pushed the new edit before anything here asks the server.)
    server = await startServerProcess({ dataDir, port: server.port });
    await waitFor(() => clients.every((c) => c.provider.synced), 10_000, 'clients reconnected');
    await waitFor(
      () => readSong(b.doc).chords.some((c) => c.symbol === 'Fmaj7'),
      10_000,
      'the edit made while the server was away reached b',
    );
    await waitForSeq(server, room, viewer, expectedSeq + 1);
    const after = readSong(a.doc);
    assert.deepEqual(readSong(b.doc), after);
    assert.deepEqual({ ...after, chords: song.chords }, song, 'nothing else changed, nothing acknowledged was lost');
    const fresh = await connectClient(server.wsUrl, room, viewer);
    clients.push(fresh);
    assert.deepEqual(readSong(fresh.doc), after);
    assert.deepEqual(await getSong(server, room, viewer), after);
    const final = await getHistory(server, room, viewer);
    assert.equal(final.lastSeq, expectedSeq + 1, 'the reconnects logged only the new edit');
    assert.deepEqual(
      final.entries.slice(0, expectedSeq).map((e) => [e.seq, e.author, e.label]),
      history.entries.map((e) => [e.seq, e.author, e.label]),
    );
  } finally {
    clients.forEach(disconnect);
    await server.kill();
  }
});

test('SIGTERM: a jam channel hears 1012 too, and the jam client is back by itself on the new process', async () => {
  const dataDir = tempDataDir();
  const room = 'drain-jam';
  let server: ServerProcess = await startServerProcess({ dataDir });
  const closes: string[] = [];
  class RecordingSocket extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols);
      this.on('close', (code, reason) => void closes.push(`${code} ${reason}`));
    }
  }
  const jam = new JamClient({
    url: `${server.wsUrl}${jamPath(room)}`,
    auth: { token: testToken(room, 'editor', 'jo'), protocols: tokenProtocols },
    WebSocket: RecordingSocket as unknown as JamSocketConstructor,
    reconnectMinMs: 100,
    reconnectMaxMs: 500,
  });
  try {
    await waitFor(() => jam.status === 'ready', 10_000, 'the jam client is ready');
    assert.equal(await server.kill('SIGTERM'), 0, server.output());
    await waitFor(() => closes.length > 0, 5000, 'the jam socket closed');
    assert.equal(closes[0], `${CLOSE.serviceRestart} server restarting`);
    server = await startServerProcess({ dataDir, port: server.port });
    await waitFor(() => jam.status === 'ready', 10_000, 'the jam client reconnected by itself');
    assert.ok(jam.connections >= 2);
  } finally {
    jam.close();
    await server.kill();
  }
});
