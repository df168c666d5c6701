/**
 * Hosting a server without a shell for its users, against real processes: `riffroom-server init`
 * through the real CLI, then a real server process reading what init wrote. The admin token from
 * init mints a creator over HTTP; the creator creates a room; a stock y-websocket provider
 * (disableBc) edits with the returned owner token; an invitee joins with the editor invite
 * (POST /join) and edits with them. A creator cannot mint creators, a room token cannot create
 * rooms, and init run again keeps the secret, so every link handed out still works.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { parseRoomLink } from '../sync-server/client/room-link.ts';
import type { CreateRoomResponse, ServerTokenResponse } from '../sync-server/contract.ts';
import { startServerProcess, tempDataDir, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { apiFetch, errorOf, getHistory, joinWithInvite, waitForSeq } from './support/room-api.ts';
import { refusedUpgrade } from './support/raw-sockets.ts';

const CLI = fileURLToPath(new URL('../sync-server/cli.ts', import.meta.url));
const PUBLIC_URL = 'https://jam.example.org';

/** The environment of an operator's shell: no RIFFROOM_SECRET, so the data dir's secret is the one. */
const shellEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.RIFFROOM_SECRET;
  return env;
};

const cli = (args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env: shellEnv() });

/** The admin token init printed, from the line meant to be pasted into a shell. */
function adminTokenIn(output: string): string {
  const match = /^ {5}export RIFFROOM_ADMIN='([A-Za-z0-9_.-]+)'$/m.exec(output);
  assert.ok(match, `init printed no admin token:\n${output}`);
  return match[1]!;
}

const dataDir = join(tempDataDir('riffroom-admin-'), 'server');
let initOutput: string;
let server: ServerProcess;

before(async () => {
  initOutput = (await cli(['init', '--data', dataDir, '--public-url', `${PUBLIC_URL}/`])).stdout;
  server = await startServerProcess({ dataDir, env: { RIFFROOM_SECRET: '' } });
});
after(() => server?.kill());

