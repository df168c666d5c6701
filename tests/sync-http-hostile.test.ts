/**
 * The HTTP side against hostile or careless clients, on real server processes:
 * - DNS rebinding: a Host that is not an IP literal, localhost or an allowed name gets 421, on
 *   every route and on websocket upgrades;
 * - /metrics: loopback only (and not through a proxy) unless a metrics token is configured, then
 *   that bearer token only;
 * - per-address rate limit on the API: 429 with Retry-After and a JSON reason; /healthz and
 *   other addresses' use are unaffected, and the address is served again after Retry-After;
 * - tokens stay out of URLs: ?token= on the API is 401, websockets take the token as a
 *   subprotocol (the server selects 'riffroom', never echoes the token); no response sends a
 *   Referer onwards;
 * - bodies that are not JSON objects (null) are 400, not 500; bookmark names are checked and a
 *   room holds at most LIMITS.bookmarks.maxPerRoom.
 * Honest stock y-websocket peers keep converging and the log stays complete throughout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { jamPath } from '../core/jam/contract.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { tokenProtocols, type HistoryBookmark } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { errorOf, getHistory, waitForSeq } from './support/room-api.ts';
import { openRawSocket, refusedUpgrade } from './support/raw-sockets.ts';

const ROOM = 'http-hostile';
const server = await startServerProcess({ args: ['--allowed-host', 'jam.example.org'] });
const others: ServerProcess[] = [];
const peers: Client[] = [];
after(async () => {
  peers.forEach(disconnect);
  await Promise.all([server, ...others].map((s) => s.kill()));
  const log = new RoomLog(join(server.dataDir, 'rooms', `${ROOM}.riffroom`), { readOnly: true });
  try {
    assert.equal(log.verify(), null, 'the log is complete and its chain intact');
  } finally {
    log.close();
  }
});

peers.push(await connectClient(server.wsUrl, ROOM, testToken(ROOM, 'editor', 'ann')));
peers.push(await connectClient(server.wsUrl, ROOM, testToken(ROOM, 'editor', 'ben')));
initSong(peers[0]!.doc, { title: 'Hostile HTTP' });
await waitForSeq(server, ROOM, testToken(ROOM, 'viewer'), 1);

/** Honest peers still edit together, and the server logs it. */
async function peersStillConverge(what: string): Promise<void> {
  assert.ok(
    peers.every((p) => p.provider.wsconnected),
    `${what}: honest peers stayed connected`,
  );
  const before = (await getHistory(server, ROOM, testToken(ROOM, 'viewer'))).lastSeq;
  const bpm = 60 + Math.floor(Math.random() * 100);
  setTempo(peers[1]!.doc, bpm);
  await waitFor(() => readSong(peers[0]!.doc).meta.bpm === bpm, 5000, `${what}: an edit reached the other peer`);
  await waitForSeq(server, ROOM, testToken(ROOM, 'viewer'), before + 1);
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: headers (Host included) go out exactly as given. */
function send(
  target: ServerProcess,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: target.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const jsonError = (answer: Answer) => (JSON.parse(answer.body) as { error: string }).error;

test('a Host that is not an IP literal, localhost or an allowed name gets 421, on every route and upgrade', async () => {
  const viewer = testToken(ROOM, 'viewer');
  for (const path of ['/healthz', '/metrics', `/api/rooms/${ROOM}/history`, '/', '/nothing']) {
    const answer = await send(server, path, { headers: { host: `evil.example:${server.port}`, ...bearer(viewer) } });
    assert.equal(answer.status, 421, path);
    assert.match(jsonError(answer), /does not answer to the name "evil\.example"/, path);
    assert.equal(answer.headers['referrer-policy'], 'no-referrer');
  }
  for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'jam.example.org', `[::1]:${server.port}`]) {
    assert.equal((await send(server, `/api/rooms/${ROOM}/history`, { headers: { host, ...bearer(viewer) } })).status, 200, host);
  }
  for (const path of [`/${ROOM}?token=${testToken(ROOM)}`, `${jamPath(ROOM)}?token=${testToken(ROOM)}`]) {
    const refused = await refusedUpgrade(`${server.wsUrl}${path}`, { headers: { host: 'rebound.example' } });
    assert.equal(refused.status, 421, path);
    assert.match(refused.error, /rebound\.example/);
  }
  const allowed = await openRawSocket(`${server.wsUrl}/${ROOM}?token=${testToken(ROOM)}`, { headers: { host: 'JAM.example.org' } });
  allowed.ws.close();
  await peersStillConverge('after rebinding attempts');
});

