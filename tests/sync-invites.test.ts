/**
 * Invites and renewals, against a real server process with stock y-websocket peers:
 * - an invite opens nothing (no websocket, no API route) except POST /join, which gives each
 *   person who joins their own token: a fresh identity id, their name, the invite's role, at most
 *   12 h, renewable until the invite ends. Two people from one invite are two identities.
 * - POST /renew gives a personal token a later exp (same room, role, name, id); a token that is
 *   not renewable is refused with a reason.
 * - `riffroom-server token --invite` prints an invite, `--id` names the identity.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { jamPath } from '../core/jam/contract.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { tokenProtocols, type TokenClaims, type TokenResponse } from '../sync-server/contract.ts';
import { TEST_SECRET, startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { errorOf, getHistory, joinWithInvite, postJoin, postRenew, waitForSeq } from './support/room-api.ts';
import { openRawSocket, refusedUpgrade } from './support/raw-sockets.ts';

const CLI = fileURLToPath(new URL('../sync-server/cli.ts', import.meta.url));
const server = await startServerProcess();
after(() => server.kill());

const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;

function invite(room: string, role: TokenClaims['role'] = 'editor', seconds = 7 * DAY): string {
  return signToken(TEST_SECRET, { room, role, name: 'editor', exp: now() + seconds, invite: true });
}

function claimsOf(token: string): TokenClaims {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as TokenClaims;
}

test('an invite opens no websocket: document and jam upgrades are refused with a reason', async () => {
  const room = 'invite-ws';
  const token = invite(room);
  for (const [what, url, protocols] of [
    ['document, ?token=', `${server.wsUrl}/${room}?token=${token}`, undefined],
    ['document, subprotocol', `${server.wsUrl}/${room}`, tokenProtocols(token)],
    ['jam channel', `${server.wsUrl}${jamPath(room)}?token=${token}`, undefined],
  ] as const) {
    const refused = await refusedUpgrade(url, { protocols: protocols ? [...protocols] : undefined });
    assert.equal(refused.status, 403, what);
    assert.match(refused.error, /this is an invite: join with it first \(POST \/api\/rooms\/invite-ws\/join/, what);
  }
});

test('an invite opens no API route but /join', async () => {
  const room = 'invite-api';
  const owner = await connectClient(server.wsUrl, room, testToken(room, 'owner', 'olga'));
  try {
    initSong(owner.doc, { title: 'Invites' });
    await waitForSeq(server, room, testToken(room, 'viewer'), 1);
  } finally {
    disconnect(owner);
  }
  const token = invite(room);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  for (const [method, action, body] of [
    ['GET', 'history', undefined],
    ['GET', 'state', undefined],
    ['GET', 'updates', undefined],
    ['GET', 'bookmarks', undefined],
    ['POST', 'restore', { seq: 0 }],
    ['POST', 'bookmarks', { seq: 1, name: 'x' }],
    ['POST', 'renew', undefined],
  ] as const) {
    const res = await fetch(`${server.url}/api/rooms/${room}/${action}`, { method, headers, body: body && JSON.stringify(body) });
    assert.equal(res.status, 403, `${method} ${action}`);
    assert.match(await errorOf(res), /this is an invite: join with it first/, `${method} ${action}`);
  }
  assert.equal((await getHistory(server, room, testToken(room, 'viewer'))).lastSeq, 1, 'nothing was restored');
});

test('/join gives two people from one invite two identities, each with their own name, and they edit together', async () => {
  const room = 'invite-join';
  const token = invite(room);
  const inviteExp = claimsOf(token).exp;
  const before = now();
  const ann = await joinWithInvite(server, room, token, ' Ann ');
  const bob = await joinWithInvite(server, room, token, 'Bob');
  const twin = await joinWithInvite(server, room, token, 'Bob');
  assert.notEqual(ann.claims.id, bob.claims.id);
  assert.notEqual(bob.claims.id, twin.claims.id, 'the same name twice is still two people');
  for (const [joined, name] of [
    [ann, 'Ann'],
    [bob, 'Bob'],
  ] as [TokenResponse, string][]) {
    assert.deepEqual(claimsOf(joined.token), joined.claims, 'the answer’s claims are the token’s');
    assert.equal(joined.claims.name, name);
    assert.equal(joined.claims.role, 'editor');
    assert.equal(joined.claims.room, room);
    assert.equal(joined.claims.invite, undefined, 'a personal token, not an invite');
    assert.equal(joined.claims.renewUntil, inviteExp, 'renewable until the invite ends');
    assert.ok(
      joined.claims.exp >= before + LIMITS.tokens.joinedTokenSeconds && joined.claims.exp <= now() + LIMITS.tokens.joinedTokenSeconds,
    );
  }
  const shortInvite = invite(room, 'viewer', 60);
  const viewer = await joinWithInvite(server, room, shortInvite, 'Vic');
  assert.equal(viewer.claims.role, 'viewer', 'the invite’s role');
  assert.equal(viewer.claims.exp, claimsOf(shortInvite).exp, 'never past the invite');

  const a = await connectClient(server.wsUrl, room, ann.token);
  const b = await connectClient(server.wsUrl, room, bob.token);
  const jamA = await openRawSocket(`${server.wsUrl}${jamPath(room)}?token=${ann.token}`);
  const jamB = await openRawSocket(`${server.wsUrl}${jamPath(room)}`, { protocols: tokenProtocols(bob.token) });
  try {
    initSong(a.doc, { title: 'Together' });
    await waitFor(() => readSong(b.doc).meta.title === 'Together', 5000, 'Bob sees Ann’s song');
    setTempo(b.doc, 121);
    await waitForSeq(server, room, ann.token, 2);
    const { entries } = await getHistory(server, room, ann.token);
    assert.deepEqual(
      entries.map((e) => e.author),
      ['Ann', 'Bob'],
      'each edit under its own name',
    );
    const isWelcome = (m: unknown) => (m as { type?: string }).type === 'welcome';
    const welcomeA = await jamA.next<{ id: string; name: string }>(isWelcome, 'Ann’s welcome');
    const welcomeB = await jamB.next<{ id: string; name: string }>(isWelcome, 'Bob’s welcome');
    assert.deepEqual([welcomeA.id, welcomeA.name], [ann.claims.id, 'Ann']);
    assert.deepEqual([welcomeB.id, welcomeB.name], [bob.claims.id, 'Bob'], 'the jam channel tells them apart by id');
    assert.equal(jamB.ws.protocol, 'riffroom', 'the server selected the plain subprotocol, never the token');
  } finally {
    disconnect(a);
    disconnect(b);
    jamA.ws.close();
    jamB.ws.close();
  }
});

test('/join refuses personal tokens, bad names and bodies that are not a JSON object', async () => {
  const room = 'invite-refusals';
  const token = invite(room);
  const personal = await postJoin(server, room, testToken(room, 'editor', 'ed'), { name: 'Ed' });
  assert.equal(personal.status, 403);
  assert.match(await errorOf(personal), /not an invite/);
  for (const [body, error] of [
    [{}, /a name is required/],
    [{ name: '  ' }, /a name is required/],
    [{ name: 7 }, /a name is required/],
    [{ name: 'x'.repeat(65) }, /at most 64 characters/],
    [{ name: 'bell\u0007' }, /control characters/],
    [null, /must be a JSON object/],
    [['Ann'], /must be a JSON object/],
    ['Ann', /must be a JSON object/],
  ] as const) {
    const res = await postJoin(server, room, token, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(await errorOf(res), error, JSON.stringify(body));
  }
  const expired = signToken(TEST_SECRET, { room, role: 'editor', name: 'editor', exp: now() - 5, invite: true });
  assert.equal((await postJoin(server, room, expired, { name: 'Late' })).status, 401);
  const elsewhere = await postJoin(server, room, invite('another-room'), { name: 'Ann' });
  assert.equal(elsewhere.status, 403);
});

test('/renew: the same person for longer, never past renewUntil; tokens that cannot be renewed are refused with a reason', async () => {
  const room = 'invite-renew';
  const joined = await joinWithInvite(server, room, invite(room), 'Ren');
  // As if issued an hour ago and good for 2 h: renewing gives 2 h from now.
  const older = signToken(TEST_SECRET, { ...joined.claims, iat: now() - 3600, exp: now() + 3600 });
  const res = await postRenew(server, room, older);
  assert.equal(res.status, 200, await res.clone().text());
  const renewed = (await res.json()) as TokenResponse;
  assert.deepEqual(claimsOf(renewed.token), renewed.claims);
  const { exp, iat, ...same } = renewed.claims;
  const { exp: _e, iat: _i, ...was } = joined.claims;
  assert.deepEqual(same, was, 'same room, role, name, id and renewUntil');
  assert.ok(exp >= now() + 7200 - 5 && exp <= now() + 7200, `exp ${exp} is 2 h from now`);
  assert.ok(iat! >= now() - 5);
  // The renewed token works.
  const client = await connectClient(server.wsUrl, room, renewed.token);
  disconnect(client);

  const t = now();
  const nearEnd = signToken(TEST_SECRET, { ...joined.claims, iat: t - 3600, exp: t + 60, renewUntil: t + 120 });
  assert.equal(((await (await postRenew(server, room, nearEnd)).json()) as TokenResponse).claims.exp, t + 120, 'capped at renewUntil');

  const cases: [string, string, number, RegExp][] = [
    ['no renewUntil', testToken(room, 'editor', 'plain'), 403, /not renewable/],
    ['renewUntil passed', signToken(TEST_SECRET, { ...joined.claims, renewUntil: now() - 1 }), 403, /could be renewed until/],
    ['expired', signToken(TEST_SECRET, { ...joined.claims, iat: now() - 100, exp: now() - 1 }), 401, /expired/],
    ['another room', signToken(TEST_SECRET, { ...joined.claims, room: 'elsewhere' }), 403, /another room/],
  ];
  for (const [what, token, status, error] of cases) {
    const refused = await postRenew(server, room, token);
    assert.equal(refused.status, status, what);
    assert.match(await errorOf(refused), error, what);
  }
});

test('`riffroom-server token --invite` prints an invite, and --id names the identity', async () => {
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, 'token', '--data', server.dataDir, '--room', 'cli-invite', ...args], {
      env: { ...process.env, RIFFROOM_SECRET: TEST_SECRET },
    });
  const printed = (await run(['--role', 'editor', '--invite', '--ttl', '1d'])).stdout.trim();
  const claims = claimsOf(printed);
  assert.equal(claims.invite, true);
  assert.equal((await refusedUpgrade(`${server.wsUrl}/cli-invite?token=${printed}`)).status, 403, 'an invite, refused on a socket');
  const joined = await joinWithInvite(server, 'cli-invite', printed, 'Cleo');
  assert.equal(joined.claims.renewUntil, claims.exp);

  const named = claimsOf((await run(['--role', 'owner', '--id', 'teacher-1', '--name', 'Ms K'])).stdout.trim());
  assert.deepEqual([named.id, named.name, named.invite], ['teacher-1', 'Ms K', undefined]);
  const [a, b] = [(await run(['--role', 'viewer'])).stdout.trim(), (await run(['--role', 'viewer'])).stdout.trim()];
  assert.notEqual(claimsOf(a).id, claimsOf(b).id, 'every printed token gets a fresh id');
  await assert.rejects(run(['--role', 'editor', '--id', 'not ok!']), /invalid identity id/);
});
