/**
 * The desktop app's session host, across processes: electron/session/host.ts started with
 * child_process.fork by the session manager (as Electron's utilityProcess.fork starts it in the
 * app), serving a project file as its room, with stock y-websocket clients (the same
 * WebsocketProvider the window uses, over the `ws` package).
 *
 * - an edit made through the host is in the project file with its history after the host stops;
 * - corrupt and newer-version project files are refused, and not one byte of them changes;
 * - hostile project files (a trigger, a decompression bomb, an altered entry) are refused with
 *   the reason, untouched, and the host then serves a good one;
 * - Save As while a client is editing gives a file that opens with all its history;
 * - a crashed host is restarted on the same port and the clients reconnect by themselves;
 * - hosting a jam binds to the LAN: the invite link (this machine's LAN address) serves the web
 *   client and lets another client join as an editor, under their own name and identity (the
 *   invite itself opens no socket).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import * as Y from 'yjs';
import { addClip, addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { LOG_VERSION, RoomLog } from '../sync-server/store/room-log.ts';
import { copyProject, createProject, inspectProject } from '../electron/project/project-file.ts';
import { parseJoinLink } from '../sync-server/client/room-link.ts';
import { childProcessLauncher, SessionManager, SessionStartError, type SessionEvent } from '../electron/session/manager.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { errorOf, getHistory, joinWithInvite, waitForSeq } from './support/room-api.ts';
import { HOSTILE_LOGS, fileFingerprint, writeGoodLog } from './support/hostile-logs.ts';
import WebSocket from 'ws';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-session-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function newManager(t: { after(fn: () => Promise<void>): void }, options: { webDir?: string | null } = {}): SessionManager {
  const manager = new SessionManager({
    launch: childProcessLauncher(fork),
    webDir: options.webDir ?? null,
    modelDir: null,
    userName: 'ann',
    restartDelayMs: 50,
  });
  t.after(() => manager.stop());
  return manager;
}

/** The song and history in a closed project file, read straight from SQLite. */
function readProject(path: string) {
  const log = new RoomLog(path, { readOnly: true });
  try {
    const doc = new Y.Doc();
    for (const { update } of log.updates(0)) Y.applyUpdate(doc, update);
    return { song: readSong(doc), history: log.history(0, 1_000_000), broken: log.verify(), lastSeq: log.lastSeq };
  } finally {
    log.close();
  }
}

