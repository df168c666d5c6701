/**
 * The share client against a server in this process (import, invites, export, each refusal in
 * words) and against fake fetches for what only a network produces (refused connections, names
 * that do not resolve, untrusted certificates, a server that is not Riffroom).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { mintServerToken } from '../auth/server-tokens.ts';
import { signToken } from '../auth/tokens.ts';
import { startServer, type RunningServer } from '../server.ts';
import { RoomLog } from '../store/room-log.ts';
import {
  exportRoom,
  importProject,
  mintInvites,
  parseServerUrl,
  suggestRoomName,
  TransferError,
  type FetchLike,
} from './transfer-client.ts';

const secret = 'transfer-client-test-secret-0123456789-abc';
let server: RunningServer;
let project: Uint8Array;
const creator = mintServerToken(secret, 'creator', 'Ms Rivera', 3600).token;
const realFetch: FetchLike = (url, init) => fetch(url, init as RequestInit);

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-transfer-client-'));
  server = await startServer({ dataDir: join(dir, 'data'), secret, httpLimits: { maxImportBytes: 256 * 1024 } });
  const file = join(dir, 'song.riffroom');
  const log = new RoomLog(file);
  const doc = new Y.Doc();
  let n = 0;
  doc.on(
    'update',
    (update: Uint8Array) => void log.append({ time: 1_700_000_000_000 + ++n, author: n % 2 ? 'ann' : 'ben', label: `edit ${n}`, update }),
  );
  for (let i = 0; i < 4; i++) doc.getMap('m').set(`k${i}`, i);
  log.close();
  project = new Uint8Array(readFileSync(file));
});
after(() => server.close());

async function refusal(run: Promise<unknown>): Promise<TransferError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof TransferError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

test('server addresses: https, a bare name, loopback http; everything else says why', () => {
  assert.deepEqual(parseServerUrl('jam.example.org'), { ok: true, origin: 'https://jam.example.org' });
  assert.deepEqual(parseServerUrl(' https://jam.example.org:8443/ '), { ok: true, origin: 'https://jam.example.org:8443' });
  assert.deepEqual(parseServerUrl('http://127.0.0.1:4455'), { ok: true, origin: 'http://127.0.0.1:4455' });
  const problem = (text: string) => (parseServerUrl(text) as { problem: string }).problem;
  assert.match(problem('http://jam.example.org'), /Use https:\/\/ for jam.example.org/);
  assert.match(problem(''), /Type the address/);
  assert.match(problem('https://jam.example.org/?room=a#token=x'), /not a page or a link/);
  assert.match(problem('ftp://jam.example.org'), /starts with https/);
  assert.match(problem('https://me:pw@jam.example.org'), /user name and password/);
  assert.match(problem('https://exa mple'), /not a server address/);
});

test('suggested names for a room that exists', () => {
  assert.equal(suggestRoomName('my-song'), 'my-song-2');
  assert.equal(suggestRoomName('my-song-2'), 'my-song-3');
  assert.equal(suggestRoomName('a'.repeat(64)).length <= 64, true);
});

test('import, invites and export: the round trip, and the owner token the import hands back', async () => {
  const imported = await importProject(realFetch, { origin: server.url, room: 'shared', creatorToken: creator, file: project });
  assert.equal(imported.room, 'shared');
  assert.equal(imported.lastSeq, 4);
  assert.equal(imported.claims.role, 'owner');
  const invites = await mintInvites(realFetch, { origin: server.url, room: 'shared', token: imported.token });
  assert.match(invites.links.editor, /\/\?room=shared#token=/);
  const copy = await exportRoom(realFetch, { origin: server.url, room: 'shared', token: imported.token });
  assert.equal(copy.lastSeq, 4);
  assert.equal(Buffer.from(copy.file.subarray(0, 16)).toString('latin1'), 'SQLite format 3\0');

  const again = await refusal(importProject(realFetch, { origin: server.url, room: 'shared', creatorToken: creator, file: project }));
  assert.equal(again.problem, 'exists');
  assert.equal(again.detail, 'shared-2');
  assert.match(again.message, /already has a room named "shared"\. Choose another name, like "shared-2"/);
});

test('import refusals: bad token, a room token, too big, a refused file', async () => {
  const bad = await refusal(importProject(realFetch, { origin: server.url, room: 'r1', creatorToken: 'nonsense', file: project }));
  assert.equal(bad.problem, 'token');
  assert.match(bad.message, /did not accept the token .*Paste a creator token/);
  const roomToken = signToken(secret, { room: 'r1', role: 'owner', name: 'x', exp: Math.floor(Date.now() / 1000) + 60 });
  const wrongKind = await refusal(importProject(realFetch, { origin: server.url, room: 'r1', creatorToken: roomToken, file: project }));
  assert.equal(wrongKind.problem, 'token');
  assert.match(wrongKind.message, /creator or admin token, not a room link's token/);
  const big = await refusal(
    importProject(realFetch, { origin: server.url, room: 'r2', creatorToken: creator, file: new Uint8Array(300 * 1024) }),
  );
  assert.equal(big.problem, 'too-big');
  assert.match(big.message, /The project \(0\.3 MB\) is larger than .* --max-import-bytes/);
  const junk = new TextEncoder().encode('this is not a project file at all. '.repeat(200));
  const refused = await refusal(importProject(realFetch, { origin: server.url, room: 'r3', creatorToken: creator, file: junk }));
  assert.equal(refused.problem, 'refused-file');
  assert.match(refused.message, /refused the project file: /);
  assert.ok(refused.detail, 'the problem code');
  const empty = await refusal(importProject(realFetch, { origin: server.url, room: 'r4', creatorToken: ' ', file: project }));
  assert.match(empty.message, /riffroom-server token --server-role creator/);
  const name = await refusal(importProject(realFetch, { origin: server.url, room: 'no/pe', creatorToken: creator, file: project }));
  assert.match(name.message, /not a room name/);
});

test('export and invites say "only the owner" to editors and viewers', async () => {
  for (const role of ['editor', 'viewer'] as const) {
    const token = signToken(secret, { room: 'shared', role, name: role, exp: Math.floor(Date.now() / 1000) + 60 });
    const kept = await refusal(exportRoom(realFetch, { origin: server.url, room: 'shared', token }));
    assert.equal(kept.problem, 'not-owner');
    assert.match(kept.message, /^Only the room's owner can keep a local copy of the room\./);
    const invited = await refusal(mintInvites(realFetch, { origin: server.url, room: 'shared', token }));
    assert.match(invited.message, /^Only the room's owner can make invites\./);
  }
});

test("no answer: refused, no such name, an untrusted certificate, a browser's bare failure", async () => {
  const failing =
    (error: unknown): FetchLike =>
    () =>
      Promise.reject(error);
  const nodeError = (code: string, message = code) =>
    Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });
  const ask = (error: unknown) =>
    refusal(importProject(failing(error), { origin: 'https://jam.example.org', room: 'r', creatorToken: 't', file: project }));
  assert.match((await ask(nodeError('ECONNREFUSED'))).message, /Nothing answers at https:\/\/jam.example.org \(connection refused\)/);
  assert.match((await ask(nodeError('ENOTFOUND'))).message, /There is no server named jam.example.org/);
  const cert = await ask(nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'));
  assert.equal(cert.problem, 'certificate');
  assert.match(cert.message, /The certificate of https:\/\/jam.example.org is not trusted/);
  assert.equal((await ask(new Error('net::ERR_CERT_AUTHORITY_INVALID'))).problem, 'certificate'); // Electron's net.fetch
  assert.match(
    (await ask(new TypeError('Failed to fetch'))).message,
    /certificate not trusted by this browser \(open https:\/\/jam.example.org\/healthz/,
  );
});

test('a server that is not Riffroom: an HTML 404 says to check the address', async () => {
  const html: FetchLike = async () => ({
    status: 404,
    headers: new Headers(),
    text: async () => '<html>Not Found</html>',
    arrayBuffer: async () => new ArrayBuffer(0),
  });
  const wrong = await refusal(importProject(html, { origin: 'https://example.org', room: 'r', creatorToken: 't', file: project }));
  assert.equal(wrong.problem, 'not-riffroom');
  assert.match(wrong.message, /answered \(404\) but not as a Riffroom server/);
});
