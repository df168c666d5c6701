/**
 * Teacher rules against a real server process, with stock y-websocket clients as the students'
 * and the teacher's documents and raw jam sockets for the rules: every write path obeys them.
 * - 'live-only': a student's restore and bookmark are refused (403, the rule's reason), the
 *   owner's tracks intact; the owner still may.
 * - 'own-track': a student's change to the song's meta (tempo 333...), chords and sections is
 *   reverted for everyone and logged as a revert; students are told apart by their token's id,
 *   never their name (two invitees called "Student" cannot edit each other's tracks); restores
 *   are the owner's.
 * - transport locked: a student's tempo, meter and loop in the document are reverted.
 * - The rules are an entry of the room's history (hash-chained like every entry) and survive a
 *   SIGKILL of the server and a restart on the same data dir, and an idle unload and reload.
 * Honest peers converge throughout and every room's log verifies at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type * as Y from 'yjs';
import { DEFAULT_RULES, type JamServerMessage, type RoomRules } from '../core/jam/contract.ts';
import {
  addBookmark,
  addClip,
  addNotes,
  addTrack,
  initSong,
  renameBookmark,
  setChords,
  setKey,
  setLoop,
  setMeter,
  setTempo,
  setTitle,
} from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { CLOSE, type HistoryEntry, type Role } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, TEST_SECRET, type ServerProcess } from './support/server-process.ts';
import { startTestServer } from './support/test-server.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { errorOf, getHistory, getLastSeq, getSong, postRestore, postTakeBack, takeBack, waitForSeq } from './support/room-api.ts';
import { jamUrl } from './support/jam-clients.ts';

const TEACHER = { name: 'Teacher', id: 'teacher-tina' };
const ANN = { name: 'Student', id: 'student-ann' };
const BOB = { name: 'Student', id: 'student-bob' };

/** A token for `who` (the desktop app's invites all carry the name "Student": only the id differs). */
function token(room: string, role: Role, who: { name: string; id: string }): string {
  return signToken(TEST_SECRET, { room, role, name: who.name, id: who.id, exp: Math.floor(Date.now() / 1000) + 3600 });
}

const dataDirs = new Set<string>();
let server: ServerProcess;
before(async () => {
  server = await startServerProcess();
  dataDirs.add(server.dataDir);
});
after(async () => {
  await server.kill();
  // Whatever the students tried, every room's log is whole.
  for (const dir of dataDirs) {
    for (const file of readdirSync(join(dir, 'rooms')).filter((f) => f.endsWith('.riffroom'))) {
      const log = new RoomLog(join(dir, 'rooms', file), { readOnly: true });
      try {
        assert.equal(log.verify(), null, `${file}: the hash chain verifies`);
      } finally {
        log.close();
      }
    }
  }
});

/** A raw jam socket: its messages, and a wait for the next one of a kind. */
async function openJamSocket(wsUrl: string, room: string, tok: string) {
  const ws = new WebSocket(jamUrl(wsUrl, room, tok));
  const messages: JamServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as JamServerMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitFor(() => messages.some((m) => m.type === 'welcome'), 5000, 'jam welcome');
  const welcome = messages.find((m) => m.type === 'welcome') as Extract<JamServerMessage, { type: 'welcome' }>;
  const close = () =>
    new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close();
    });
  return { ws, messages, welcome, close };
}

/** The owner sets the room's rules over the jam channel; resolves once the server has sent them back. */
async function setRules(wsUrl: string, room: string, rules: RoomRules): Promise<void> {
  const jam = await openJamSocket(wsUrl, room, token(room, 'owner', TEACHER));
  try {
    const seen = jam.messages.length;
    jam.ws.send(JSON.stringify({ v: 1, type: 'rules', rules }));
    await waitFor(
      () => jam.messages.slice(seen).some((m) => m.type === 'rules' && JSON.stringify(m.rules) === JSON.stringify(rules)),
      5000,
      'the rules come back',
    );
  } finally {
    await jam.close();
  }
}

/** The rules a new jam connection is welcomed with. */
async function welcomeRules(wsUrl: string, room: string): Promise<RoomRules> {
  const jam = await openJamSocket(wsUrl, room, token(room, 'editor', ANN));
  await jam.close();
  return jam.welcome.rules;
}

