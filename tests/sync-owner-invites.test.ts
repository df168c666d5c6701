/**
 * A project shared online gets invites from its owner, against a real server process: a creator
 * imports a project (POST /import), the owner token the import handed back mints fresh invites
 * (POST /invites), a bandmate joins with the editor invite (POST /join) and a stock y-websocket
 * provider with their own token sees the imported song; the joined editor cannot mint invites.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signServerToken } from '../sync-server/auth/server-tokens.ts';
import type { ImportResponse, InvitesResponse, TokenResponse } from '../sync-server/contract.ts';
import { readSong } from '../core/song/schema.ts';
import { startServerProcess, TEST_SECRET, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { writeGoodLog } from './support/hostile-logs.ts';

let server: ServerProcess;
before(async () => {
  server = await startServerProcess();
});
after(() => server?.kill());

const post = (path: string, token: string, body: Uint8Array | string) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body,
  });

test('import, owner mints invites, a bandmate joins with one and sees the song', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'riffroom-owner-invites-')), 'song.riffroom');
  writeGoodLog(file);
  const creator = signServerToken(TEST_SECRET, {
    role: 'creator',
    name: 'Ms Rivera',
    id: 'rivera',
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const imported = await post('/api/rooms/shared/import', creator, new Uint8Array(readFileSync(file)));
  assert.equal(imported.status, 201, await imported.clone().text());
  const owner = ((await imported.json()) as ImportResponse).token;

  const minted = await post('/api/rooms/shared/invites', owner, '');
  assert.equal(minted.status, 201);
  const invites = (await minted.json()) as InvitesResponse;
  assert.ok(invites.links.editor.startsWith(`${server.url}/?room=shared#token=`), invites.links.editor);

  const joined = await fetch(`${server.url}/api/rooms/shared/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${invites.editorInvite}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Sam' }),
  });
  assert.equal(joined.status, 200);
  const sam = (await joined.json()) as TokenResponse;
  assert.equal(sam.claims.role, 'editor');
  const client = await connectClient(server.wsUrl, 'shared', sam.token);
  try {
    await waitFor(() => readSong(client.doc).meta.title === 'Good song', 5000, 'the imported song reaches the bandmate');
  } finally {
    disconnect(client);
  }

  const refused = await post('/api/rooms/shared/invites', sam.token, '');
  assert.equal(refused.status, 403);
  assert.match(((await refused.json()) as { error: string }).error, /only the room's owner can make invites/);
});
