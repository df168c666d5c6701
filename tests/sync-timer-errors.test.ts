/**
 * Work the server does from timers must never throw out of them: an uncaught exception would take
 * the whole server down (every room, every peer). A disk error in a scheduled snapshot fails that
 * room only (its peers are told 4500, reconnect, and it loads again from its log); one while the
 * idle sweep unloads a room is logged and the room is gone from memory all the same. The server
 * runs in this process (a room's log is made to throw), so an exception escaping a timer would
 * fail this test file outright.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { CLOSE } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { testToken } from './support/server-process.ts';
import { startTestServer } from './support/test-server.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getSong, healthz, waitForSeq } from './support/room-api.ts';

function verifyLog(dataDir: string, room: string): number {
  const log = new RoomLog(join(dataDir, 'rooms', `${room}.riffroom`), { readOnly: true });
  try {
    assert.equal(log.verify(), null, `${room}: the chain is intact`);
    return log.lastSeq;
  } finally {
    log.close();
  }
}

const diskError = () => Object.assign(new Error('disk I/O error (injected)'), { code: 'ERR_SQLITE_ERROR' });

test('a snapshot that fails on disk fails its room only: peers are told 4500, reconnect, and nothing is lost', async () => {
  // A snapshot after every entry, so the next edit schedules one.
  const target = await startTestServer({ snapshotPolicy: { minEntries: 1, bytesRatio: 0 } });
  const room = 'timer-snapshot';
  const other = 'timer-bystander';
  const peers: Client[] = [];
  try {
    peers.push(await connectClient(target.wsUrl, room, testToken(room, 'editor', 'ann')));
    peers.push(await connectClient(target.wsUrl, room, testToken(room, 'editor', 'ben')));
    const bystander = await connectClient(target.wsUrl, other, testToken(other, 'editor', 'cy'));
    peers.push(bystander);
    initSong(peers[0]!.doc, { title: 'Snapshots' });
    initSong(bystander.doc, { title: 'Elsewhere' });
    await waitForSeq(target, room, testToken(room, 'viewer'), 1);
    const closes: number[] = [];
    peers[1]!.provider.on('connection-close', (event) => closes.push(event?.code ?? 0));

    const log = (await target.server.rooms.get(room)).log;
    let thrown = 0;
    log.saveSnapshot = () => {
      thrown++;
      throw diskError();
    };
    const trackId = addTrack(peers[0]!.doc, { role: 'keys' });
    await waitFor(() => thrown > 0, 5000, 'the scheduled snapshot ran and failed');
    await waitFor(() => closes.includes(CLOSE.internalError), 5000, 'the room’s peers were told 4500');
    // They reconnect by themselves; the room loads again from its log (a fresh, working one).
    await waitFor(() => peers.every((p) => p.provider.wsconnected && p.provider.synced), 10_000, 'peers reconnected');
    await waitFor(() => peers[1]!.doc.getMap('tracks').has(trackId), 5000, 'the edit made as the snapshot failed is everywhere');
    setTempo(peers[1]!.doc, 123);
    await waitFor(() => readSong(peers[0]!.doc).meta.bpm === 123, 5000, 'edits flow again');
    await waitForSeq(target, room, testToken(room, 'viewer'), 3);
    assert.notEqual((await target.server.rooms.get(room)).log, log, 'the room was loaded again');
    assert.equal((await getSong(target, room, testToken(room, 'viewer'))).meta.bpm, 123);
    assert.equal(bystander.provider.wsconnected, true, 'another room never noticed');
    assert.equal((await healthz(target)).ok, true);
  } finally {
    peers.forEach(disconnect);
    await target.close();
  }
  assert.equal(verifyLog(target.dataDir, room), 3, 'song, track, tempo: every accepted edit is in the log');
});

test('a room whose log fails while the idle sweep unloads it is dropped from memory; the server keeps serving it', async () => {
  const target = await startTestServer({ idleUnloadMs: 50 });
  const room = 'timer-sweep';
  try {
    const first = await connectClient(target.wsUrl, room, testToken(room, 'editor', 'ann'));
    initSong(first.doc, { title: 'Swept' });
    setTempo(first.doc, 101);
    await waitForSeq(target, room, testToken(room, 'viewer'), 2);
    const loaded = await target.server.rooms.get(room);
    let thrown = 0;
    // Closing saves the full state, then closes the log: both fail as a full disk would.
    loaded.log.saveRoomState = () => {
      thrown++;
      throw diskError();
    };
    const close = loaded.log.close.bind(loaded.log);
    loaded.log.close = () => {
      close();
      thrown++;
      throw diskError();
    };
    disconnect(first);
    await waitFor(() => target.server.rooms.loadedCount === 0, 5000, 'the sweep unloaded the room');
    assert.equal(thrown, 2, 'both failures happened inside the sweep');
    assert.equal((await healthz(target)).ok, true, 'the server is still up');

    const again = await connectClient(target.wsUrl, room, testToken(room, 'editor', 'ben'));
    try {
      assert.equal(readSong(again.doc).meta.bpm, 101, 'it loads again from its log');
      setTempo(again.doc, 102);
      await waitForSeq(target, room, testToken(room, 'viewer'), 3);
      assert.deepEqual(
        (await getHistory(target, room, testToken(room, 'viewer'))).entries.map((e) => e.author),
        ['ann', 'ann', 'ben'],
      );
    } finally {
      disconnect(again);
    }
  } finally {
    await target.close();
  }
  assert.equal(verifyLog(target.dataDir, room), 3);
});