function post(path: string, token: string, body?: unknown): Promise<Response> {
  return apiFetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function created<T>(res: Response): Promise<T> {
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as T;
}

test('init sets the data dir up and says what to do next', () => {
  assert.match(initOutput, /a new signing secret is in .*secret/);
  assert.match(initOutput, /Public URL: https:\/\/jam.example.org\n/);
  assert.match(initOutput, /curl -sS -X POST https:\/\/jam.example.org\/api\/rooms/);
  assert.equal(statSync(join(dataDir, 'secret')).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')), { publicUrl: PUBLIC_URL });
});

test('admin → creator → room: the owner edits with a stock provider, an invitee joins and edits too', async () => {
  const admin = adminTokenIn(initOutput);
  const creator = await created<ServerTokenResponse>(await post('/api/creators', admin, { name: 'Ms Rivera', ttl: '30d' }));
  assert.equal(creator.claims.role, 'creator');

  const room = await created<CreateRoomResponse>(await post('/api/rooms', creator.token, { room: 'class-7b' }));
  assert.equal(room.room, 'class-7b');
  // The links are the page's own links on the public URL: the page reads room and token from them.
  for (const [link, token] of [
    [room.links.owner, room.ownerToken],
    [room.links.editor, room.editorInvite],
    [room.links.viewer, room.viewerInvite],
  ]) {
    const parsed = parseRoomLink(link!);
    assert.ok(parsed.ok, link);
    assert.deepEqual([parsed.link.room, parsed.link.token, parsed.link.serverUrl], ['class-7b', token, 'wss://jam.example.org']);
  }
  const editorLink = parseRoomLink(room.links.editor);
  assert.equal(editorLink.ok && editorLink.link.claims.invite, true, 'the page sees an invite: it asks the name and joins');

  const owner = await connectClient(server.wsUrl, 'class-7b', room.ownerToken);
  const joined = await joinWithInvite(server, 'class-7b', room.editorInvite, 'Sam');
  assert.equal(joined.claims.role, 'editor');
  assert.notEqual(joined.claims.id, creator.claims.id);
  const student = await connectClient(server.wsUrl, 'class-7b', joined.token);
  try {
    initSong(owner.doc, { title: 'Class 7b' });
    await waitFor(() => readSong(student.doc).meta.title === 'Class 7b', 5000, 'the student sees the owner’s song');
    setTempo(student.doc, 96);
    await waitFor(() => readSong(owner.doc).meta.bpm === 96, 5000, 'the owner sees the student’s tempo');
    await waitForSeq(server, 'class-7b', room.ownerToken, 2);
    const { entries } = await getHistory(server, 'class-7b', room.ownerToken);
    assert.deepEqual(
      entries.map((e) => e.author),
      ['Ms Rivera', 'Sam'],
      'the owner is named after the creator; each edit under its author',
    );
  } finally {
    disconnect(owner);
    disconnect(student);
  }
  const viewer = await joinWithInvite(server, 'class-7b', room.viewerInvite, 'Parent');
  assert.equal(viewer.claims.role, 'viewer');

  // The same creator owns their next room as the same person.
  const next = await created<CreateRoomResponse>(await post('/api/rooms', creator.token, {}));
  const ownerId = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { id: string }).id;
  assert.equal(ownerId(next.ownerToken), ownerId(room.ownerToken));
  assert.equal(ownerId(room.ownerToken), creator.claims.id);
  assert.equal((await post('/api/rooms', admin, { room: 'class-7b' })).status, 409);
});

test('a creator cannot mint creators; a room token cannot create rooms', async () => {
  const admin = adminTokenIn(initOutput);
  const creator = await created<ServerTokenResponse>(await post('/api/creators', admin, { name: 'Band leader' }));
  const refused = await post('/api/creators', creator.token, { name: 'My friend' });
  assert.equal(refused.status, 403);
  assert.match(await errorOf(refused), /only an admin may mint creator tokens/);

  const room = await created<CreateRoomResponse>(await post('/api/rooms', creator.token, { room: 'band' }));
  const joined = await joinWithInvite(server, 'band', room.editorInvite, 'Drummer');
  for (const token of [room.ownerToken, joined.token, room.editorInvite]) {
    const res = await post('/api/rooms', token, { room: 'stolen' });
    assert.equal(res.status, 403);
    assert.match(await errorOf(res), /a room token cannot be used here: this needs an admin or creator token/);
  }
  // And a server token opens no room.
  const upgrade = await refusedUpgrade(`${server.wsUrl}/band?token=${admin}`);
  assert.equal(upgrade.status, 401);
  assert.match(upgrade.error, /this is a server \(admin or creator\) token: it opens no room/);
});

test('the server answers to the public URL’s name (behind a proxy), and to no other', async () => {
  const statusFor = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/healthz', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
  assert.equal(await statusFor('jam.example.org'), 200);
  assert.equal(await statusFor('evil.example.com'), 421);
});

test('the CLI mints server tokens that work over HTTP, and refuses a data dir with no secret', async () => {
  const printed = (await cli(['token', '--data', dataDir, '--server-role', 'creator', '--name', 'Mr Okafor', '--ttl', '7d'])).stdout.trim();
  const room = await created<CreateRoomResponse>(await post('/api/rooms', printed, { name: 'Mr O' }));
  assert.match(room.room, /^jam-/);
  await assert.rejects(
    cli(['token', '--data', join(dataDir, 'typo'), '--server-role', 'admin']),
    (err: Error & { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr!, /has no secret: set the server up first \(riffroom-server init/);
      return true;
    },
  );
});

test('init run again keeps the secret: links handed out before still work, and a new admin token too', async () => {
  const admin = adminTokenIn(initOutput);
  const room = await created<CreateRoomResponse>(await post('/api/rooms', admin, { room: 'before-reinit' }));
  const secret = readFileSync(join(dataDir, 'secret'), 'utf8');
  const again = (await cli(['init', '--data', dataDir])).stdout;
  assert.match(again, /was already initialised: its signing secret is kept/);
  assert.equal(readFileSync(join(dataDir, 'secret'), 'utf8'), secret);
  const newAdmin = adminTokenIn(again);
  assert.notEqual(newAdmin, admin);
  // The running server never re-read anything: the old room's token and the new admin token both work.
  const owner = await connectClient(server.wsUrl, 'before-reinit', room.ownerToken);
  disconnect(owner);
  await created<CreateRoomResponse>(await post('/api/rooms', newAdmin, { room: 'after-reinit' }));
  await assert.rejects(
    cli(['init', '--data', dataDir, '--public-url', 'https://jam.example.org/app']),
    (err: Error & { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr!, /the public URL must be the server's root, without a path \(\/app\)/);
      return true;
    },
  );
  await assert.rejects(cli(['init', '--data', tempDataDir()]), /--public-url <url> is required/);
});

test('a server whose config.json is damaged refuses to start, saying which file and why', async () => {
  const dir = tempDataDir();
  writeFileSync(join(dir, 'config.json'), '{"publicUrl": "https://jam.example.org/riffroom"}');
  await assert.rejects(startServerProcess({ dataDir: dir }), (err: Error) => {
    assert.match(err.message, /server exited with 1/);
    assert.match(err.message, /config.json: the public URL must be the server's root, without a path \(\/riffroom\)/);
    return true;
  });
});
