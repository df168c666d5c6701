/**
 * Projects move between servers (and the desktop), history included, against real server
 * processes:
 * - The room's owner exports it over HTTP while a stock y-websocket provider keeps editing; the
 *   file is the history as it was when the export began, chain whole, and the desktop's own open
 *   path (electron/project/project-file.ts) opens it.
 * - A creator imports it into another server as a new room: the same entries (seq, time, author,
 *   label), bookmarks and teacher's rules, and a stock provider opening the room sees the song.
 * - Only the owner exports, only an admin or creator imports; hostile uploads are refused with
 *   their reason and leave nothing (no room, no temporary file); too large is 413.
 * - The desktop's session host (electron/session, as the app starts it) serves an exported
 *   project with its history, edits go on there, and the project goes back online.
 * - The CLI's export and import, beside the running servers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { JamServerMessage, RoomRules } from '../core/jam/contract.ts';
import { addClip, addNotes, addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { signServerToken } from '../sync-server/auth/server-tokens.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import type { HistoryEntry, ImportResponse, Role } from '../sync-server/contract.ts';
import type { Bookmark } from '../sync-server/store/room-log.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { rebuildAt } from '../sync-server/room/rebuild.ts';
import { inspectProject } from '../electron/project/project-file.ts';
import { childProcessLauncher, SessionManager } from '../electron/session/manager.ts';
import { fork } from 'node:child_process';
import { startServerProcess, tempDataDir, TEST_SECRET, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { apiFetch, errorOf, getHistory, getSong, waitForServerState } from './support/room-api.ts';
import { jamUrl } from './support/jam-clients.ts';
import { HOSTILE_LOGS, writeGoodLog } from './support/hostile-logs.ts';

const CLI = fileURLToPath(new URL('../sync-server/cli.ts', import.meta.url));
const TEACHER = { name: 'Ms Rivera', id: 'teacher-rivera' };
const RULES: RoomRules = { transportLocked: true, students: 'own-track', spotlightTrackId: null };
/** What the hosted server takes (--max-import-bytes): the projects here fit, twice that does not. */
const IMPORT_CAP = 2 * 1024 * 1024;
/** How fast the band's server sends exports (--replay-bytes-per-second): slowly, so edits go on meanwhile. */
const EXPORT_RATE = 256 * 1024;

function roomToken(room: string, role: Role, who: { name: string; id: string } = { name: role, id: `${role}-1` }): string {
  return signToken(TEST_SECRET, { room, role, name: who.name, id: who.id, exp: Math.floor(Date.now() / 1000) + 3600 });
}

function serverToken(role: 'admin' | 'creator', name = 'Ms Rivera'): string {
  return signServerToken(TEST_SECRET, { role, name, id: 'teacher-rivera', exp: Math.floor(Date.now() / 1000) + 3600 });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A band's room as a server left it: 3,000 entries by three authors (so an export reads it in
 * several pages), written into the data folder before the server starts.
 */
function seedRoom(dataDir: string, room: string): void {
  mkdirSync(join(dataDir, 'rooms'), { recursive: true });
  const log = new RoomLog(join(dataDir, 'rooms', `${room}.riffroom`));
  try {
    const doc = new Y.Doc();
    const authors = ['ann', 'ben', 'Ms Rivera'];
    let label = '';
    doc.on('update', (update: Uint8Array) => {
      const n = log.lastSeq + 1;
      log.append({ time: 1_700_000_000_000 + n * 250, author: authors[n % 3]!, label: label || `edit ${n}`, update });
      if (n % 1000 === 0) log.saveSnapshot(n, Y.encodeStateAsUpdate(doc));
    });
    label = 'created song';
    initSong(doc, { title: 'Long jam', bpm: 96 });
    label = 'added track Bass';
    const bass = addTrack(doc, { role: 'bass', name: 'Bass' });
    label = 'added clip Groove';
    const clip = addClip(doc, { trackId: bass, startBar: 0, lengthBars: 64, name: 'Groove' });
    for (let i = 0; log.lastSeq < 3000; i++) {
      label = `added note ${i}`;
      // Four notes an entry: a file over the export's page (1 MiB), so its pacing shows.
      addNotes(
        doc,
        clip,
        [0, 1, 2, 3].map((k) => ({ pitch: 36 + ((i + k * 7) % 48), tick: (i * 60) % (64 * 1920), duration: 60, velocity: 64 + (i % 60) })),
      );
    }
    log.saveRoomState(log.lastSeq, Y.encodeStateAsUpdate(doc));
  } finally {
    log.close();
  }
}

