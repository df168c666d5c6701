/**
 * The server routes against a server in this process: who may mint creators and create rooms,
 * what a created room hands out, and every refusal with its status and reason.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOM_NAME, type CreateRoomResponse, type ServerTokenResponse } from '../contract.ts';
import { mintServerToken, verifyServerToken } from '../auth/server-tokens.ts';
import { signToken, verifyToken } from '../auth/tokens.ts';
import { LIMITS } from '../limits.ts';
import { startServer, type RunningServer } from '../server.ts';
import { pageLink } from './server-api.ts';

const secret = 'server-api-test-secret-0123456789-abcdef';
const DAY = 86_400;
let server: RunningServer;
let dataDir: string;
const admin = mintServerToken(secret, 'admin', 'admin', DAY).token;
const creator = mintServerToken(secret, 'creator', 'Ms Rivera', DAY);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'riffroom-server-api-'));
  server = await startServer({ dataDir, secret, publicUrl: 'https://jam.example.org' });
});
after(() => server.close());

function post(path: string, token: string | null, body?: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

async function refused(res: Response, status: number, why: RegExp): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match((JSON.parse(text) as { error: string }).error, why);
}

test('an admin mints a creator token; the creator is a new identity', async () => {
  const res = await post('/api/creators', admin, { name: 'Mr Okafor', ttl: '30d' });
  assert.equal(res.status, 201);
  const answer = (await res.json()) as ServerTokenResponse;
  assert.deepEqual(verifyServerToken(secret, answer.token), answer.claims);
  assert.equal(answer.claims.role, 'creator');
  assert.equal(answer.claims.name, 'Mr Okafor');
  assert.equal(answer.claims.exp - answer.claims.iat, 30 * DAY);
  const byDefault = (await (await post('/api/creators', admin, { name: 'Ana' })).json()) as ServerTokenResponse;
  assert.equal(byDefault.claims.exp - byDefault.claims.iat, LIMITS.serverTokens.creatorDefaultSeconds);
  assert.notEqual(byDefault.claims.id, answer.claims.id);
});

test('only an admin mints creators, and a creator needs a good name and lifetime', async () => {
  await refused(await post('/api/creators', creator.token, { name: 'Friend' }), 403, /only an admin may mint creator tokens/);
  await refused(await post('/api/creators', admin, {}), 400, /name: a name is required/);
  await refused(await post('/api/creators', admin, { name: 'x'.repeat(65) }), 400, /name: a name has at most 64 characters/);
  await refused(await post('/api/creators', admin, { name: 'Ana', ttl: '3y' }), 400, /ttl: not a duration/);
  await refused(await post('/api/creators', admin, { name: 'Ana', ttl: '800d' }), 400, /ttl can be at most 730 days/);
  await refused(
    await post('/api/creators', admin, { name: 'Ana', role: 'admin' }),
    400,
    /unknown field "role": this route takes name, ttl/,
  );
  await refused(await post('/api/creators', admin, '{"name":'), 400, /the body must be JSON/);
  await refused(await post('/api/creators', admin, '["Ana"]'), 400, /the body must be a JSON object/);
  await refused(await post('/api/creators', admin), 400, /the body must be JSON/);
});

test('a creator creates a room: an owner token under their identity, two invites, links on the public URL', async () => {
  const res = await post('/api/rooms', creator.token, { room: 'class-7b', name: 'Ms R.', inviteTtl: '30d' });
  assert.equal(res.status, 201);
  const answer = (await res.json()) as CreateRoomResponse;
  assert.equal(answer.room, 'class-7b');
  const owner = verifyToken(secret, answer.ownerToken);
  assert.equal(owner.role, 'owner');
  assert.equal(owner.name, 'Ms R.');
  assert.equal(owner.id, creator.claims.id, 'the creator is the same person in every room');
  assert.equal(owner.exp, answer.ownerExpires);
  assert.equal(owner.renewUntil, answer.ownerRenewableUntil);
  for (const [token, role] of [
    [answer.editorInvite, 'editor'],
    [answer.viewerInvite, 'viewer'],
  ] as const) {
    const invite = verifyToken(secret, token);
    assert.equal(invite.invite, true);
    assert.equal(invite.role, role);
    assert.equal(invite.room, 'class-7b');
    assert.equal(invite.exp, answer.invitesExpire);
    assert.equal(invite.exp - invite.iat!, 30 * DAY);
  }
  assert.deepEqual(answer.links, {
    owner: `https://jam.example.org/?room=class-7b#token=${answer.ownerToken}`,
    editor: `https://jam.example.org/?room=class-7b#token=${answer.editorInvite}`,
    viewer: `https://jam.example.org/?room=class-7b#token=${answer.viewerInvite}`,
  });
  // The room exists now, empty: its log is on disk and its history answers.
  assert.ok(existsSync(join(dataDir, 'rooms', 'class-7b.riffroom')));
  const history = await fetch(`${server.url}/api/rooms/class-7b/history`, { headers: { authorization: `Bearer ${answer.ownerToken}` } });
  assert.deepEqual(await history.json(), { entries: [], lastSeq: 0 });
  await refused(await post('/api/rooms', admin, { room: 'class-7b' }), 409, /a room named class-7b already exists/);
});

test("a room with no name asked gets a fresh one; the owner name defaults to the token's; an empty body will do", async () => {
  const res = await post('/api/rooms', creator.token);
  assert.equal(res.status, 201);
  const answer = (await res.json()) as CreateRoomResponse;
  assert.match(answer.room, ROOM_NAME);
  assert.match(answer.room, /^jam-/);
  assert.equal(verifyToken(secret, answer.ownerToken).name, 'Ms Rivera');
  assert.equal(answer.invitesExpire - Math.floor(Date.now() / 1000) <= LIMITS.createdRooms.inviteSeconds, true);
  const other = (await (await post('/api/rooms', admin, {})).json()) as CreateRoomResponse;
  assert.notEqual(other.room, answer.room);
});

test('bad rooms, names and fields are refused with the reason, and nothing is created', async () => {
  for (const [body, why] of [
    [{ room: '../etc' }, /room must be 1-64 letters, digits, - or _/],
    [{ room: '-dash-first' }, /room must be 1-64 letters/],
    [{ room: 'x'.repeat(65) }, /room must be 1-64 letters/],
    [{ room: 42 }, /room must be 1-64 letters/],
    [{ room: 'ok-room', name: '' }, /name: a name is required/],
    [{ room: 'ok-room', name: 'a\u0000b' }, /name: a name cannot hold control characters/],
    [{ room: 'ok-room', inviteTtl: '400d' }, /inviteTtl can be at most 365 days/],
    [{ room: 'ok-room', owner: 'me' }, /unknown field "owner": this route takes room, name, inviteTtl/],
    ['{', /the body must be JSON/],
    ['"ok-room"', /the body must be a JSON object/],
  ] as const) {
    await refused(await post('/api/rooms', creator.token, body), 400, why);
  }
  assert.equal(existsSync(join(dataDir, 'rooms', 'ok-room.riffroom')), false);
});

test('room tokens, missing, bad, expired and URL tokens are refused, saying why', async () => {
  const roomToken = signToken(secret, { room: 'class-7b', role: 'owner', name: 'Ms R.', exp: Math.floor(Date.now() / 1000) + 60 });
  for (const path of ['/api/rooms', '/api/creators']) {
    await refused(
      await post(path, roomToken, { name: 'x' }),
      403,
      /a room token cannot be used here: this needs an admin or creator token/,
    );
    await refused(await post(path, null, { name: 'x' }), 401, /an admin or creator token is required \(Authorization: Bearer <token>\)/);
    await refused(await post(path, 'not.a-token', { name: 'x' }), 401, /bad token signature|malformed/);
    await refused(
      await post(path, mintServerToken(secret, 'admin', 'admin', 1, Date.now() / 1000 - 10).token, { name: 'x' }),
      401,
      /token expired/,
    );
    await refused(
      await post(path, mintServerToken('another-secret-0123456789-0123456789', 'admin', 'admin', DAY).token, { name: 'x' }),
      401,
      /bad token signature/,
    );
    await refused(await post(`${path}?token=${admin}`, null, { name: 'x' }), 401, /not in the URL/);
    await refused(await post(`${path}?token=${admin}`, admin, { name: 'x' }), 401, /not in the URL/);
    const get = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    await refused(get, 405, /GET is not allowed on .*: use POST/);
  }
});

test('a server full of active rooms answers 503 and creates nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-server-api-full-'));
  const small = await startServer({ dataDir: dir, secret, maxRooms: 1 });
  try {
    const first = await fetch(`${small.url}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: '{"room":"busy"}',
    });
    assert.equal(first.status, 201);
    const { ownerToken, links } = (await first.json()) as CreateRoomResponse;
    // Without a public URL, links are on the origin the request reached.
    assert.equal(links.owner, `${small.url}/?room=busy#token=${ownerToken}`);
    // A peer in the room keeps it loaded: the one room the server may hold is taken.
    const peer = new WebSocket(`ws://127.0.0.1:${small.port}/busy?token=${ownerToken}`);
    await new Promise<void>((resolve, reject) => {
      peer.once('open', () => resolve());
      peer.once('error', reject);
    });
    try {
      const full = await fetch(`${small.url}/api/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: '{"room":"second"}',
      });
      await refused(full, 503, /too many active rooms on this server: try again later/);
      assert.equal(existsSync(join(dir, 'rooms', 'second.riffroom')), false);
    } finally {
      peer.close();
    }
  } finally {
    await small.close();
  }
});

test('page links carry the token in the fragment', () => {
  assert.equal(pageLink('https://jam.example.org', 'r1', 'a.b'), 'https://jam.example.org/?room=r1#token=a.b');
  assert.equal(pageLink('http://[::1]:4455', 'r1', 'a.b'), 'http://[::1]:4455/?room=r1#token=a.b');
});

test("the server routes share the API's per-address rate limit", async () => {
  const limited = await startServer({
    dataDir: mkdtempSync(join(tmpdir(), 'riffroom-server-api-rate-')),
    secret,
    httpLimits: { requestsPerSecond: 0.01, requestBurst: 2 },
  });
  try {
    const ask = () =>
      fetch(`${limited.url}/api/creators`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: '{"name":"Ana"}' });
    assert.equal((await ask()).status, 201);
    assert.equal((await ask()).status, 201);
    const third = await ask();
    await refused(third, 429, /too many requests from your address/);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
  } finally {
    await limited.close();
  }
});
