/**
 * Who may connect and what the HTTP API answers: websocket upgrades without a valid token for the
 * room are refused with an HTTP error before any Yjs message flows; the history API checks tokens
 * the same way; health, metrics and bookmarks work; and a token printed by
 * `npx riffroom-server token` (secret generated in the data dir) is accepted by a server that
 * shares that data dir.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import type { BookmarksResponse, HistoryBookmark } from '../sync-server/contract.ts';
import { TEST_SECRET, startServerProcess, tempDataDir, testToken } from './support/server-process.ts';
import { connectClient, disconnect } from './support/yjs-clients.ts';
import { getHistory, getLastSeq, waitForSeq } from './support/room-api.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const server = await startServerProcess();
after(() => server.kill());

/** Tries a websocket upgrade; resolves with the HTTP status and JSON error of the refusal. */
function refusedUpgrade(path: string): Promise<{ status: number; error: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}${path}`);
    ws.on('open', () => {
      ws.close();
      reject(new Error(`upgrade to ${path} was accepted`));
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, error: (JSON.parse(body) as { error: string }).error });
        ws.terminate();
      });
    });
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

test('websocket upgrades without a valid token for the room are refused with an HTTP error', async () => {
  const room = 'auth-ws';
  const good = testToken(room, 'editor');
  const [body, sig] = good.split('.') as [string, string];
  const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
  const cases: [string, string, number, RegExp][] = [
    ['no token', `/${room}`, 401, /token is required/],
    ['empty token', `/${room}?token=`, 401, /token is required/],
    ['garbage token', `/${room}?token=nonsense`, 401, /malformed/],
    ['bad signature', `/${room}?token=${body}.${flipped}`, 401, /signature/],
    [
      'signed with another secret',
      `/${room}?token=${signToken('another-secret-that-is-long-enough-0123456789', { room, role: 'owner', name: 'x', exp: nowSeconds() + 60 })}`,
      401,
      /signature/,
    ],
    [
      'claims edited after signing',
      `/${room}?token=${Buffer.from(JSON.stringify({ room, role: 'owner', name: 'x', exp: nowSeconds() + 60 })).toString('base64url')}.${sig}`,
      401,
      /signature/,
    ],
    ['expired', `/${room}?token=${signToken(TEST_SECRET, { room, role: 'editor', name: 'x', exp: nowSeconds() - 10 })}`, 401, /expired/],
    ['token for another room', `/${room}?token=${testToken('other-room', 'owner')}`, 403, /another room/],
    ['invalid room name', `/bad.name?token=${good}`, 400, /invalid room name/],
    ['room name too long', `/${'r'.repeat(65)}?token=${good}`, 400, /invalid room name/],
    ['path traversal', `/..%2Fsecret?token=${good}`, 400, /invalid room name/],
  ];
  for (const [what, path, status, error] of cases) {
    const refused = await refusedUpgrade(path);
    assert.equal(refused.status, status, what);
    assert.match(refused.error, error, what);
  }
  // The refusals are counted, and a valid token still connects.
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const count = (status: number) =>
    Number(new RegExp(`riffroom_rejected_upgrades_total\\{status="${status}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  assert.ok(count(401) >= 7 && count(403) >= 1 && count(400) >= 3, 'rejected upgrades are in the metrics');
  const client = await connectClient(server.wsUrl, room, good);
  disconnect(client);
});

test('history API: 401 without a valid token, 403 for another room, 404 for an unknown room', async () => {
  const room = 'auth-http';
  const client = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'ed'));
  try {
    initSong(client.doc);
    await waitForSeq(server, room, testToken(room, 'viewer'), 1);
  } finally {
    disconnect(client);
  }
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
  const history = `/api/rooms/${room}/history`;
  assert.equal((await get(history)).status, 401);
  assert.equal((await get(history, { authorization: 'Bearer nonsense' })).status, 401);
  const expired = signToken(TEST_SECRET, { room, role: 'owner', name: 'x', exp: nowSeconds() - 1 });
  assert.equal((await get(history, { authorization: `Bearer ${expired}` })).status, 401);
  assert.equal((await get(history, { authorization: `Bearer ${testToken('other-room', 'owner')}` })).status, 403);
  const inUrl = await get(`${history}?token=${testToken(room, 'viewer')}`);
  assert.equal(inUrl.status, 401, 'a token in the URL is refused (URLs end up in logs and Referer headers)');
  assert.match(((await inUrl.json()) as { error: string }).error, /Authorization: Bearer header/);
  const ok = await get(history, { authorization: `Bearer ${testToken(room, 'viewer')}` });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { lastSeq: number }).lastSeq, 1);
  for (const action of ['history', 'state', 'updates', 'bookmarks']) {
    const res = await get(`/api/rooms/no-such-room/${action}`, { authorization: `Bearer ${testToken('no-such-room', 'owner')}` });
    assert.equal(res.status, 404, `GET ${action} of an unknown room`);
    assert.match(((await res.json()) as { error: string }).error, /no room named no-such-room/);
  }
  const badRoom = await get('/api/rooms/bad.name/history', { authorization: `Bearer ${testToken(room)}` });
  assert.equal(badRoom.status, 400);
  assert.equal((await get(`/api/rooms/${room}/history?after=-1`, { authorization: `Bearer ${testToken(room)}` })).status, 400);
  assert.equal(
    (await get(`/api/rooms/${room}/state?at=99`, { authorization: `Bearer ${testToken(room)}` })).status,
    400,
    'state past the end',
  );
  assert.equal((await get('/nothing-here')).status, 404);
  const wrongMethod = await fetch(`${server.url}${history}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${testToken(room, 'owner')}` },
  });
  assert.equal(wrongMethod.status, 405);
});

