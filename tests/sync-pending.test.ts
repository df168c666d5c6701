/**
 * Issue 13, item 5, against a real server process: editors that send updates built on edits they
 * never send (structs whose parent, origin or earlier clocks never arrive; deletes of items the
 * server never had). Such an update waits outside the room's document for a short while and a few
 * bytes (LIMITS.pending); past them its sender is closed with 4400 and a reason. Meanwhile stock
 * y-websocket peers keep converging, the server keeps answering, and the log stays complete,
 * verifies, and holds nothing of what waited.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import WebSocket from 'ws';
import { addClip, addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { CLOSE, MESSAGE_SYNC } from '../sync-server/contract.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { syncUpdateMessage } from './support/raw-sockets.ts';
import { startServerProcess, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getSong, healthz } from './support/room-api.ts';

const ROOM = 'pending';
const FLOOD_MESSAGES = 100;

let server: ServerProcess;
let peers: Client[] = [];
let trackId = '';
/** Every client id an attacker's waiting updates were made by: none may reach the log. */
const attackerClients = new Set<number>();

before(async () => {
  server = await startServerProcess();
  peers = [
    await connectClient(server.wsUrl, ROOM, testToken(ROOM, 'editor', 'ann')),
    await connectClient(server.wsUrl, ROOM, testToken(ROOM, 'editor', 'bo')),
  ];
  initSong(peers[0]!.doc, { title: 'Waiting room' });
  trackId = addTrack(peers[0]!.doc, { role: 'keys' });
  await waitFor(() => peers[1]!.doc.getMap('tracks').has(trackId), 5000, 'second peer has the track');
});

after(async () => {
  peers.forEach(disconnect);
  await server?.kill();
});

/** The second of two edits (a list, then ~4 KiB of items in it), without the first. */
function orphanItems(n: number): Uint8Array {
  const doc = new Y.Doc();
  attackerClients.add(doc.clientID);
  const list = new Y.Array<string>();
  doc.getMap('tracks').set(`attack-${n}`, list); // never sent
  const before = Y.encodeStateVector(doc);
  for (let i = 0; i < 100; i++) list.insert(i >> 1, [`note ${n}.${i} ${'-'.repeat(20)}`]); // many structs
  return Y.encodeStateAsUpdate(doc, before);
}

/** Deletes of items the server never had: only a delete set. */
function orphanDeletes(): Uint8Array {
  const doc = new Y.Doc();
  attackerClients.add(doc.clientID);
  doc.getArray('x').insert(0, [1, 2, 3, 4]); // never sent
  const before = Y.encodeStateVector(doc);
  doc.getArray('x').delete(1, 2);
  return Y.encodeStateAsUpdate(doc, before);
}

interface Raw {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string; at: number }>;
}

async function openAttacker(name: string): Promise<Raw> {
  const ws = new WebSocket(`${server.wsUrl}/${ROOM}?token=${encodeURIComponent(testToken(ROOM, 'editor', name))}`);
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: performance.now() })),
  );
  await new Promise((resolve) => ws.once('message', resolve));
  return { ws, closed };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An honest edit made by one stock peer, until the other has it (ms). */
async function honestRoundTrip(i: number): Promise<number> {
  const started = performance.now();
  const [from, to] = i % 2 ? [peers[0]!, peers[1]!] : [peers[1]!, peers[0]!];
  if (i % 3 === 0) {
    const bpm = 60 + (i % 100);
    setTempo(from.doc, bpm);
    await waitFor(() => readSong(to.doc).meta.bpm === bpm, 10_000, `honest tempo ${bpm} reached the other peer`);
  } else {
    const id = addClip(from.doc, { trackId, startBar: i, lengthBars: 1 });
    await waitFor(() => readSong(to.doc).clips.some((c) => c.id === id), 10_000, `honest clip ${i} reached the other peer`);
  }
  return performance.now() - started;
}

