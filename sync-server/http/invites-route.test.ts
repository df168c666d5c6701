/**
 * POST /api/rooms/<room>/invites against a server in this process: the owner gets fresh editor
 * and viewer invites with page links; anyone else, a room that does not exist and bad fields are
 * refused with the reason. And the CORS answer of /import, which a page from another server uses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvitesResponse, Role } from '../contract.ts';
import { signToken, verifyToken } from '../auth/tokens.ts';
import { LIMITS } from '../limits.ts';
import { startServer, type RunningServer } from '../server.ts';

const secret = 'invites-route-test-secret-0123456789-abcdef';
let server: RunningServer;

before(async () => {
  server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'riffroom-invites-')), secret, publicUrl: 'https://jam.example.org' });
  server.rooms.get('band'); // a room that exists (empty)
});
after(() => server.close());

const token = (room: string, role: Role, extra: { invite?: true } = {}) =>
  signToken(secret, { room, role, name: `${role} one`, id: `${role}-1`, exp: Math.floor(Date.now() / 1000) + 3600, ...extra });

function post(room: string, bearer: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}/api/rooms/${room}/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('the owner gets an editor and a viewer invite for the room, with page links', async () => {
  const before = Math.floor(Date.now() / 1000);
  const res = await post('band', token('band', 'owner'));
  assert.equal(res.status, 201);
  const body = (await res.json()) as InvitesResponse;
  assert.equal(body.room, 'band');
  const editor = verifyToken(secret, body.editorInvite);
  const viewer = verifyToken(secret, body.viewerInvite);
  assert.deepEqual([editor.role, editor.invite, editor.room], ['editor', true, 'band']);
  assert.deepEqual([viewer.role, viewer.invite, viewer.room], ['viewer', true, 'band']);
  assert.ok(
    body.invitesExpire >= before + LIMITS.createdRooms.inviteSeconds &&
      body.invitesExpire <= before + LIMITS.createdRooms.inviteSeconds + 2,
  );
  assert.equal(body.links.editor, `https://jam.example.org/?room=band#token=${body.editorInvite}`);
  assert.equal(body.links.viewer, `https://jam.example.org/?room=band#token=${body.viewerInvite}`);
  // An invite is good for /join, which trades it for a personal token.
  const joined = await fetch(`${server.url}/api/rooms/band/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${body.editorInvite}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Sam' }),
  });
  assert.equal(joined.status, 200);
});

test('inviteTtl sets how long the invites last, within the bounds', async () => {
  const res = await post('band', token('band', 'owner'), { inviteTtl: '2h' });
  assert.equal(res.status, 201);
  const body = (await res.json()) as InvitesResponse;
  const left = body.invitesExpire - Date.now() / 1000;
  assert.ok(left > 7100 && left <= 7200, String(left));
  const tooLong = await post('band', token('band', 'owner'), { inviteTtl: '400d' });
  assert.equal(tooLong.status, 400);
  assert.match(((await tooLong.json()) as { error: string }).error, /inviteTtl/);
  const unknown = await post('band', token('band', 'owner'), { role: 'owner' });
  assert.equal(unknown.status, 400);
  assert.match(((await unknown.json()) as { error: string }).error, /unknown field "role"/);
});

test('only the owner: editors, viewers, invites and other rooms are refused', async () => {
  for (const [bearer, status, why] of [
    [token('band', 'editor'), 403, /only the room's owner can make invites \(this token is an editor's\)/],
    [token('band', 'viewer'), 403, /only the room's owner/],
    [token('band', 'owner', { invite: true }), 403, /this is an invite/],
    [token('other', 'owner'), 403, /another room/],
    ['not-a-token', 401, /./],
  ] as const) {
    const res = await post('band', bearer);
    assert.equal(res.status, status, bearer);
    assert.match(((await res.json()) as { error: string }).error, why);
  }
});

test('a room that does not exist is 404, and is not created by asking', async () => {
  const res = await post('nowhere', token('nowhere', 'owner'));
  assert.equal(res.status, 404);
  assert.match(((await res.json()) as { error: string }).error, /no room named nowhere/);
  assert.equal(await server.rooms.exists('nowhere'), false);
});

test('/import answers a CORS preflight, and its answers carry Access-Control-Allow-Origin', async () => {
  const pre = await fetch(`${server.url}/api/rooms/shared/import`, {
    method: 'OPTIONS',
    headers: {
      origin: 'http://192.168.1.20:4455',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  const refused = await fetch(`${server.url}/api/rooms/shared/import`, {
    method: 'POST',
    headers: { origin: 'http://x.test' },
    body: new Uint8Array(4),
  });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('access-control-allow-origin'), '*');
  // Other routes stay same-origin only.
  const other = await fetch(`${server.url}/api/rooms/band/invites`, { method: 'OPTIONS' });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});