test('an edit made through the session host is in the project file, with its history, after the host stops', async (t) => {
  const dir = tempDir(t);
  const project = join(dir, 'First jam.riffroom');
  createProject(project);
  const manager = newManager(t);
  const session = await manager.start(project, 'solo');
  assert.equal(session.room, 'First-jam');
  assert.equal(session.mode, 'solo');
  assert.equal(session.wsUrl, `ws://127.0.0.1:${session.port}`);
  assert.equal(session.browserLink, null, 'no web client asked for');
  assert.ok(session.inviteLink.startsWith(`http://127.0.0.1:${session.port}/?room=First-jam#token=`), session.inviteLink);

  const client = await connectClient(session.wsUrl, session.room, session.ownerToken);
  let trackId: string;
  try {
    initSong(client.doc, { title: 'First jam' });
    trackId = addTrack(client.doc, { role: 'bass', name: 'Bass' });
    setTempo(client.doc, 97);
    const api = { url: session.httpUrl };
    let lastSeq = 0;
    for (let i = 0; i < 200 && lastSeq < 3; i++) {
      lastSeq = (await getHistory(api, session.room, session.ownerToken)).lastSeq;
      if (lastSeq < 3) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(lastSeq, 3, 'three edits logged');
  } finally {
    disconnect(client);
  }
  await manager.stop();
  assert.equal(manager.state, 'stopped');
  assert.deepEqual(readdirSync(dir), ['First jam.riffroom'], 'the file alone holds everything (no -wal left)');

  assert.equal(inspectProject(project).lastSeq, 3);
  const { song, history, broken } = readProject(project);
  assert.equal(broken, null, 'hash chain intact');
  assert.equal(song.meta.title, 'First jam');
  assert.equal(song.meta.bpm, 97);
  assert.deepEqual(
    song.tracks.map((tr) => [tr.id, tr.name]),
    [[trackId, 'Bass']],
  );
  assert.deepEqual(
    history.map((e) => e.author),
    ['ann', 'ann', 'ann'],
    'the owner token carries the user name',
  );
  assert.equal(history.length, 3);
  assert.ok(history.every((e) => e.label.length > 0));

  // Reopened by a new host: the client gets the whole song back.
  const again = await manager.start(project, 'solo');
  const reader = await connectClient(again.wsUrl, again.room, again.ownerToken);
  try {
    assert.equal(readSong(reader.doc).meta.bpm, 97);
    assert.equal(readSong(reader.doc).tracks.length, 1);
  } finally {
    disconnect(reader);
  }
});

test('corrupt and newer-version project files are refused by the host, and never modified', async (t) => {
  const dir = tempDir(t);
  const manager = newManager(t);
  const good = join(dir, 'good.riffroom');
  createProject(good);
  const newer = join(dir, 'newer.riffroom');
  createProject(newer);
  const db = new DatabaseSync(newer);
  db.exec(`UPDATE log_meta SET value = '${LOG_VERSION + 1}' WHERE key = 'version'; PRAGMA journal_mode = DELETE`);
  db.close();
  const junk = join(dir, 'junk.riffroom');
  writeFileSync(junk, 'not a database at all\n'.repeat(100));
  const truncated = join(dir, 'truncated.riffroom');
  writeFileSync(truncated, readFileSync(good).subarray(0, 1000));

  for (const [file, problem, words] of [
    [newer, 'newer-version', /newer Riffroom/],
    [junk, 'not-sqlite', /not an SQLite/],
    [truncated, 'truncated', /cut short/],
    [join(dir, 'missing.riffroom'), 'missing', /does not exist/],
  ] as const) {
    const before = problem === 'missing' ? null : readFileSync(file);
    const filesBefore = readdirSync(dir).sort();
    await assert.rejects(manager.start(file, 'solo'), (err: unknown) => {
      assert.ok(err instanceof SessionStartError, String(err));
      assert.equal(err.error.name, 'ProjectFileError');
      assert.equal(err.error.problem, problem);
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, words);
      return true;
    });
    if (before) assert.deepEqual(readFileSync(file), before, `${file}: bytes unchanged`);
    assert.deepEqual(readdirSync(dir).sort(), filesBefore, 'no file appeared or vanished');
    assert.equal(manager.state, 'stopped');
  }
  // The manager still works afterwards.
  assert.equal((await manager.start(good, 'solo')).room, 'good');
});

test('hostile project files are refused by the host with the reason, never modified, and a good one is served', async (t) => {
  const dir = tempDir(t);
  const manager = newManager(t);
  const chosen = [
    'a trigger that deletes history on every append',
    'a decompression bomb as the room state',
    'one changed byte in an update',
  ];
  for (const hostile of HOSTILE_LOGS.filter((h) => chosen.includes(h.name))) {
    const file = join(dir, `${hostile.name.replace(/\W+/g, '-')}.riffroom`);
    hostile.make(file);
    const before = fileFingerprint(file);
    const filesBefore = readdirSync(dir).sort();
    await assert.rejects(manager.start(file, 'solo'), (err: unknown) => {
      assert.ok(err instanceof SessionStartError, String(err));
      assert.equal(err.error.name, 'ProjectFileError');
      assert.equal(err.error.problem, hostile.problem, err.message);
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, hostile.reason);
      return true;
    });
    assert.deepEqual(fileFingerprint(file), before, `${hostile.name}: same bytes, nothing beside it`);
    assert.deepEqual(readdirSync(dir).sort(), filesBefore, 'no file appeared or vanished');
    assert.equal(manager.state, 'stopped');
  }
  const good = join(dir, 'good.riffroom');
  writeGoodLog(good);
  const session = await manager.start(good, 'solo');
  const client = await connectClient(session.wsUrl, session.room, session.ownerToken);
  try {
    assert.equal(readSong(client.doc).meta.title, 'Good song');
    setTempo(client.doc, 120);
    await waitFor(() => readSong(client.doc).meta.bpm === 120, 5000, 'the edit applied');
    const api = { url: session.httpUrl };
    let lastSeq = 0;
    for (let i = 0; i < 300 && lastSeq < 6; i++) {
      lastSeq = (await getHistory(api, session.room, session.ownerToken)).lastSeq;
      if (lastSeq < 6) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(lastSeq, 6, 'the edit is appended after the file’s five');
  } finally {
    disconnect(client);
  }
  await manager.stop();
  const { broken, lastSeq } = readProject(good);
  assert.equal(broken, null);
  assert.equal(lastSeq, 6);
});

