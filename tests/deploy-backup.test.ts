/**
 * deploy/backup.sh on a server in the middle of a jam: the copy holds a consistent log (intact
 * hash chain, every entry acknowledged before the backup began) and the secret, and a server
 * started on the copy (the README's restore) serves the same song with the same tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addClip, addNotes, addTrack, initSong } from '../core/song/edits.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import type { Role } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { DEPLOY, freePort, runTool } from './support/deploy-files.ts';
import { getLastSeq, getSong, waitForSeq } from './support/room-api.ts';
import { startUnitServer, type UnitServer } from './support/unit-server.ts';
import { connectClient, disconnect, type Client } from './support/yjs-clients.ts';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `riffroom-deploy-${prefix}-`));

test('deploy/backup.sh while peers edit: a consistent copy that a server can run on', async () => {
  const room = 'band-practice';
  let server: UnitServer = await startUnitServer({ stateRoot: temp('state'), port: await freePort() });
  const token = (role: Role, name: string) => signToken(server.secret, { room, role, name, exp: Math.floor(Date.now() / 1000) + 3600 });
  const viewer = token('viewer', 'backup-check');
  const api = () => ({ url: `http://127.0.0.1:${server.port}` });
  const clients: Client[] = [];
  let backup: string;
  let acknowledged: number;
  try {
    for (const name of ['ann', 'ben']) clients.push(await connectClient(`ws://127.0.0.1:${server.port}`, room, token('editor', name)));
    const [a, b] = clients as [Client, Client];
    initSong(a.doc, { title: 'Backed up' });
    const track = addTrack(a.doc, { role: 'keys' });
    await waitForSeq(api(), room, viewer, 2, 10_000);
    // Edits keep coming while the backup runs.
    let editing = true;
    const edits = (async () => {
      for (let i = 0; editing; i++) {
        const clip = addClip((i % 2 ? b : a).doc, { trackId: track, startBar: i, lengthBars: 1 });
        addNotes((i % 2 ? b : a).doc, clip, [{ pitch: 48 + (i % 24), tick: 0, duration: 240, velocity: 90 }]);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await waitForSeq(api(), room, viewer, 20, 10_000);
    acknowledged = await getLastSeq(api(), room, viewer);
    const result = await runTool('bash', [join(DEPLOY, 'backup.sh'), server.dataDir, temp('backups')]);
    editing = false;
    await edits;
    assert.equal(result.code, 0, result.stderr);
    backup = result.stdout.trim();
    assert.match(result.stderr, /1 room\(s\) and the secret/);
  } finally {
    for (const c of clients) disconnect(c);
    assert.equal(await server.stop(), 0, server.output());
  }

  assert.equal(readFileSync(join(backup, 'secret'), 'utf8'), readFileSync(join(server.dataDir, 'secret'), 'utf8'));
  const copy = new RoomLog(join(backup, 'rooms', `${room}.riffroom`), { readOnly: true });
  let copied: number;
  try {
    copied = copy.lastSeq;
    assert.ok(copied >= acknowledged, `the copy has every entry acknowledged before the backup (${copied} >= ${acknowledged})`);
    assert.equal(copy.verify(), null, "the copy's hash chain is intact");
  } finally {
    copy.close();
  }

  // Restore: the backup folder as a data dir (README: copy it back to /var/lib/riffroom).
  const restoredRoot = temp('restored');
  cpSync(backup, join(restoredRoot, 'riffroom'), { recursive: true });
  server = await startUnitServer({ stateRoot: restoredRoot, port: await freePort() });
  try {
    assert.equal(await getLastSeq(api(), room, viewer), copied, 'the old tokens work: the secret came back too');
    const song = await getSong(api(), room, viewer);
    assert.equal(song.meta.title, 'Backed up');
    assert.equal(song.tracks.length, 1);
    assert.ok(song.clips.length >= 9, `the clips made before the backup are there (${song.clips.length})`);
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
});