test('/healthz and /metrics respond', async () => {
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  const body = (await health.json()) as { ok: boolean; rooms: number; connections: number };
  assert.equal(body.ok, true);
  assert.equal(typeof body.rooms, 'number');
  const metrics = await fetch(`${server.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await metrics.text();
  assert.match(text, /^riffroom_updates_logged_total \d+$/m);
  assert.match(text, /# TYPE riffroom_log_append_seconds histogram/);
  assert.match(text, /^riffroom_open_connections \d+$/m);
});

test('bookmarks: POST then GET lists them; viewers and bad bodies are refused', async () => {
  const room = 'auth-bookmarks';
  const client = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'ed'));
  try {
    initSong(client.doc);
    setTempo(client.doc, 111);
    await waitForSeq(server, room, testToken(room, 'viewer'), 2);
  } finally {
    disconnect(client);
  }
  const url = `${server.url}/api/rooms/${room}/bookmarks`;
  const post = (token: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const created = await post(testToken(room, 'editor', 'bea'), { seq: 2, name: '  Good take ' });
  assert.equal(created.status, 201);
  const made = (await created.json()) as HistoryBookmark;
  assert.deepEqual([made.seq, made.name, made.author], [2, 'Good take', 'bea']);
  assert.equal((await post(testToken(room, 'owner', 'olga'), { seq: 1, name: 'Start' })).status, 201);

  assert.equal((await post(testToken(room, 'viewer'), { seq: 1, name: 'nope' })).status, 403);
  assert.equal((await post(testToken(room, 'editor'), { seq: 3, name: 'past the end' })).status, 400);
  assert.equal((await post(testToken(room, 'editor'), { seq: 1, name: '   ' })).status, 400);
  assert.equal((await post(testToken(room, 'editor'), { seq: 1, name: 'x'.repeat(101) })).status, 400);
  assert.equal((await post(testToken(room, 'editor'), { name: 'no seq' })).status, 400);

  const list = await fetch(url, { headers: { authorization: `Bearer ${testToken(room, 'viewer')}` } });
  assert.equal(list.status, 200);
  const { bookmarks } = (await list.json()) as BookmarksResponse;
  assert.deepEqual(
    bookmarks.map((b) => [b.seq, b.name, b.author]),
    [
      [1, 'Start', 'olga'],
      [2, 'Good take', 'bea'],
    ],
  );
  assert.deepEqual(bookmarks[1], made);
  assert.equal(await getLastSeq(server, room, testToken(room, 'viewer')), 2, 'bookmarks are not document edits');
});

test('a token printed by `npx riffroom-server token` is accepted by a server sharing its data dir', async () => {
  const dataDir = tempDataDir();
  const env = { ...process.env };
  delete env.RIFFROOM_SECRET;
  // The server generates the secret file (RIFFROOM_SECRET empty = unset).
  const own = await startServerProcess({ dataDir, env: { RIFFROOM_SECRET: '' } });
  try {
    const room = 'cli-token';
    const { stdout } = await promisify(execFile)(
      'npx',
      ['--no-install', 'riffroom-server', 'token', '--data', dataDir, '--room', room, '--role', 'editor', '--name', 'zoe', '--ttl', '1h'],
      { cwd: REPO, env, timeout: 60_000 },
    );
    const token = stdout.trim().split('\n').at(-1)!;
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
    assert.ok(secret.length >= 32, 'a secret was generated in the data dir');
    assert.notEqual(secret, TEST_SECRET);

    const zoe = await connectClient(own.wsUrl, room, token);
    try {
      initSong(zoe.doc, { title: 'CLI' });
      await waitForSeq(own, room, token, 1);
      const { entries } = await getHistory(own, room, token);
      assert.deepEqual(
        entries.map((e) => [e.author, e.label]),
        [['zoe', 'created song']],
      );
      assert.equal(readSong(zoe.doc).meta.title, 'CLI');
    } finally {
      disconnect(zoe);
    }
    // A token signed with the test secret means nothing to this server.
    const res = await fetch(`${own.url}/api/rooms/${room}/history`, { headers: { authorization: `Bearer ${testToken(room, 'owner')}` } });
    assert.equal(res.status, 401);
  } finally {
    await own.kill();
  }
});

test('an empty or short secret stops the server and the CLI with a clear message; no forged token is ever accepted', async () => {
  const run = promisify(execFile);
  const env = { ...process.env };
  delete env.RIFFROOM_SECRET;
  // A crash between creating <data>/secret and writing it left the file empty. The old server
  // signed with the empty key, so anyone could mint an owner token for any room.
  const dataDir = tempDataDir();
  writeFileSync(join(dataDir, 'secret'), '');
  await assert.rejects(startServerProcess({ dataDir, env: { RIFFROOM_SECRET: '' } }), (err: Error) => {
    assert.match(err.message, /server exited with 1/);
    assert.match(err.message, /secret file .*secret is empty.*delete the file to make a new one/s);
    return true;
  });
  await assert.rejects(
    run('node', [join(REPO, 'sync-server/cli.ts'), 'token', '--data', dataDir, '--room', 'r', '--role', 'owner'], { env, timeout: 30_000 }),
    (err: Error & { stderr?: string }) => /is empty/.test(err.stderr ?? ''),
  );
  assert.equal(readFileSync(join(dataDir, 'secret'), 'utf8'), '', 'the file is left for the operator to look at');
  // A short RIFFROOM_SECRET is refused the same way.
  await assert.rejects(
    startServerProcess({ env: { RIFFROOM_SECRET: 'hunter2' } }),
    /RIFFROOM_SECRET is 7 bytes long; a signing secret needs at least 32/,
  );
});
