/**
 * The desktop's Share online under Node: a project file (as the session host keeps it) pushed to
 * an in-process server with a creator token, the token kept only through the cipher and only once
 * accepted, and each refusal as a result in words.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { mintServerToken } from '../../sync-server/auth/server-tokens.ts';
import { verifyToken } from '../../sync-server/auth/tokens.ts';
import { startServer, type RunningServer } from '../../sync-server/server.ts';
import { RoomLog } from '../../sync-server/store/room-log.ts';
import type { FetchLike } from '../../sync-server/client/transfer-client.ts';
import { ServerTokenStore, type SecretCipher } from './server-tokens-store.ts';
import { shareProject, tokenInfo } from './share-project.ts';

const secret = 'share-project-test-secret-0123456789-abcdef';
const creator = mintServerToken(secret, 'creator', 'Alice', 3600).token;
const fetchImpl: FetchLike = (url, init) => fetch(url, init as RequestInit);
const cipher: SecretCipher = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from(plain).reverse(),
  decryptString: (encrypted) => Buffer.from(encrypted).reverse().toString(),
};
let server: RunningServer;
let dir: string;
let projectPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riffroom-share-project-'));
  server = await startServer({ dataDir: join(dir, 'data'), secret });
  projectPath = join(dir, 'My Song.riffroom');
  const log = new RoomLog(projectPath);
  const doc = new Y.Doc();
  let n = 0;
  doc.on(
    'update',
    (update: Uint8Array) => void log.append({ time: 1_700_000_000_000 + ++n, author: n % 2 ? 'me' : 'ben', label: `edit ${n}`, update }),
  );
  for (let i = 0; i < 3; i++) doc.getMap('m').set(`k${i}`, i);
  log.close();
});
after(() => server.close());

test('pushes the project; the window goes to the hosted room as its owner; the token is kept encrypted', async () => {
  const tokensFile = join(dir, 'tokens-1.json');
  const tokens = new ServerTokenStore(tokensFile, cipher);
  assert.match(tokenInfo(tokens, server.url).note, /encrypted with your system’s keychain/);
  const { result, target } = await shareProject({
    projectPath,
    request: { origin: server.url, room: 'My-Song', creatorToken: creator },
    tokens,
    fetch: fetchImpl,
  });
  assert.deepEqual(result, { ok: true });
  assert.equal(target!.room, 'My-Song');
  assert.equal(target!.httpUrl, server.url);
  assert.equal(target!.serverUrl, server.url.replace('http:', 'ws:'));
  assert.equal(verifyToken(secret, target!.token).role, 'owner');
  assert.ok(!readFileSync(tokensFile, 'utf8').includes(creator));
  assert.equal(tokenInfo(tokens, server.url).hasToken, true);
  const hosted = await server.rooms.get('My-Song');
  assert.deepEqual(
    (await hosted.store.history(0, 10)).map((e) => e.author),
    ['me', 'ben', 'me'],
  );

  // Again under the same name, with the kept token: taken, another offered.
  const again = await shareProject({
    projectPath,
    request: { origin: server.url, room: 'My-Song', creatorToken: null },
    tokens,
    fetch: fetchImpl,
  });
  assert.deepEqual(again.result, {
    ok: false,
    problem: 'exists',
    message: again.result.ok ? '' : again.result.message,
    suggestion: 'My-Song-2',
  });
  assert.match(again.result.ok ? '' : again.result.message, /already has a room named "My-Song"/);
});

test('a refused token is not kept; a kept one the server refuses is dropped; no token, bad address', async () => {
  const tokens = new ServerTokenStore(join(dir, 'tokens-2.json'), cipher);
  const bad = await shareProject({
    projectPath,
    request: { origin: server.url, room: 'r1', creatorToken: 'wrong' },
    tokens,
    fetch: fetchImpl,
  });
  assert.equal(bad.result.ok ? '' : bad.result.problem, 'token');
  assert.equal(tokens.get(server.url), null);
  tokens.set(server.url, 'stale-token');
  const stale = await shareProject({
    projectPath,
    request: { origin: server.url, room: 'r1', creatorToken: null },
    tokens,
    fetch: fetchImpl,
  });
  assert.equal(stale.result.ok ? '' : stale.result.problem, 'token');
  assert.equal(tokens.get(server.url), null);
  const none = await shareProject({
    projectPath,
    request: { origin: server.url, room: 'r1', creatorToken: null },
    tokens,
    fetch: fetchImpl,
  });
  assert.match(none.result.ok ? '' : none.result.message, /Paste a creator token/);
  const url = await shareProject({
    projectPath,
    request: { origin: 'http://jam.example.org', room: 'r1', creatorToken: creator },
    tokens,
    fetch: fetchImpl,
  });
  assert.match(url.result.ok ? '' : url.result.message, /Use https:\/\//);
  const gone = await shareProject({
    projectPath: join(dir, 'missing.riffroom'),
    request: { origin: server.url, room: 'r1', creatorToken: creator },
    tokens,
    fetch: fetchImpl,
  });
  assert.equal(gone.result.ok ? '' : gone.result.problem, 'no-project');
});

test('without encryption the dialog is told the token will not be saved', () => {
  const tokens = new ServerTokenStore(join(dir, 'tokens-3.json'), { ...cipher, isEncryptionAvailable: () => false });
  assert.match(tokenInfo(tokens, null).note, /will not save the token: encrypted storage is not available/);
});