async function openJamSocket(wsUrl: string, room: string, token: string) {
  const ws = new WebSocket(jamUrl(wsUrl, room, token));
  const messages: JamServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as JamServerMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitFor(() => messages.some((m) => m.type === 'welcome'), 5000, 'jam welcome');
  const welcome = messages.find((m) => m.type === 'welcome') as Extract<JamServerMessage, { type: 'welcome' }>;
  return {
    ws,
    messages,
    welcome,
    close: () =>
      new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : (ws.once('close', () => resolve()), ws.close()))),
  };
}

async function getBookmarks(server: ServerProcess, room: string, token: string): Promise<Bookmark[]> {
  const res = await apiFetch(`${server.url}/api/rooms/${room}/bookmarks`, { headers: bearer(token) });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { bookmarks: Bookmark[] }).bookmarks;
}

function exportRoom(server: ServerProcess, room: string, token: string): Promise<Response> {
  return apiFetch(`${server.url}/api/rooms/${room}/export`, { headers: bearer(token) });
}

function importRoom(server: ServerProcess, room: string, token: string, body: Uint8Array | ReadableStream<Uint8Array>): Promise<Response> {
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
    body,
  };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return apiFetch(`${server.url}/api/rooms/${room}/import`, init);
}

/** The room files and temporary files a server's data folder holds. */
function dataFiles(server: ServerProcess): { rooms: string[]; temp: string[] } {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  return { rooms: list(join(server.dataDir, 'rooms')), temp: list(join(server.dataDir, 'tmp')) };
}

const entryFields = (e: HistoryEntry) => ({ seq: e.seq, time: e.time, author: e.author, label: e.label, bytes: e.bytes });

let band: ServerProcess; // the band's own server (say, the desktop's session host on the LAN)
let hosted: ServerProcess; // the hosted server the project moves to
const work = mkdtempSync(join(tmpdir(), 'riffroom-transfer-test-'));

before(async () => {
  const bandData = tempDataDir();
  seedRoom(bandData, 'band');
  // Exports paced slowly enough that the bandmate's edits keep flowing while one is under way.
  band = await startServerProcess({
    dataDir: bandData,
    args: ['--replay-bytes-per-second', String(EXPORT_RATE), '--replay-bytes-per-second-total', String(EXPORT_RATE)],
  });
  hosted = await startServerProcess({ args: ['--max-import-bytes', String(IMPORT_CAP)] });
});
after(async () => {
  await band?.kill();
  await hosted?.kill();
});