/** The teacher's song: Keys (the teacher's) with a clip, a chord, a section marker. */
async function classroom(wsUrl: string, room: string) {
  const teacher = await connectClient(wsUrl, room, token(room, 'owner', TEACHER));
  const doc = teacher.doc;
  initSong(doc, { title: 'Class', bpm: 100 });
  const keys = addTrack(doc, { role: 'keys', name: 'Keys' });
  const keysClip = addClip(doc, {
    trackId: keys,
    startBar: 0,
    lengthBars: 1,
    notes: [{ pitch: 60, tick: 0, duration: 240, velocity: 90 }],
  });
  setChords(doc, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'C' }]);
  const verse = addBookmark(doc, 'Verse', 0);
  return { teacher, doc, keys, keysClip, verse };
}

const bookmarkPost = (url: string, room: string, tok: string, body: unknown) =>
  fetch(`${url}/api/rooms/${room}/bookmarks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Waits for a history entry after `afterSeq` whose label matches; returns it. */
async function entryAfter(url: string, room: string, afterSeq: number, label: RegExp): Promise<HistoryEntry> {
  const viewer = token(room, 'viewer', { name: 'Watcher', id: 'watcher' });
  let found: HistoryEntry | undefined;
  const deadline = Date.now() + 5000;
  while (!found) {
    found = (await getHistory({ url }, room, viewer, afterSeq)).entries.find((e) => label.test(e.label));
    if (!found && Date.now() > deadline) {
      const labels = (await getHistory({ url }, room, viewer, afterSeq)).entries.map((e) => `${e.author}: ${e.label}`);
      throw new Error(`timed out: no entry after #${afterSeq} matching ${label} (${JSON.stringify(labels)})`);
    }
    if (!found) await new Promise((r) => setTimeout(r, 5));
  }
  return found;
}

test("live-only: a student's restore and bookmark are refused with 403 and the rule's reason; the owner's tracks stay; the owner still may", async () => {
  const room = 'rules-live-only';
  const { teacher, doc, keys } = await classroom(server.wsUrl, room);
  const studentTok = token(room, 'editor', ANN);
  const student = await connectClient(server.wsUrl, room, studentTok);
  try {
    await waitFor(() => readSong(student.doc).tracks.length === 1, 5000, 'the student has the song');
    const beforeRules = await getLastSeq(server, room, studentTok);
    await setRules(server.wsUrl, room, { ...DEFAULT_RULES, students: 'live-only' });
    const rulesEntry = await entryAfter(server.url, room, beforeRules, /^set the rules/);
    assert.equal(rulesEntry.label, 'set the rules: students play live only');
    assert.equal(rulesEntry.author, TEACHER.name);
    const seq = await getLastSeq(server, room, studentTok);

    // Restore to before the teacher's tracks existed: refused, with the rule's reason.
    const restore = await postRestore(server, room, studentTok, 0);
    assert.equal(restore.status, 403);
    assert.match(((await restore.json()) as { error: string }).error, /play live only/);
    const mark = await bookmarkPost(server.url, room, studentTok, { seq, name: 'mine' });
    assert.equal(mark.status, 403);
    assert.match(((await mark.json()) as { error: string }).error, /play live only/);
    // Nothing happened: no entry, no bookmark, the owner's track everywhere.
    assert.equal(await getLastSeq(server, room, studentTok), seq);
    const marks = (await (
      await fetch(`${server.url}/api/rooms/${room}/bookmarks`, { headers: { authorization: `Bearer ${studentTok}` } })
    ).json()) as { bookmarks: unknown[] };
    assert.deepEqual(marks.bookmarks, []);
    assert.deepEqual(
      (await getSong(server, room, studentTok)).tracks.map((t) => t.id),
      [keys],
    );
    assert.deepEqual(
      readSong(student.doc).tracks.map((t) => t.id),
      [keys],
    );

    // The owner may do both, and the student's document follows the restore.
    const afterTrack = (await getHistory(server, room, studentTok)).entries.find((e) => e.label.startsWith('added track'))!.seq;
    const own = await postRestore(server, room, token(room, 'owner', TEACHER), afterTrack);
    assert.equal(own.status, 200);
    assert.equal((await bookmarkPost(server.url, room, token(room, 'owner', TEACHER), { seq, name: 'teacher' })).status, 201);
    await waitFor(
      () => readSong(student.doc).clips.length === 0 && readSong(doc).clips.length === 0,
      5000,
      "the owner's restore reaches every peer",
    );
    assert.deepEqual(
      readSong(student.doc).tracks.map((t) => t.id),
      [keys],
    );
  } finally {
    disconnect(student);
    disconnect(teacher);
  }
});