test('Save As while a client is editing gives a file that opens with all its history', async (t) => {
  const dir = tempDir(t);
  const project = join(dir, 'live.riffroom');
  createProject(project);
  const manager = newManager(t);
  const session = await manager.start(project, 'solo');
  const client = await connectClient(session.wsUrl, session.room, session.ownerToken);
  try {
    initSong(client.doc, { title: 'Live' });
    const trackId = addTrack(client.doc, { role: 'drums' });
    let stop = false;
    let made = 0;
    const editing = (async () => {
      while (!stop) {
        addClip(client.doc, {
          trackId,
          startBar: made % 500,
          lengthBars: 1,
          name: `c${made}`,
          notes: [{ pitch: 36, tick: 0, duration: 120, velocity: 90 }],
        });
        made++;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await waitFor(() => made > 30, 10_000, 'editing is under way');

    // A copy taken from this process while the host process writes the log.
    const copy = join(dir, 'copy.riffroom');
    const info = copyProject(project, copy);
    assert.ok(info.lastSeq > 2, `the copy has the edits so far (${info.lastSeq})`);
    const copied = readProject(copy);
    assert.equal(copied.broken, null, 'a whole hash chain');
    assert.deepEqual(
      copied.history.map((e) => e.seq),
      Array.from({ length: info.lastSeq }, (_, i) => i + 1),
    );
    assert.equal(copied.song.meta.title, 'Live');
    assert.equal(copied.song.clips.length, info.lastSeq - 2, 'every clip logged by then is in the copy');

    // Save As through the manager: the host moves to the new file, which has everything.
    await waitFor(() => made > info.lastSeq + 20, 10_000, 'more edits after the copy');
    stop = true;
    await editing;
    const song = JSON.stringify(readSong(client.doc));
    const api = { url: session.httpUrl };
    for (let i = 0; i < 300 && (await getHistory(api, session.room, session.ownerToken)).lastSeq < made + 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    const saved = join(dir, 'Saved as.riffroom');
    const moved = await manager.saveAs(saved);
    assert.equal(moved.projectPath, saved);
    assert.equal(moved.room, 'Saved-as');
    const reader = await connectClient(moved.wsUrl, moved.room, moved.ownerToken);
    try {
      assert.equal(JSON.stringify(readSong(reader.doc)), song, 'the saved copy is served with the whole song');
    } finally {
      disconnect(reader);
    }
    await manager.stop();
    const final = readProject(saved);
    assert.equal(final.broken, null);
    assert.equal(final.lastSeq, made + 2, 'every edit is in the saved file');
    assert.equal(readProject(project).lastSeq, made + 2, 'and the original keeps its history too');
  } finally {
    disconnect(client);
  }
});

test('a crashed session host is restarted on the same port, and clients reconnect by themselves', async (t) => {
  const dir = tempDir(t);
  const project = join(dir, 'crash.riffroom');
  createProject(project);
  const manager = newManager(t);
  const events: SessionEvent[] = [];
  manager.onEvent((e) => events.push(e));
  const session = await manager.start(project, 'solo');
  const clients: Client[] = [];
  try {
    clients.push(await connectClient(session.wsUrl, session.room, session.ownerToken));
    const joined = await joinWithInvite({ url: session.httpUrl }, session.room, session.inviteLink.split('token=')[1]!, 'bob');
    clients.push(await connectClient(session.wsUrl, session.room, joined.token));
    const [a, b] = clients as [Client, Client];
    initSong(a.doc, { title: 'Before the crash' });
    const trackId = addTrack(a.doc, { role: 'keys' });
    await waitFor(() => b.doc.getMap('tracks').has(trackId), 5000, 'b has the track');

    const pid = manager.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'crashed'), 5000, 'the manager saw the crash');
    const offline = addClip(b.doc, { trackId, startBar: 1, lengthBars: 1, name: 'made while the host was down' });
    await waitFor(() => events.some((e) => e.type === 'restarted'), 15_000, 'restarted');
    assert.notEqual(manager.pid, pid);
    assert.equal(manager.session!.port, session.port, 'same port');
    await waitFor(
      () => clients.every((c) => c.provider.wsconnected && c.provider.synced),
      15_000,
      'stock providers reconnected (tokens still valid)',
    );
    await waitFor(() => a.doc.getMap('clips').has(offline), 5000, 'the offline edit reached the other client');
    setTempo(a.doc, 133);
    await waitFor(() => readSong(b.doc).meta.bpm === 133, 5000, 'edits flow again');
    const api = { url: session.httpUrl };
    for (let i = 0; i < 300 && (await getHistory(api, session.room, session.ownerToken)).lastSeq < 4; i++)
      await new Promise((r) => setTimeout(r, 10));
  } finally {
    clients.forEach(disconnect);
  }
  await manager.stop();
  const { song, broken, lastSeq } = readProject(project);
  assert.equal(broken, null);
  assert.equal(lastSeq, 4, 'init, track, the offline clip and the tempo');
  assert.equal(song.meta.bpm, 133);
  assert.equal(song.clips.length, 1);
  assert.deepEqual(
    events.map((e) => e.type),
    ['started', 'crashed', 'restarted', 'stopped'],
  );
});

test('hosting a jam: bound to the LAN, the invite link serves the web client and lets a bandmate join', async (t) => {
  const dir = tempDir(t);
  const web = join(dir, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Riffroom</title>');
  const project = join(dir, 'band.riffroom');
  createProject(project);
  const manager = newManager(t, { webDir: web });
  const solo = await manager.start(project, 'solo');
  const session = await manager.setMode('lan');
  assert.equal(session.mode, 'lan');
  assert.equal(session.projectPath, solo.projectPath);
  const address = session.lanAddress ?? '127.0.0.1';
  assert.ok(session.inviteLink.startsWith(`http://${address}:${session.port}/?room=band#token=`), session.inviteLink);
  assert.equal(session.browserLink, session.inviteLink);

  const page = await fetch(session.browserLink!);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Riffroom<\/title>/);
  assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');

  const parsed = parseJoinLink(session.inviteLink);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.link.claims.role, 'editor');
  // The invite opens no socket by itself...
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${parsed.link.serverUrl}/${parsed.link.room}?token=${parsed.link.token}`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => {});
  });
  assert.equal(refused, 403, 'an invite is refused on the websocket');
  // ...it is traded for the guest's own token (the page asks for their name).
  const joined = await joinWithInvite({ url: parsed.link.httpUrl }, parsed.link.room, parsed.link.token, 'gus');
  assert.equal(joined.claims.role, 'editor');
  const another = await joinWithInvite({ url: parsed.link.httpUrl }, parsed.link.room, parsed.link.token, 'gus');
  assert.notEqual(another.claims.id, joined.claims.id, 'two people joining from one invite are two identities, even under one name');
  const renewed = await fetch(`${session.httpUrl}/api/rooms/${session.room}/renew`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.ownerToken}` },
  });
  assert.equal(renewed.status, 200, `the owner token is renewable: ${renewed.status === 200 ? '' : await errorOf(renewed)}`);
  const host = await connectClient(session.wsUrl, session.room, session.ownerToken);
  const guest = await connectClient(parsed.link.serverUrl, parsed.link.room, joined.token);
  try {
    initSong(host.doc, { title: 'Band' });
    // The guest adds a track to the song it was sent (not before it arrived: then the two first
    // edits could reach the host in either order).
    await waitFor(() => readSong(guest.doc).meta.title === 'Band', 5000, 'the guest has the host’s song');
    addTrack(guest.doc, { role: 'lead', name: 'Guest lead' });
    await waitFor(() => readSong(host.doc).tracks.some((tr) => tr.name === 'Guest lead'), 5000, 'the host sees the guest’s track');
    const api = { url: session.httpUrl };
    await waitForSeq(api, session.room, session.ownerToken, 2);
    const history = await getHistory(api, session.room, session.ownerToken);
    assert.deepEqual(
      history.entries.map((e) => e.author),
      ['ann', 'gus'],
    );
  } finally {
    disconnect(host);
    disconnect(guest);
  }
});