test('the owner exports while a bandmate edits; a creator imports it elsewhere; the song and its history arrive whole', async (t) => {
  const owner = roomToken('band', 'owner', TEACHER);
  // The teacher's rules and a bookmark, before the export: both must come along.
  const jam = await openJamSocket(band.wsUrl, 'band', owner);
  jam.ws.send(JSON.stringify({ v: 1, type: 'rules', rules: RULES }));
  await waitFor(
    () => jam.messages.some((m) => m.type === 'rules' && JSON.stringify(m.rules) === JSON.stringify(RULES)),
    5000,
    'the rules are set',
  );
  await jam.close();
  const marked = await apiFetch(`${band.url}/api/rooms/band/bookmarks`, {
    method: 'POST',
    headers: { ...bearer(owner), 'content-type': 'application/json' },
    body: JSON.stringify({ seq: 1500, name: 'halfway' }),
  });
  assert.equal(marked.status, 201);

  const ben = await connectClient(band.wsUrl, 'band', roomToken('band', 'editor', { name: 'ben', id: 'ben' }));
  t.after(() => disconnect(ben));
  let exporting = true;
  let editsDuringExport = 0;
  const editing = (async () => {
    const [trackId] = [...ben.doc.getMap('tracks').keys()] as string[];
    for (let bar = 0; exporting; bar++) {
      addClip(ben.doc, { trackId: trackId!, startBar: 100 + bar, lengthBars: 1, name: `live ${bar}` });
      editsDuringExport++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let file: Uint8Array;
  let exportedSeq: number;
  const started = performance.now();
  try {
    const res = await exportRoom(band, 'band', owner);
    assert.equal(res.status, 200, res.ok ? '' : await res.text());
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="band.riffroom"/);
    exportedSeq = Number(res.headers.get('x-riffroom-last-seq'));
    file = new Uint8Array(await res.arrayBuffer());
  } finally {
    exporting = false;
    await editing;
  }
  // Paced like replay downloads: a second's worth at once, then the rate (pages of 1 MiB).
  const seconds = (performance.now() - started) / 1000;
  const paced = (file.byteLength - 1024 * 1024 - EXPORT_RATE) / EXPORT_RATE;
  assert.ok(paced > 1, `the file (${file.byteLength} bytes) is big enough to be paced`);
  assert.ok(seconds >= paced * 0.9, `paced: ${seconds.toFixed(1)} s for ${file.byteLength} bytes at ${EXPORT_RATE} bytes/s`);
  assert.ok(editsDuringExport >= 3, `the bandmate kept editing during the export (${editsDuringExport} edits)`);
  assert.ok(exportedSeq >= 3002, `the export has the seeded history and the rules (${exportedSeq})`);

  // Everything ben made is logged; the export holds the history up to where it began.
  await waitForServerState(band, 'band', owner, ben.doc);
  const bandHistory = (await getHistory(band, 'band', owner)).entries;
  assert.ok(bandHistory.length > exportedSeq, `edits went on after the export began (${bandHistory.length} > ${exportedSeq})`);
  const path = join(work, 'band.riffroom');
  writeFileSync(path, file);

  // The desktop's own open path takes it (its checks, the whole hash chain included).
  const project = inspectProject(path, { writable: false });
  assert.equal(project.lastSeq, exportedSeq);
  assert.equal(project.entries, exportedSeq);
  const exported = new RoomLog(path, { readOnly: true, create: false });
  let exportedSong: string;
  try {
    assert.deepEqual(
      exported.history(0, 10_000).map(entryFields),
      bandHistory.slice(0, exportedSeq).map(entryFields),
      'the same history, entry for entry',
    );
    assert.deepEqual(exported.storedRules()?.rules, RULES);
    assert.deepEqual(
      exported.bookmarks().map((b) => ({ ...b })),
      (await getBookmarks(band, 'band', owner)).map((b) => ({ ...b })),
    );
    exportedSong = JSON.stringify(readSong(rebuildAt(exported, exportedSeq)));
  } finally {
    exported.close();
  }
  assert.equal(
    exportedSong,
    JSON.stringify(await getSong(band, 'band', owner, exportedSeq)),
    'the same song as the server has at that entry',
  );

  // A creator imports it into the hosted server as a new room, and gets its owner token.
  const res = await importRoom(hosted, 'band-online', serverToken('creator'), file);
  assert.equal(res.status, 201, res.ok ? '' : await res.text());
  const imported = (await res.json()) as ImportResponse;
  assert.equal(imported.room, 'band-online');
  assert.equal(imported.lastSeq, exportedSeq);
  assert.equal(imported.bookmarks, 1);
  assert.deepEqual(
    { room: imported.claims.room, role: imported.claims.role, name: imported.claims.name, id: imported.claims.id },
    {
      room: 'band-online',
      role: 'owner',
      name: 'Ms Rivera',
      id: 'teacher-rivera',
    },
  );
  const onlineOwner = imported.token;
  const onlineHistory = (await getHistory(hosted, 'band-online', onlineOwner)).entries;
  assert.deepEqual(
    onlineHistory.map(entryFields),
    bandHistory.slice(0, exportedSeq).map(entryFields),
    'authors, labels and times came along',
  );
  assert.deepEqual(
    (await getBookmarks(hosted, 'band-online', onlineOwner)).map((b) => ({ ...b })),
    (await getBookmarks(band, 'band', owner)).map((b) => ({ ...b })),
  );
  const online = await openJamSocket(hosted.wsUrl, 'band-online', roomToken('band-online', 'editor'));
  assert.deepEqual(online.welcome.rules, RULES, "the teacher's rules are in force in the imported room");
  await online.close();

  // A stock provider opens the imported room with the owner token the import gave, has the song,
  // and edits on from there.
  const ann = await connectClient(hosted.wsUrl, 'band-online', onlineOwner);
  t.after(() => disconnect(ann));
  assert.equal(JSON.stringify(readSong(ann.doc)), exportedSong);
  setTempo(ann.doc, 120);
  const after = await waitForLastSeq(hosted, 'band-online', onlineOwner, exportedSeq + 1);
  assert.equal(after, exportedSeq + 1, 'the imported history goes on');
  assert.deepEqual(dataFiles(hosted).temp, [], 'no temporary file is left');
});

async function waitForLastSeq(server: ServerProcess, room: string, token: string, seq: number): Promise<number> {
  let last = 0;
  const deadline = Date.now() + 5000;
  while (last < seq && Date.now() < deadline) {
    last = (await getHistory(server, room, token)).lastSeq;
    if (last < seq) await new Promise((r) => setTimeout(r, 20));
  }
  return last;
}

test("only the room's owner exports, and only an admin or creator imports", async () => {
  for (const role of ['editor', 'viewer'] as const) {
    const res = await exportRoom(band, 'band', roomToken('band', role));
    assert.equal(res.status, 403, role);
    assert.match(await errorOf(res), /only the room's owner can export it/);
  }
  const invite = signToken(TEST_SECRET, {
    room: 'band',
    role: 'owner',
    name: 'owner',
    exp: Math.floor(Date.now() / 1000) + 60,
    invite: true,
  });
  assert.equal((await exportRoom(band, 'band', invite)).status, 403, 'an invite');
  assert.equal((await exportRoom(band, 'band', roomToken('other', 'owner'))).status, 403, "another room's owner");
  assert.equal((await exportRoom(band, 'band', serverToken('admin'))).status, 401, 'a server token is no room token');
  assert.equal((await apiFetch(`${band.url}/api/rooms/band/export`)).status, 401, 'no token');
  assert.equal((await exportRoom(band, 'nowhere', roomToken('nowhere', 'owner'))).status, 404);

  const good = join(work, 'good.riffroom');
  writeGoodLog(good);
  const body = readFileSync(good);
  for (const role of ['owner', 'editor'] as const) {
    const res = await importRoom(hosted, 'taken-by-token', roomToken('taken-by-token', role), body);
    assert.equal(res.status, 403, `a room ${role} token`);
    assert.match(await errorOf(res), /a room token cannot import a project: this needs an admin or creator token/);
  }
  const unsigned = signServerToken('another-secret-of-enough-length-0123456789', {
    role: 'admin',
    name: 'x',
    exp: Math.floor(Date.now() / 1000) + 60,
  });
  assert.equal((await importRoom(hosted, 'taken-by-token', unsigned, body)).status, 401, 'a forged server token');
  assert.ok(!dataFiles(hosted).rooms.includes('taken-by-token.riffroom'));

  // An admin may import too; a room that exists is never imported over.
  assert.equal((await importRoom(hosted, 'admins-room', serverToken('admin'), body)).status, 201);
  const again = await importRoom(hosted, 'admins-room', serverToken('creator'), body);
  assert.equal(again.status, 409);
  assert.match(await errorOf(again), /a room named admins-room already exists/);
  assert.equal(
    (await getHistory(hosted, 'admins-room', roomToken('admins-room', 'owner'))).lastSeq,
    5,
    'the room is as the first import left it',
  );
});

test('hostile uploads are refused with their reason; no room and no temporary file is left', async () => {
  const cases = [
    'a trigger that deletes history on every append',
    'one changed byte in an update',
    'a decompression bomb as the room state',
  ].map((name) => HOSTILE_LOGS.find((h) => h.name === name)!);
  const creator = serverToken('creator');
  for (const [i, hostile] of cases.entries()) {
    const path = join(work, `hostile-${i}.riffroom`);
    hostile.make(path);
    const room = `hostile-${i}`;
    const res = await importRoom(hosted, room, creator, readFileSync(path));
    assert.equal(res.status, 422, hostile.name);
    const answer = (await res.json()) as { error: string; problem: string };
    assert.equal(answer.problem, hostile.problem, hostile.name);
    assert.match(answer.error, /^the project cannot be imported: /);
    assert.match(answer.error, hostile.reason, hostile.name);
    assert.ok(!answer.error.includes(hosted.dataDir), "without the server's paths");
    assert.equal(
      (await apiFetch(`${hosted.url}/api/rooms/${room}/history`, { headers: bearer(roomToken(room, 'owner')) })).status,
      404,
      `${hostile.name}: no room`,
    );
  }
  const notSqlite = await importRoom(hosted, 'random-bytes', creator, randomBytes(64 * 1024));
  assert.equal(notSqlite.status, 422);
  assert.match(await errorOf(notSqlite), /not an SQLite database/);

  // Too large: said at once when the length is declared, cut off when it is not.
  const declared = await importRoom(hosted, 'too-big', creator, new Uint8Array(2 * IMPORT_CAP));
  assert.equal(declared.status, 413);
  assert.match(await errorOf(declared), /larger than the 2 MiB this server takes/);
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += 64 * 1024;
      if (sent > 4 * IMPORT_CAP) controller.close();
      else controller.enqueue(new Uint8Array(64 * 1024));
    },
  });
  const streamed = await importRoom(hosted, 'too-big', creator, endless).catch((err: Error) => err);
  assert.ok(
    !(streamed instanceof Error),
    `the client hears why (${streamed instanceof Error ? `${streamed.message} ${String((streamed as { cause?: unknown }).cause)} ${sent}` : ''})`,
  );
  assert.equal(streamed.status, 413);

  const { rooms, temp } = dataFiles(hosted);
  assert.deepEqual(
    rooms.filter((name) => /hostile|random|too-big/.test(name)),
    [],
    'no room',
  );
  assert.deepEqual(temp, [], 'no temporary file');
});