test("own-track: a stock client's tempo 333, key, title, loop, chords and sections are reverted for everyone and logged as reverts; its own track stands; restores are the owner's", async () => {
  const room = 'rules-own-track-meta';
  const { teacher, doc, verse } = await classroom(server.wsUrl, room);
  const studentTok = token(room, 'editor', ANN);
  await setRules(server.wsUrl, room, { ...DEFAULT_RULES, students: 'own-track' });
  const student = await connectClient(server.wsUrl, room, studentTok);
  const s = student.doc;
  try {
    await waitFor(() => readSong(s).chords.length === 1, 5000, 'the student has the song');
    const original = (d: Y.Doc) => {
      const song = readSong(d);
      return JSON.stringify({ meta: song.meta, chords: song.chords, bookmarks: song.bookmarks });
    };
    const want = original(doc);
    const tries: [string, () => void][] = [
      ['tempo 333', () => setTempo(s, 333)],
      ['key', () => setKey(s, { tonic: 2, mode: 'minor' })],
      ['meter', () => setMeter(s, { numerator: 7, denominator: 8 })],
      ['title', () => setTitle(s, 'Mine now')],
      ['loop', () => setLoop(s, { startBar: 1, endBar: 3 })],
      ['a chord added', () => setChords(s, 1920, 3840, [{ tick: 1920, duration: 1920, symbol: 'G' }])],
      ['the chords cleared', () => setChords(s, 0, 1920, [])],
      ['a section renamed', () => renameBookmark(s, verse, 'Chorus')],
      ['a section added', () => addBookmark(s, 'Bridge', 8)],
    ];
    for (const [what, edit] of tries) {
      const seq = await getLastSeq(server, room, studentTok);
      edit();
      const revert = await entryAfter(server.url, room, seq, /^reverted /);
      assert.equal(revert.author, 'server', what);
      assert.match(revert.label, /own track/, what);
      await waitFor(() => original(doc) === want && original(s) === want, 5000, `${what}: reverted for the teacher and the student`);
    }
    assert.equal(readSong(doc).meta.bpm, 100);

    // The student's own track (one they add) and its clip stand.
    const seq = await getLastSeq(server, room, studentTok);
    const mine = addTrack(s, { role: 'bass', name: 'My bass' }, { author: { id: ANN.id, name: ANN.name } });
    addClip(s, { trackId: mine, startBar: 0, lengthBars: 1, notes: [{ pitch: 40, tick: 0, duration: 240, velocity: 90 }] });
    await waitFor(() => readSong(doc).clips.some((c) => c.trackId === mine), 5000, "the student's own clip reaches the teacher");
    await waitForSeq(server, room, studentTok, seq + 2);
    assert.ok(
      !(await getHistory(server, room, studentTok, seq)).entries.some((e) => e.label.startsWith('reverted')),
      'nothing of it reverted',
    );

    // A restore changes everyone's tracks: the owner's alone under 'own-track'. Bookmarks are fine.
    const restore = await postRestore(server, room, studentTok, 1);
    assert.equal(restore.status, 403);
    assert.match(((await restore.json()) as { error: string }).error, /own track/);
    assert.equal((await bookmarkPost(server.url, room, studentTok, { seq, name: 'my take' })).status, 201);
    assert.ok(
      readSong(doc).tracks.some((t) => t.id === mine),
      'nothing was restored',
    );
  } finally {
    disconnect(student);
    disconnect(teacher);
  }
});