test('/metrics: loopback only, not through a proxy; with a metrics token, that bearer token only', async () => {
  const open = await send(server, '/metrics');
  assert.equal(open.status, 200);
  assert.match(open.body, /^riffroom_updates_logged_total \d+$/m);
  const proxied = await send(server, '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(proxied.status, 403);
  assert.match(jsonError(proxied), /RIFFROOM_METRICS_TOKEN/);
  assert.equal((await send(server, '/metrics', { headers: { forwarded: 'for=203.0.113.9' } })).status, 403);

  const guarded = await startServerProcess({ env: { RIFFROOM_METRICS_TOKEN: 'scrape-0123456789abcdef' } });
  others.push(guarded);
  assert.equal((await send(guarded, '/metrics')).status, 401, 'even from loopback');
  assert.equal((await send(guarded, '/metrics', { headers: bearer('wrong') })).status, 401);
  assert.equal(
    (await send(guarded, '/metrics', { headers: bearer(testToken(ROOM, 'owner')) })).status,
    401,
    'a room token is not the metrics token',
  );
  const scraped = await send(guarded, '/metrics', { headers: { ...bearer('scrape-0123456789abcdef'), 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(scraped.status, 200);
  assert.match(scraped.body, /riffroom_open_connections/);
});

test('API requests over the per-address rate get 429 with Retry-After and a reason; the address is served again after it', async () => {
  const limited = await startServerProcess();
  others.push(limited);
  const sent = 3 * LIMITS.http.requestBurst;
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: sent }, () => fetch(`${limited.url}/api/rooms/anything/history`, { headers: bearer('garbage') })),
  );
  const seconds = (performance.now() - started) / 1000;
  const statuses = answers.map((a) => a.status);
  const refused = answers.filter((a) => a.status === 429);
  const served = sent - refused.length;
  assert.ok(refused.length > 0, 'some were refused');
  assert.ok(
    served <= LIMITS.http.requestBurst + Math.ceil(seconds * LIMITS.http.requestsPerSecond) + 1,
    `${served} of ${sent} served in ${seconds.toFixed(2)} s: no more than the burst and the rate allow`,
  );
  assert.ok(
    statuses.every((s) => s === 401 || s === 429),
    'unauthorized until limited: the limit comes before any token work',
  );
  const first = refused[0]!;
  const retryAfter = Number(first.headers.get('retry-after'));
  assert.ok(retryAfter >= 1, 'Retry-After in seconds');
  assert.match(await errorOf(first), /too many requests from your address: try again in \d+ s/);
  await Promise.all(answers.filter((a) => a !== first).map((a) => a.body?.cancel()));
  assert.equal((await fetch(`${limited.url}/healthz`)).status, 200, 'health is not an API route');
  await new Promise((r) => setTimeout(r, retryAfter * 1000)); // as the server asked
  assert.equal((await fetch(`${limited.url}/api/rooms/anything/history`, { headers: bearer('garbage') })).status, 401, 'served again');
});

test('tokens stay out of URLs: ?token= on the API is 401; websockets take the token as a subprotocol and never echo it', async () => {
  const viewer = testToken(ROOM, 'viewer');
  const inUrl = await send(server, `/api/rooms/${ROOM}/history?token=${viewer}`);
  assert.equal(inUrl.status, 401);
  assert.match(jsonError(inUrl), /Authorization: Bearer header, not in the URL/);
  assert.equal(inUrl.headers['referrer-policy'], 'no-referrer');
  const evenWithHeader = await send(server, `/api/rooms/${ROOM}/history?token=${viewer}`, { headers: bearer(viewer) });
  assert.equal(evenWithHeader.status, 401, 'a token in the URL is refused even beside a header');

  // A stock y-websocket provider carrying its token as subprotocols only (no URL parameter).
  const token = testToken(ROOM, 'editor', 'sub');
  const sub = await connectClient(server.wsUrl, ROOM, '', { protocols: tokenProtocols(token) });
  try {
    assert.equal(sub.provider.ws!.protocol, 'riffroom');
    assert.ok(!sub.provider.url.includes('token'), 'no token in the URL');
    setTempo(sub.doc, 99);
    await waitFor(() => readSong(peers[0]!.doc).meta.bpm === 99, 5000, 'its edit reached a peer');
    const { entries } = await getHistory(server, ROOM, viewer);
    assert.equal(entries.at(-1)!.author, 'sub');
  } finally {
    disconnect(sub);
  }
  // ws fails a handshake whose answer selects a protocol not offered, and reports the selected one.
  const raw = await openRawSocket(`${server.wsUrl}/${ROOM}`, { protocols: tokenProtocols(token) });
  assert.equal(raw.ws.protocol, 'riffroom', 'the server selected the plain subprotocol: the token is never echoed');
  raw.ws.close();
  const alone = await refusedUpgrade(`${server.wsUrl}/${ROOM}`, { protocols: [tokenProtocols(token)[1]!] });
  assert.equal(alone.status, 400);
  assert.match(alone.error, /offer the 'riffroom' subprotocol beside the token/);
  const none = await refusedUpgrade(`${server.wsUrl}/${ROOM}`, { protocols: ['riffroom'] });
  assert.equal(none.status, 401);
  assert.equal(none.headers['referrer-policy'], 'no-referrer', 'refused upgrades too');
  await peersStillConverge('after token placement checks');
});

test('bodies that are not a JSON object are 400, not 500', async () => {
  const editor = testToken(ROOM, 'editor', 'ed');
  const before = await getHistory(server, ROOM, editor);
  for (const route of ['restore', 'bookmarks']) {
    for (const body of ['null', '[]', '42', '"seq"', 'true']) {
      const answer = await send(server, `/api/rooms/${ROOM}/${route}`, {
        method: 'POST',
        headers: { ...bearer(editor), 'content-type': 'application/json' },
        body,
      });
      assert.equal(answer.status, 400, `${route} ${body}`);
      assert.equal(jsonError(answer), 'the body must be a JSON object', `${route} ${body}`);
    }
  }
  assert.deepEqual(await getHistory(server, ROOM, editor), before, 'nothing changed');
  assert.ok(!server.output().includes('internal error') && !/TypeError/.test(server.output()), server.output());
  await peersStillConverge('after bad bodies');
});

test('bookmark names are 1-100 characters without control characters, and a room holds at most maxPerRoom', async () => {
  const editor = testToken(ROOM, 'editor', 'ed');
  const post = (room: string, body: unknown) =>
    send(server, `/api/rooms/${room}/bookmarks`, {
      method: 'POST',
      headers: { ...bearer(testToken(room, 'editor', 'ed')), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (const name of ['line\nbreak', 'bell\u0007', '\u001b[31mred', 'evil\u202etxt.exe', 'c1\u009b']) {
    const answer = await post(ROOM, { seq: 1, name });
    assert.equal(answer.status, 400, JSON.stringify(name));
    assert.match(jsonError(answer), /control characters/);
  }
  const tooLong = await post(ROOM, { seq: 1, name: '🎸'.repeat(101) });
  assert.equal(tooLong.status, 400);
  const fine = await post(ROOM, { seq: 1, name: ` ${'🎸'.repeat(100)} ` });
  assert.equal(fine.status, 201, fine.body);
  assert.equal((JSON.parse(fine.body) as HistoryBookmark).name, '🎸'.repeat(100));
  const list = await send(server, `/api/rooms/${ROOM}/bookmarks`, { headers: bearer(editor) });
  assert.ok(!list.body.includes('\\u0007') && !list.body.includes('line\\nbreak'), 'no refused name was stored');

  // A room already at the limit (written straight into its log file, as if made over time).
  const dataDir = tempDataDir();
  const full = 'bookmarks-full';
  mkdirSync(join(dataDir, 'rooms'));
  const log = new RoomLog(join(dataDir, 'rooms', `${full}.riffroom`));
  log.append({ time: 1, author: 'ann', label: 'edit', update: new Uint8Array([0, 0]) });
  for (let i = 0; i < LIMITS.bookmarks.maxPerRoom; i++) log.addBookmark({ seq: 1, name: `mark ${i}`, author: 'ann', time: i });
  log.close();
  const crowded = await startServerProcess({ dataDir });
  others.push(crowded);
  const refused = await send(crowded, `/api/rooms/${full}/bookmarks`, {
    method: 'POST',
    headers: { ...bearer(testToken(full, 'editor', 'ed')), 'content-type': 'application/json' },
    body: JSON.stringify({ seq: 1, name: 'one more' }),
  });
  assert.equal(refused.status, 409);
  assert.match(jsonError(refused), /1000 bookmarks, the most it can hold/);
  const count = JSON.parse((await send(crowded, `/api/rooms/${full}/bookmarks`, { headers: bearer(testToken(full, 'viewer')) })).body) as {
    bookmarks: unknown[];
  };
  assert.equal(count.bookmarks.length, LIMITS.bookmarks.maxPerRoom);
});