function cli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, RIFFROOM_SECRET: TEST_SECRET } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

test('riffroom-server export and import, beside the running servers', async () => {
  const out = join(work, 'cli-export.riffroom');
  const exported = await cli(['export', '--data', band.dataDir, '--room', 'band', '--out', out]);
  assert.equal(exported.code, 0, exported.output);
  assert.match(exported.output, /exported room band to .*: \d+ entries \(hash chain checked\), \d+ bookmarks, \d+ stored states/);
  const project = inspectProject(out, { writable: false });
  assert.ok(project.lastSeq >= 3000);
  const again = await cli(['export', '--data', band.dataDir, '--room', 'band', '--out', out]);
  assert.equal(again.code, 1);
  assert.match(again.output, /exists: add --replace to replace it/);

  const imported = await cli(['import', '--data', hosted.dataDir, '--room', 'from-cli', '--file', out]);
  assert.equal(imported.code, 0, imported.output);
  const owner = roomToken('from-cli', 'owner');
  assert.equal((await getHistory(hosted, 'from-cli', owner)).lastSeq, project.lastSeq, 'the running server serves the new room');
  assert.equal(
    JSON.stringify(await getSong(hosted, 'from-cli', owner)),
    JSON.stringify(await getSong(band, 'band', roomToken('band', 'owner'), project.lastSeq)),
  );

  // The room is loaded in the running server now: it is not replaced under it.
  const good = join(work, 'cli-good.riffroom');
  writeGoodLog(good);
  const busy = await cli(['import', '--data', hosted.dataDir, '--room', 'from-cli', '--file', good, '--replace']);
  assert.equal(busy.code, 1, busy.output);
  assert.match(busy.output, /cannot replace room from-cli: .* is open elsewhere/);
  assert.equal((await getHistory(hosted, 'from-cli', owner)).lastSeq, project.lastSeq);

  const trigger = join(work, 'cli-trigger.riffroom');
  HOSTILE_LOGS.find((h) => h.name === 'a trigger that deletes history on every append')!.make(trigger);
  const hostile = await cli(['import', '--data', hosted.dataDir, '--room', 'cli-hostile', '--file', trigger]);
  assert.equal(hostile.code, 1);
  assert.match(hostile.output, /cannot import .*cli-trigger.riffroom: it holds a trigger/);
  assert.ok(!dataFiles(hosted).rooms.some((name) => name.includes('cli-hostile')));
  const usage = await cli(['import', '--data', hosted.dataDir, '--room', '../etc', '--file', out]);
  assert.equal(usage.code, 2);
});

