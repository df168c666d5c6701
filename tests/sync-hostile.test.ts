/**
 * Hostile and broken peers cannot hurt a room: each bad message closes only the sender's
 * connection, with the contract's close code and a reason; the server keeps serving, the log is
 * untouched (history unchanged, hash chain intact) and stock y-websocket peers in the same room
 * keep editing together. A viewer syncs and receives edits but cannot write.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { addClip, addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { CLOSE, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { syncUpdateMessage, withTimeout } from './support/raw-sockets.ts';
import { startServerProcess, testToken } from './support/server-process.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getSong, healthz } from './support/room-api.ts';
import { Rng } from './support/random-edits.ts';

const MAX_MESSAGE_BYTES = 64 * 1024;
const ROOM = 'hostile';
const viewerToken = testToken(ROOM, 'viewer', 'vera');

let target: TestServer;
let peers: Client[] = [];
let trackId = '';

before(async () => {
  target = await startTestServer({ maxMessageBytes: MAX_MESSAGE_BYTES });
  peers = [
    await connectClient(target.wsUrl, ROOM, testToken(ROOM, 'editor', 'ed')),
    await connectClient(target.wsUrl, ROOM, testToken(ROOM, 'editor', 'eve')),
  ];
  initSong(peers[0]!.doc, { title: 'Under attack' });
  trackId = addTrack(peers[0]!.doc, { role: 'keys' });
  await waitFor(() => peers[1]!.doc.getMap('tracks').has(trackId), 5000, 'second peer has the track');
});

after(async () => {
  peers.forEach(disconnect);
  await target.close();
  // After everything the hostile peers sent, the log's chain is intact.
  const log = new RoomLog(join(target.dataDir, 'rooms', `${ROOM}.riffroom`), { readOnly: true });
  try {
    assert.equal(log.verify(), null);
    assert.ok(log.lastSeq > 0);
  } finally {
    log.close();
  }
});

interface Closed {
  code: number;
  reason: string;
}

/** A raw `ws` socket to a room, open and with the server's first sync message received. */
async function openRaw(token: string, room = ROOM): Promise<{ ws: WebSocket; closed: Promise<Closed> }> {
  const ws = new WebSocket(`${target.wsUrl}/${room}?token=${encodeURIComponent(token)}`);
  const closed = new Promise<Closed>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {}); // a closed-under-us socket reports errors; the close is what we check
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return { ws, closed };
}

/** A real edit that the room does not have yet, as a Yjs update. */
function realUpdate(): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(peers[0]!.doc));
  const before = Y.encodeStateVector(doc);
  addClip(doc, { trackId, startBar: 500, lengthBars: 1, name: 'sneaky' });
  return Y.encodeStateAsUpdate(doc, before);
}

/** The room still works for stock peers: an edit by one reaches the other, and the server has it. */
async function assertPeersStillWork(what: string): Promise<void> {
  assert.ok(
    peers.every((p) => p.provider.wsconnected),
    `${what}: stock peers stayed connected`,
  );
  const bpm = 60 + Math.floor(Math.random() * 100);
  setTempo(peers[0]!.doc, bpm);
  await waitFor(() => readSong(peers[1]!.doc).meta.bpm === bpm, 5000, `${what}: an edit reached the other peer`);
  const id = addClip(peers[1]!.doc, { trackId, startBar: Math.floor(Math.random() * 400), lengthBars: 1 });
  await waitFor(() => readSong(peers[0]!.doc).clips.some((c) => c.id === id), 5000, `${what}: an edit came back`);
  const viewer = testToken(ROOM, 'viewer');
  const deadline = Date.now() + 5000;
  while (JSON.stringify(await getSong(target, ROOM, viewer)) !== JSON.stringify(readSong(peers[0]!.doc))) {
    if (Date.now() > deadline) assert.fail(`${what}: the server does not have the peers' song`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sends `messages` from a raw socket and checks: closed with `code` and a reason matching
 * `reason`; the server is healthy; the log did not change; stock peers keep working.
 */
async function expectRejected(
  what: string,
  messages: (Uint8Array | string)[],
  code: number,
  reason: RegExp,
  token = testToken(ROOM, 'editor', 'mallory'),
): Promise<void> {
  const viewer = testToken(ROOM, 'viewer');
  const historyBefore = await getHistory(target, ROOM, viewer);
  const songBefore = JSON.stringify(readSong(peers[0]!.doc));
  const { ws, closed } = await openRaw(token);
  for (const m of messages) ws.send(m, { binary: typeof m !== 'string' });
  const result = await withTimeout(closed, 5000, `${what}: the server closes the connection`);
  assert.equal(result.code, code, `${what}: close code (reason: ${result.reason})`);
  assert.match(result.reason, reason, `${what}: close reason`);
  assert.equal((await healthz(target)).ok, true, `${what}: server healthy`);
  assert.deepEqual(await getHistory(target, ROOM, viewer), historyBefore, `${what}: nothing was logged`);
  assert.equal(JSON.stringify(readSong(peers[0]!.doc)), songBefore, `${what}: peers received nothing`);
  await assertPeersStillWork(what);
}

test('random bytes close the connection with 4400', async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rng = new Rng(seed);
    // A leading byte of 0, 1 or 2 makes the rest be parsed as sync, awareness or auth.
    const bytes = Uint8Array.from({ length: 48 }, (_, i) => (i === 0 ? seed % 3 : rng.int(0, 255)));
    await expectRejected(`random bytes (seed ${seed})`, [bytes], CLOSE.malformed, /\w/);
  }
});

test('a truncated sync message closes with 4400', async () => {
  const whole = syncUpdateMessage(realUpdate());
  await expectRejected('truncated', [whole.slice(0, Math.floor(whole.length / 2))], CLOSE.malformed, /truncated/);
  await expectRejected('only the message type', [Uint8Array.of(MESSAGE_SYNC)], CLOSE.malformed, /truncated/);
});

test('a declared length far beyond the message closes with 4400', async () => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint(encoder, 2 ** 40); // "a terabyte follows"
  encoding.writeUint8Array(encoder, Uint8Array.of(1, 2, 3, 4));
  await expectRejected('huge declared length', [encoding.toUint8Array(encoder)], CLOSE.malformed, /truncated/);
});