test('flooded with updates whose dependencies never arrive, the server closes their senders (4400) within LIMITS.pending while honest peers converge', {
  timeout: 120_000,
}, async () => {
  // The lone waiter: one update and one delete set that wait until maxMs.
  const waiter = await openAttacker('wally');
  const waitStarted = performance.now();
  const waiting = [orphanItems(-1), orphanDeletes()];
  for (const update of waiting) waiter.ws.send(syncUpdateMessage(update));
  const waiterBytes = waiting.reduce((sum, u) => sum + u.byteLength, 0);

  // The flooder: ~100 messages, reconnecting when closed, honest edits checked in between.
  let flooder = await openAttacker('mallory');
  const closes: { code: number; reason: string; afterMessages: number; bytes: number }[] = [];
  const latencies: number[] = [];
  let waitingBytes = 0;
  for (let n = 0; n < FLOOD_MESSAGES; n++) {
    const update = n % 5 === 4 ? orphanDeletes() : orphanItems(n);
    flooder.ws.send(syncUpdateMessage(update));
    waitingBytes += update.byteLength;
    if (n % 10 === 9) {
      latencies.push(await honestRoundTrip(n));
      assert.equal((await healthz(server)).ok, true, `the server answers after ${n + 1} messages`);
    }
    const closed = await Promise.race([flooder.closed, Promise.resolve(null)]);
    if (closed) {
      closes.push({ code: closed.code, reason: closed.reason, afterMessages: n + 1, bytes: waitingBytes });
      flooder = await openAttacker('mallory');
      waitingBytes = 0;
    }
  }
  if (!closes.length) {
    // The bound must have been passed by now: the close is on its way.
    const closed = await within(flooder.closed, 10_000, 'the flooder is closed past maxBytes');
    closes.push({ code: closed.code, reason: closed.reason, afterMessages: FLOOD_MESSAGES, bytes: waitingBytes });
  }
  flooder.ws.close();
  assert.ok(closes.length >= 1, 'the flooder was closed');
  for (const close of closes) {
    assert.equal(close.code, CLOSE.malformed, `close code (reason: ${close.reason})`);
    assert.match(close.reason, /depend on changes never sent; more wait than the room allows/);
    // Closed once the room's waiting bytes (the waiter's too) passed the bound, not before.
    assert.ok(
      close.bytes + waiterBytes > LIMITS.pending.maxBytes,
      `closed past the bound, not before (${close.bytes} + ${waiterBytes} bytes sent)`,
    );
  }

  const waited = await within(waiter.closed, LIMITS.pending.maxMs + 20_000, 'the lone waiter is closed after maxMs');
  assert.equal(waited.code, CLOSE.malformed);
  assert.match(waited.reason, /depend on changes never sent \(waited \d+ s\)/);
  assert.ok(waited.at - waitStarted >= LIMITS.pending.maxMs - 50, `not closed before maxMs (${Math.round(waited.at - waitStarted)} ms)`);

  // The honest peers never left, and the server has exactly their song.
  assert.ok(
    peers.every((p) => p.provider.wsconnected),
    'stock peers stayed connected',
  );
  latencies.push(await honestRoundTrip(FLOOD_MESSAGES));
  const viewer = testToken(ROOM, 'viewer');
  const deadline = Date.now() + 5000;
  while (JSON.stringify(await getSong(server, ROOM, viewer)) !== JSON.stringify(readSong(peers[0]!.doc))) {
    if (Date.now() > deadline) assert.fail("the server does not have the peers' song");
    await new Promise((r) => setTimeout(r, 10));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `pending flood: ${FLOOD_MESSAGES} messages, flooder closed ${closes.length}x (first after ${closes[0]!.afterMessages} messages, ${closes[0]!.bytes} bytes); ` +
      `lone waiter closed after ${Math.round(waited.at - waitStarted)} ms; honest round trips median ${sorted[sorted.length >> 1]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
  );
});

test('a peer joining after the attack gets nothing pending; the log is complete, verifies, and holds nothing of what waited', {
  timeout: 60_000,
}, async () => {
  // First as a raw socket: what a joiner is sent must hold nothing that waited. (Checked before a
  // stock client joins: on the old server, one that joined after this attack never finished
  // syncing and its process grew until the machine ran out of memory.)
  const raw = await openAttacker('peek');
  const reply = new Promise<Uint8Array>((resolve) =>
    raw.ws.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) === MESSAGE_SYNC && decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep2)
        resolve(decoding.readVarUint8Array(decoder));
    }),
  );
  const ask = encoding.createEncoder();
  encoding.writeVarUint(ask, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(ask, new Y.Doc());
  raw.ws.send(encoding.toUint8Array(ask));
  const sent = Y.decodeUpdate(await within(reply, 10_000, "the server's sync step 2"));
  raw.ws.close();
  assert.ok(!sent.structs.some((s) => attackerClients.has(s.id.client)), 'a joiner is sent no waiting struct');
  assert.ok(![...sent.ds.clients.keys()].some((c) => attackerClients.has(c)), 'nor a waiting delete');

  const late = await connectClient(server.wsUrl, ROOM, testToken(ROOM, 'viewer', 'late'));
  try {
    assert.deepEqual(readSong(late.doc), readSong(peers[0]!.doc));
    assert.equal(late.doc.store.pendingStructs, null, 'the joiner was sent no waiting structs');
    assert.equal(late.doc.store.pendingDs, null, 'nor waiting deletes');
    for (const peer of peers) assert.equal(peer.doc.store.pendingStructs, null);
  } finally {
    disconnect(late);
  }
  const song = JSON.stringify(readSong(peers[0]!.doc));
  peers.forEach(disconnect);
  peers = [];
  assert.equal(await server.kill('SIGTERM'), 0, 'a clean shutdown (it saves the full state)');

  const log = new RoomLog(join(server.dataDir, 'rooms', `${ROOM}.riffroom`), { readOnly: true });
  try {
    assert.equal(log.verify(), null, 'the hash chain is intact');
    const replayed = new Y.Doc();
    for (const entry of log.entries(0)) {
      const { structs, ds } = Y.decodeUpdate(entry.update);
      assert.ok(!structs.some((s) => attackerClients.has(s.id.client)), `entry ${entry.seq} holds no waiting struct`);
      assert.ok(![...ds.clients.keys()].some((c) => attackerClients.has(c)), `entry ${entry.seq} deletes nothing that waited`);
      Y.applyUpdate(replayed, entry.update);
    }
    assert.equal(JSON.stringify(readSong(replayed)), song, 'every honest edit is in the log');
    assert.equal(replayed.store.pendingStructs, null);
    const full = log.roomState();
    assert.ok(full, 'the shutdown saved the full state');
    const state = Y.decodeUpdate(full.state);
    assert.ok(!state.structs.some((s) => attackerClients.has(s.id.client)), 'the saved state holds no waiting struct');
    assert.ok(![...state.ds.clients.keys()].some((c) => attackerClients.has(c)), 'nor a waiting delete');
  } finally {
    log.close();
  }
});
