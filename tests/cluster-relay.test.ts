/**
 * Two real server processes: node A serves the rooms, node B relays them to A (--route: the test
 * decides who owns what; the lease wiring lands separately, cluster/room-router.ts). Stock
 * y-websocket providers on B and on A converge; the jam channel works through B; the owner's
 * close codes reach B's peers; a message near the server's limit passes; the HTTP API through B
 * answers as A does; A's per-address caps count the real client when A trusts B as a proxy; and
 * A going away closes B's peers with 1012, after which they come back by themselves once A is up
 * again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import { tokenProtocols, CLOSE } from '../sync-server/contract.ts';
import { LIMITS } from '../sync-server/limits.ts';
import type { LiveNote } from '../core/jam/contract.ts';
import { startServerProcess, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { apiFetch, getHistory, healthz, waitForSeq } from './support/room-api.ts';
import { openJam, waitReady, type TestJamClient } from './support/jam-clients.ts';
import { openRawSocket, withTimeout } from './support/raw-sockets.ts';
import { webSocketFrom } from './support/from-address.ts';

const ROOMS = ['r-doc', 'r-jam', 'r-http', 'r-big', 'r-close', 'r-restart'];
let a: ServerProcess;
let b: ServerProcess;
const clients: Client[] = [];
const jams: TestJamClient[] = [];

before(async () => {
  a = await startServerProcess();
  b = await startServerProcess({ args: ROOMS.flatMap((room) => ['--route', `${room}=${a.url}`]) });
});
after(async () => {
  for (const c of clients) disconnect(c);
  for (const j of jams) j.client.close();
  await Promise.all([a.kill(), b.kill()]);
});

/** A stock provider with its token as subprotocols (as the app sends it), remembered for cleanup. */
async function connect(server: ServerProcess, room: string, name: string): Promise<Client> {
  const client = await connectClient(server.wsUrl, room, '', { protocols: tokenProtocols(testToken(room, 'editor', name)) });
  clients.push(client);
  return client;
}

const note = (pitch: number): LiveNote => ({ kind: 'on', pitch, velocity: 100, trackId: null, at: 0 });

test('a stock provider on B and one on A converge: B relays, A serves', async () => {
  const onA = await connect(a, 'r-doc', 'ann');
  const onB = await connect(b, 'r-doc', 'bob');
  onA.doc.getText('t').insert(0, 'from A;');
  onB.doc.getText('t').insert(0, 'from B;');
  await waitFor(() => onA.doc.getText('t').length === 14 && onB.doc.getText('t').length === 14, 10_000, 'both edits on both sides');
  assert.equal(onA.doc.getText('t').toString(), onB.doc.getText('t').toString());
  assert.equal((await healthz(b)).rooms, 0, 'B opened no room itself');
  assert.ok((await healthz(a)).connections >= 2, "both providers are A's connections");
});

test('the jam channel through B: live notes both ways', async () => {
  const room = 'r-jam';
  const viaB = openJam(b.wsUrl, room, testToken(room, 'editor', 'bob'));
  const onA = openJam(a.wsUrl, room, testToken(room, 'editor', 'ann'));
  jams.push(viaB, onA);
  await waitReady([viaB, onA]);
  await waitFor(() => onA.client.peers().length === 2 && viaB.client.peers().length === 2, 5000, 'two peers');
  const gotOnA: number[] = [];
  const gotViaB: number[] = [];
  onA.client.onLive((m) => gotOnA.push(...m.notes.map((n) => n.pitch)));
  viaB.client.onLive((m) => gotViaB.push(...m.notes.map((n) => n.pitch)));
  assert.ok(viaB.client.sendLive([note(60)]));
  assert.ok(onA.client.sendLive([note(62)]));
  await waitFor(() => gotOnA.includes(60) && gotViaB.includes(62), 5000, 'notes relayed both ways');
});

test("a message near the server's limit passes through B", async () => {
  const onA = await connect(a, 'r-big', 'ann');
  const onB = await connect(b, 'r-big', 'bob');
  // The update's own framing adds a little: stay 64 KiB under the limit.
  const big = 'x'.repeat(LIMITS.websocket.maxMessageBytes - 64 * 1024);
  onB.doc.getText('t').insert(0, big);
  await waitFor(() => onA.doc.getText('t').length === big.length, 30_000, 'the big update on A');
  assert.equal(onA.doc.getText('t').toString(), big);
});