test('a message over maxMessageBytes closes with 1009', async () => {
  const big = new Uint8Array(MAX_MESSAGE_BYTES + 1);
  big[0] = MESSAGE_SYNC;
  // ws itself closes with 1009; its close frame carries no words, the code is the reason.
  await expectRejected('oversized', [big], CLOSE.tooLarge, /^/);
});

test('a framed message with garbage instead of a Yjs update closes with 4400', async () => {
  const garbage = Uint8Array.from([7, 200, 13, 99, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await expectRejected('bogus update', [syncUpdateMessage(garbage)], CLOSE.malformed, /not a Yjs update/);
});

test('an unknown message type or sync step closes with 4400', async () => {
  await expectRejected('unknown type', [Uint8Array.of(9, 0, 0)], CLOSE.malformed, /unknown message type 9/);
  await expectRejected('unknown sync step', [Uint8Array.of(MESSAGE_SYNC, 7, 0)], CLOSE.malformed, /unknown sync message 7/);
});

test('a text frame closes with 4400', async () => {
  await expectRejected('text frame', ['{"type":"sync"}'], CLOSE.malformed, /text messages/);
});

test('flooding past the rate limit closes with 4429', async () => {
  const flood = Array.from({ length: 1000 }, () => Uint8Array.of(MESSAGE_QUERY_AWARENESS));
  await expectRejected('flood', flood, CLOSE.rateLimited, /too many messages/);
});

test('a viewer sending a real update is closed with 4403 and nothing is logged', async () => {
  await expectRejected('viewer write', [syncUpdateMessage(realUpdate())], CLOSE.forbidden, /viewers cannot edit/, viewerToken);
});

test('a stock viewer syncs, stays connected, receives edits, and is closed with 4403 when it edits', async () => {
  const viewer = testToken(ROOM, 'viewer');
  const vera = await connectClient(target.wsUrl, ROOM, viewerToken);
  try {
    assert.deepEqual(readSong(vera.doc), readSong(peers[0]!.doc), 'the viewer got the song');
    const closes: number[] = [];
    vera.provider.on('connection-close', (event) => closes.push(event?.code ?? -1));
    await new Promise((r) => setTimeout(r, 100)); // the handshake's replies have all been handled
    assert.ok(vera.provider.wsconnected, 'the handshake did not close the viewer');
    const id = addClip(peers[0]!.doc, { trackId, startBar: 700, lengthBars: 1 });
    await waitFor(() => readSong(vera.doc).clips.some((c) => c.id === id), 5000, 'the viewer receives edits');
    assert.deepEqual(closes, []);
    // A viewer that already has the song (a reconnect) repeats it, deletions included, in its
    // handshake reply: still not a write.
    const known = new Y.Doc();
    Y.applyUpdate(known, Y.encodeStateAsUpdate(peers[1]!.doc));
    assert.ok(Y.decodeUpdate(Y.encodeStateAsUpdate(known)).ds.clients.size > 0, 'the song has deletions');
    const returning = await connectClient(target.wsUrl, ROOM, viewerToken, { doc: known });
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(returning.provider.wsconnected, 'a returning viewer is not closed');
      assert.deepEqual(readSong(returning.doc), readSong(peers[0]!.doc));
    } finally {
      disconnect(returning);
    }

    const historyBefore = await getHistory(target, ROOM, viewer);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => vera.provider.once('closed', resolve));
    const mine = addClip(vera.doc, { trackId, startBar: 800, lengthBars: 1, name: 'viewer was here' });
    const result = await withTimeout(closed, 5000, 'viewer closed');
    assert.equal(result.code, CLOSE.forbidden);
    assert.match(result.reason, /viewers cannot edit/);
    assert.equal(vera.provider.shouldConnect, false, 'the stock provider does not retry a 4403');
    assert.deepEqual(await getHistory(target, ROOM, viewer), historyBefore, 'nothing was logged');
    await assertPeersStillWork('after the viewer edit');
    assert.ok(!readSong(peers[1]!.doc).clips.some((c) => c.id === mine), 'the viewer edit reached nobody');
    assert.ok(!(await getSong(target, ROOM, viewer)).clips.some((c) => c.id === mine), 'nor the server');
  } finally {
    disconnect(vera);
  }
});

test('the CLI server closes a message over its default 8 MiB limit with 1009 and keeps serving', async () => {
  const server = await startServerProcess();
  try {
    const room = 'big';
    const ws = new WebSocket(`${server.wsUrl}/${room}?token=${testToken(room)}`);
    ws.on('error', () => {});
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('message', resolve));
    ws.send(new Uint8Array(8 * 1024 * 1024 + 1));
    assert.equal(await withTimeout(closed, 10_000, 'closed for size'), CLOSE.tooLarge);
    assert.equal((await healthz(server)).ok, true);
    const peer = await connectClient(server.wsUrl, room, testToken(room));
    disconnect(peer);
    assert.equal(server.child.exitCode, null, 'still running');
  } finally {
    await server.kill();
  }
});