test('own-track by identity: two students both called "Student" cannot edit each other\'s tracks', async () => {
  const room = 'rules-same-name';
  const { teacher, doc } = await classroom(server.wsUrl, room);
  await setRules(server.wsUrl, room, { ...DEFAULT_RULES, students: 'own-track' });
  const [ann, bob] = [
    await connectClient(server.wsUrl, room, token(room, 'editor', ANN)),
    await connectClient(server.wsUrl, room, token(room, 'editor', BOB)),
  ];
  try {
    // The teacher gives one track to each (the jam panel's picker names the peer's id).
    const annTrack = addTrack(doc, { role: 'bass', name: 'Ann bass' }, { author: { id: ANN.id, name: ANN.name } });
    const bobTrack = addTrack(doc, { role: 'lead', name: 'Bob lead' }, { author: { id: BOB.id, name: BOB.name } });
    const annClip = addClip(doc, { trackId: annTrack, startBar: 0, lengthBars: 1 });
    const bobClip = addClip(doc, { trackId: bobTrack, startBar: 0, lengthBars: 1 });
    await waitFor(() => [ann, bob].every((c) => readSong(c.doc).clips.length === 3), 5000, 'both students have the tracks');
    const notes = (d: Y.Doc, clip: string) =>
      readSong(d)
        .clips.find((c) => c.id === clip)!
        .notes.map((n) => n.pitch);
    const note = (pitch: number) => [{ pitch, tick: 0, duration: 240, velocity: 90 }];

    // Each on their own track: stands.
    addNotes(ann.doc, annClip, note(40));
    addNotes(bob.doc, bobClip, note(72));
    await waitFor(() => notes(doc, annClip).length === 1 && notes(doc, bobClip).length === 1, 5000, 'own-track edits land');
    // Bob on Ann's track, though his token carries her name: reverted for everyone.
    const seq = await getLastSeq(server, room, token(room, 'viewer', BOB));
    addNotes(bob.doc, annClip, note(41));
    const revert = await entryAfter(server.url, room, seq, /^reverted /);
    assert.match(revert.label, /Student's edit/);
    await waitFor(
      () => [doc, ann.doc, bob.doc].every((d) => JSON.stringify(notes(d, annClip)) === '[40]'),
      5000,
      "Bob's note on Ann's track is gone everywhere",
    );
  } finally {
    disconnect(ann);
    disconnect(bob);
    disconnect(teacher);
  }
});

test("transport locked: a student's tempo, meter and loop in the document are reverted; their other edits stand", async () => {
  const room = 'rules-transport-lock';
  const { teacher, doc, keysClip } = await classroom(server.wsUrl, room);
  const studentTok = token(room, 'editor', ANN);
  await setRules(server.wsUrl, room, { ...DEFAULT_RULES, transportLocked: true });
  const student = await connectClient(server.wsUrl, room, studentTok);
  try {
    await waitFor(() => readSong(student.doc).clips.length === 1, 5000, 'the student has the song');
    for (const [what, edit] of [
      ['tempo', () => setTempo(student.doc, 333)],
      ['meter', () => setMeter(student.doc, { numerator: 3, denominator: 4 })],
      ['loop', () => setLoop(student.doc, { startBar: 0, endBar: 2 })],
    ] as const) {
      const seq = await getLastSeq(server, room, studentTok);
      edit();
      assert.match((await entryAfter(server.url, room, seq, /^reverted /)).label, /transport is locked/, what);
      await waitFor(
        () =>
          JSON.stringify(readSong(student.doc).meta) === JSON.stringify(readSong(doc).meta) &&
          readSong(doc).meta.bpm === 100 &&
          readSong(doc).meta.loop === null,
        5000,
        `${what} reverted everywhere`,
      );
    }
    // Students may still edit everything else (students: 'edit').
    addNotes(student.doc, keysClip, [{ pitch: 64, tick: 480, duration: 240, velocity: 90 }]);
    setTitle(student.doc, 'Renamed by a student');
    await waitFor(
      () => readSong(doc).meta.title === 'Renamed by a student' && readSong(doc).clips[0]!.notes.length === 2,
      5000,
      "the student's other edits land",
    );
  } finally {
    disconnect(student);
    disconnect(teacher);
  }
});

test("teacher mode: only the owner takes back a student's edits; a student's take-back is refused with the reason", async () => {
  const room = 'rules-take-back';
  const { teacher, doc, keysClip } = await classroom(server.wsUrl, room);
  const studentTok = token(room, 'editor', ANN);
  const since = await getLastSeq(server, room, studentTok);
  await setRules(server.wsUrl, room, { ...DEFAULT_RULES, transportLocked: true });
  const student = await connectClient(server.wsUrl, room, studentTok);
  try {
    await waitFor(() => readSong(student.doc).clips.length === 1, 5000, 'the student has the song');
    addNotes(student.doc, keysClip, [{ pitch: 64, tick: 480, duration: 240, velocity: 90 }]);
    await waitFor(() => readSong(doc).clips[0]!.notes.length === 2, 5000, "the student's note lands");
    const last = await getLastSeq(server, room, studentTok);
    const refused = await postTakeBack(server, room, studentTok, { source: { kind: 'author', name: TEACHER.name, since } });
    assert.equal(refused.status, 403);
    assert.match(await errorOf(refused), /in teacher mode only the room owner takes back edits/);
    assert.equal(await getLastSeq(server, room, studentTok), last, 'nothing written');
    const done = await takeBack(server, room, token(room, 'owner', TEACHER), { kind: 'author', name: ANN.name, since });
    assert.equal(done.taken, 1);
    await waitFor(
      () => readSong(doc).clips[0]!.notes.length === 1 && readSong(student.doc).clips[0]!.notes.length === 1,
      5000,
      "the student's note is taken back everywhere",
    );
  } finally {
    disconnect(student);
    disconnect(teacher);
  }
});

test('the rules are an entry of the history and survive a SIGKILL of the server and a restart on the same data dir', async () => {
  const room = 'rules-restart';
  const first = await startServerProcess();
  dataDirs.add(first.dataDir);
  let second: ServerProcess | null = null;
  try {
    const { teacher, keys } = await classroom(first.wsUrl, room);
    const viewer = token(room, 'viewer', { name: 'Watcher', id: 'watcher' });
    await waitForSeq(first, room, viewer, 5);
    disconnect(teacher);
    const seq = await getLastSeq(first, room, viewer);
    await setRules(first.wsUrl, room, { transportLocked: true, students: 'live-only', spotlightTrackId: keys });
    const entry = await entryAfter(first.url, room, seq, /^set the rules/);
    assert.equal(entry.seq, seq + 1);
    assert.equal(entry.author, TEACHER.name);
    assert.equal(entry.label, 'set the rules: students play live only, transport locked, spotlight on Keys');
    await first.kill('SIGKILL');

    second = await startServerProcess({ dataDir: first.dataDir });
    assert.deepEqual(await welcomeRules(second.wsUrl, room), { transportLocked: true, students: 'live-only', spotlightTrackId: keys });
    // Enforced as before: the restore is refused, and a document write closes the student (4403).
    const studentTok = token(room, 'editor', ANN);
    assert.equal((await postRestore(second, room, studentTok, 0)).status, 403);
    const student = await connectClient(second.wsUrl, room, studentTok);
    try {
      const closes: number[] = [];
      student.provider.on('connection-close', (event) => closes.push(event?.code ?? -1));
      setTempo(student.doc, 333);
      await waitFor(() => closes.includes(CLOSE.forbidden), 5000, 'the write is refused with 4403');
    } finally {
      disconnect(student);
    }
    assert.equal(await getLastSeq(second, room, viewer), seq + 1, 'nothing logged after the rules');
    const history = await getHistory(second, room, viewer);
    assert.equal(history.entries.at(-1)!.label, entry.label);
  } finally {
    await second?.kill();
    await first.kill();
  }
});

test('the rules survive an idle unload and reload of the room', async () => {
  const room = 'rules-unload';
  const dataDir = tempDataDir();
  dataDirs.add(dataDir);
  const target = await startTestServer({ dataDir, idleUnloadMs: 50 });
  try {
    const { teacher } = await classroom(target.wsUrl, room);
    await setRules(target.wsUrl, room, { ...DEFAULT_RULES, students: 'own-track' });
    disconnect(teacher);
    await waitFor(() => target.server.rooms.loadedCount === 0, 5000, 'the idle room is unloaded');
    const unloaded = target.server.metrics.render();
    assert.match(unloaded, /riffroom_rooms_unloaded_total [1-9]/);
    assert.equal((await welcomeRules(target.wsUrl, room)).students, 'own-track');
  } finally {
    await target.close();
  }
});