test("close codes from the owner reach B's peers: an expired token is 4401 'token expired'", async () => {
  const room = 'r-close';
  const raw = await openRawSocket(`${b.wsUrl}/${room}`, { protocols: tokenProtocols(testToken(room, 'editor', 'eve', 2)) });
  const closed = await withTimeout(raw.closed, 10_000, "the token's expiry");
  assert.deepEqual(closed, { code: CLOSE.tokenExpired, reason: 'token expired' });
  // And a refused upgrade is refused the same way: a token for another room is 403 on A and through B.
  const wrong = testToken('r-doc', 'editor', 'eve');
  for (const server of [a, b]) {
    const refused = await openRawSocket(`${server.wsUrl}/${room}`, { protocols: tokenProtocols(wrong) }).then(
      () => 'opened',
      (err: Error) => err.message,
    );
    assert.equal(refused, 'upgrade refused: 403', server === a ? 'on A' : 'through B');
  }
});

test('the HTTP API through B answers as A does: history, updates, bookmarks', async () => {
  const room = 'r-http';
  const token = testToken(room, 'owner', 'olga');
  const writer = await connect(a, room, 'ann');
  for (let i = 0; i < 5; i++) writer.doc.getText('t').insert(0, `edit ${i};`);
  await waitForSeq(a, room, token, 5, 10_000);
  const bytes = async (server: ServerProcess, path: string) => {
    const res = await apiFetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  assert.deepEqual(await getHistory(b, room, token), await getHistory(a, room, token));
  assert.ok((await bytes(b, `/api/rooms/${room}/updates?after=0`)).equals(await bytes(a, `/api/rooms/${room}/updates?after=0`)));
  const posted = await apiFetch(`${b.url}/api/rooms/${room}/bookmarks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ seq: 3, name: 'chorus' }),
  });
  assert.ok(posted.ok, `POST bookmarks through B: ${posted.status} ${await posted.clone().text()}`);
  await posted.body?.cancel();
  const fromA = (await bytes(a, `/api/rooms/${room}/bookmarks`)).toString();
  assert.match(fromA, /chorus/);
  assert.equal((await bytes(b, `/api/rooms/${room}/bookmarks`)).toString(), fromA);
  const noToken = await apiFetch(`${b.url}/api/rooms/${room}/history`);
  assert.equal(noToken.status, 401, "A's refusal comes back through B");
  await noToken.body?.cancel();
});

test("A going away closes B's peers with 1012; they come back by themselves when A is back", async () => {
  const room = 'r-restart';
  const viaB = await connect(b, room, 'bob');
  const closes: number[] = [];
  viaB.provider.on('connection-close', (event: CloseEvent | null) => {
    if (event) closes.push(event.code);
  });
  viaB.doc.getText('t').insert(0, 'before;');
  const token = testToken(room, 'owner', 'olga');
  await waitForSeq(a, room, token, 1, 10_000);
  const { port, dataDir } = a;
  await a.kill('SIGTERM');
  await waitFor(() => closes.length > 0, 10_000, "B's peer told");
  assert.equal(closes[0], CLOSE.serviceRestart);
  // While A is down, B closes its reconnect attempts with 1013 (try again): not a failure the client gives up on.
  await waitFor(() => closes.some((code) => code === 1013), 10_000, 'a retry refused with 1013 while A is down');
  const restartedAt = performance.now();
  a = await startServerProcess({ port, dataDir });
  await waitFor(() => viaB.provider.synced && viaB.provider.wsconnected, 10_000, "B's peer back");
  console.log(`relayed peer back ${(performance.now() - restartedAt).toFixed(0)} ms after A listened again`);
  const onA = await connect(a, room, 'ann');
  onA.doc.getText('t').insert(0, 'after;');
  await waitFor(() => viaB.doc.getText('t').toString().includes('after;'), 10_000, "a new edit on A reaches B's peer");
  assert.ok(onA.doc.getText('t').toString().includes('before;'));
});

test("A trusting B as a proxy: A's per-address caps count the client behind B, not B", async () => {
  const owner = await startServerProcess({ args: ['--trusted-proxy', '127.0.0.1', '--max-connections-per-address', '2'] });
  const relay = await startServerProcess({ args: ['--route', `r-caps=${owner.url}`] });
  const sockets: WebSocket[] = [];
  try {
    const open = (from: string) =>
      new Promise<number>((resolve) => {
        const Socket = webSocketFrom(from);
        const ws = new Socket(`${relay.wsUrl}/r-caps`, tokenProtocols(testToken('r-caps', 'editor', `from-${from}`)));
        sockets.push(ws);
        ws.on('error', () => undefined);
        ws.once('open', () => resolve(101));
        ws.once('unexpected-response', (_req, res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
      });
    assert.equal(await open('127.0.0.2'), 101);
    assert.equal(await open('127.0.0.2'), 101);
    assert.equal(await open('127.0.0.2'), 429, "the third from one client is over A's cap, through B");
    assert.equal(await open('127.0.0.3'), 101, 'another client behind the same B is counted apart');
  } finally {
    for (const ws of sockets) ws.terminate();
    await Promise.all([owner.kill(), relay.kill()]);
  }
});