test('the desktop opens an exported project with its history, edits it, and shares it back', async (t) => {
  const res = await exportRoom(band, 'band', roomToken('band', 'owner'));
  assert.equal(res.status, 200);
  const exportedSeq = Number(res.headers.get('x-riffroom-last-seq'));
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-desktop-'));
  const path = join(dir, 'Long jam.riffroom');
  writeFileSync(path, new Uint8Array(await res.arrayBuffer()));

  // The desktop app's session host, started as the app starts it (a forked utility process).
  const manager = new SessionManager({
    launch: childProcessLauncher(fork),
    webDir: null,
    modelDir: null,
    userName: 'ann',
    restartDelayMs: 50,
  });
  t.after(() => manager.stop());
  const session = await manager.start(path, 'solo');
  const desk = { url: `http://127.0.0.1:${session.port}` };
  const history = (await getHistory(desk, session.room, session.ownerToken)).entries;
  assert.equal(history.length, exportedSeq);
  assert.deepEqual(
    history.map(entryFields),
    (await getHistory(band, 'band', roomToken('band', 'owner'))).entries.slice(0, exportedSeq).map(entryFields),
  );
  const ann = await connectClient(session.wsUrl, session.room, session.ownerToken);
  try {
    assert.equal(JSON.stringify(readSong(ann.doc)), JSON.stringify(await getSong(band, 'band', roomToken('band', 'owner'), exportedSeq)));
    setTempo(ann.doc, 132);
    await waitForServerState(desk, session.room, session.ownerToken, ann.doc);
  } finally {
    disconnect(ann);
  }
  await manager.stop();

  // Share online: the project file, with the desktop's edit on top, becomes a hosted room.
  const shared = await importRoom(hosted, 'long-jam', serverToken('creator'), readFileSync(path));
  assert.equal(shared.status, 201, shared.ok ? '' : await shared.text());
  const { token, lastSeq } = (await shared.json()) as ImportResponse;
  assert.equal(lastSeq, exportedSeq + 1);
  const online = (await getHistory(hosted, 'long-jam', token)).entries;
  assert.equal(online.at(-1)!.author, 'ann');
  assert.equal((await getSong(hosted, 'long-jam', token)).meta.bpm, 132);
});
