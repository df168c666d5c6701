/**
 * The jam channel's messages and rules against the real server: live notes reach the others (not
 * the sender) at once, with their latency measured; hostile messages are refused (the connection
 * stays) or close the connection with the contract's code, and the server keeps serving; viewers,
 * the transport lock and students: 'live-only' are enforced, the last one on the document path too
 * (a stock y-websocket client's writes are refused while its owner's live notes still flow).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  addClip,
  addNotes,
  addTrack,
  deleteNotes,
  initSong,
  moveClip,
  setLoop,
  setMeter,
  setTempo,
  setTrackOwner,
  updateTrack,
} from '../core/song/edits.ts';
import { clipsMap, readSong } from '../core/song/schema.ts';
import { JAM_LIMITS, type JamServerMessage, type LiveNote } from '../core/jam/contract.ts';
import { CLOSE } from '../sync-server/contract.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { TEST_SECRET, testToken } from './support/server-process.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { getLastSeq, healthz, waitForSeq } from './support/room-api.ts';
import { jamUrl, openJam, percentileOf, sleep, waitReady, type TestJamClient } from './support/jam-clients.ts';
import { jitter, startJitterProxy } from './support/jitter-proxy.ts';

let target: TestServer;
const opened: TestJamClient[] = [];

before(async () => {
  target = await startTestServer();
});
after(async () => {
  for (const c of opened) c.client.close();
  await target.close();
});

function open(room: string, name: string, role: 'owner' | 'editor' | 'viewer' = 'editor', wsUrl = target.wsUrl): TestJamClient {
  const c = openJam(wsUrl, room, testToken(room, role, name), undefined, { pingIntervalMs: 200 });
  opened.push(c);
  return c;
}

/** A raw jam socket: every message it gets, and how it closed. */
async function openRaw(room: string, token: string) {
  const ws = new WebSocket(jamUrl(target.wsUrl, room, token));
  const messages: JamServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as JamServerMessage));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitFor(() => messages.some((m) => m.type === 'welcome'), 5000, 'welcome');
  const next = async <T extends JamServerMessage['type']>(
    type: T,
    after = messages.length,
  ): Promise<Extract<JamServerMessage, { type: T }>> => {
    await waitFor(() => messages.slice(after).some((m) => m.type === type), 5000, `a ${type} message`);
    return messages.slice(after).find((m) => m.type === type) as Extract<JamServerMessage, { type: T }>;
  };
  return { ws, messages, closed, next };
}

const note = (pitch: number, at = 0): LiveNote => ({ kind: 'on', pitch, velocity: 100, trackId: null, at });

async function liveLatency(room: string, wsUrl: string, count: number): Promise<number[]> {
  const [a, b, c] = [open(room, 'ann', 'editor', wsUrl), open(room, 'bob', 'editor', wsUrl), open(room, 'cat', 'editor', wsUrl)];
  await waitReady([a, b, c]);
  await waitFor(() => a.client.peers().length === 3, 5000, 'three peers');
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const got: Record<string, number[]> = { ann: [], bob: [], cat: [] };
  for (const [name, peer] of [
    ['ann', a],
    ['bob', b],
    ['cat', c],
  ] as const) {
    peer.client.onLive((message) => {
      for (const n of message.notes) {
        got[name]!.push(n.pitch);
        if (name === 'bob') latencies.push(performance.now() - sentAt.get(n.pitch)!);
        assert.equal(message.from, a.client.me!.clientId);
        assert.equal(message.name, 'ann');
      }
    });
  }
  for (let i = 0; i < count; i++) {
    const pitch = 20 + (i % 100);
    sentAt.set(pitch, performance.now());
    assert.ok(a.client.sendLive([note(pitch, a.client.serverNow())]));
    await sleep(10);
  }
  await waitFor(() => got.bob!.length === count && got.cat!.length === count, 5000, 'every note relayed');
  await sleep(100);
  assert.deepEqual(got.ann, [], 'the sender does not get its own notes back');
  for (const peer of [a, b, c]) peer.client.close();
  return latencies;
}

test('live notes are relayed to the others at once, not to the sender', async () => {
  const direct = await liveLatency('jam-live', target.wsUrl, 100);
  const proxy = await startJitterProxy(target.server.port, { up: jitter(1, 5, 3, 0.03, 40), down: jitter(2, 1, 1, 0.03, 40) });
  try {
    const jittered = await liveLatency('jam-live-proxy', proxy.wsUrl, 60);
    const fmt = (v: number[]) => `median ${percentileOf(v, 50).toFixed(2)} ms, p95 ${percentileOf(v, 95).toFixed(2)} ms`;
    console.log(`live-note latency, send → received by another peer: loopback ${fmt(direct)}; through the jitter proxy ${fmt(jittered)}`);
    assert.ok(percentileOf(direct, 50) < 20, 'loopback median');
    assert.ok(percentileOf(jittered, 50) < 40, 'through the proxy');
  } finally {
    await proxy.close();
  }
});

test('hostile jam messages: refused with the connection kept, or closed with the contract code', async () => {
  const room = 'jam-hostile';
  const token = testToken(room, 'editor', 'mallory');
  const refusedKept: [string, string][] = [
    ['Infinity bpm', '{"v":1,"type":"transport","request":{"action":"tempo","bpm":1e999}}'],
    ['string bpm', '{"v":1,"type":"transport","request":{"action":"tempo","bpm":"fast"}}'],
    ['no request', '{"v":1,"type":"transport"}'],
    ['unknown action', '{"v":1,"type":"transport","request":{"action":"explode"}}'],
    ['count-in of 5 bars', '{"v":1,"type":"transport","request":{"action":"play","countInBars":5}}'],
    ['count-in of half a bar', '{"v":1,"type":"transport","request":{"action":"play","countInBars":0.5}}'],
    [
      'too many notes',
      JSON.stringify({ v: 1, type: 'live', notes: Array.from({ length: JAM_LIMITS.maxNotesPerMessage + 1 }, (_, i) => note(i % 128)) }),
    ],
    ['notes not an array', '{"v":1,"type":"live","notes":{"0":1}}'],
    ['pitch 128', JSON.stringify({ v: 1, type: 'live', notes: [note(128)] })],
    ['pitch as string', '{"v":1,"type":"live","notes":[{"kind":"on","pitch":"60","velocity":1,"trackId":null,"at":0}]}'],
    ['huge trackId', JSON.stringify({ v: 1, type: 'live', notes: [{ ...note(60), trackId: 'x'.repeat(5000) }] })],
    ['no at', '{"v":1,"type":"live","notes":[{"kind":"on","pitch":60,"velocity":1,"trackId":null}]}'],
    ['ping without t0', '{"v":1,"type":"ping","id":1}'],
    ['ping with string id', '{"v":1,"type":"ping","id":"1","t0":5}'],
    ['clock report NaN-ish', '{"v":1,"type":"clock-report","offsetMs":1e999,"rttMs":1}'],
    ['clock report negative rtt', '{"v":1,"type":"clock-report","offsetMs":1,"rttMs":-1}'],
    [
      'rules from an editor',
      JSON.stringify({ v: 1, type: 'rules', rules: { transportLocked: true, students: 'edit', spotlightTrackId: null } }),
    ],
    ['unknown type', '{"v":1,"type":"teleport"}'],
    ['deep nesting', `{"v":1,"type":"transport","request":${'['.repeat(2000)}${']'.repeat(2000)}}`],
  ];
  const raw = await openRaw(room, token);
  for (const [what, text] of refusedKept) {
    const at = raw.messages.length;
    raw.ws.send(text);
    const refused = await raw.next('refused', at);
    assert.ok(refused.reason.length > 0, what);
  }
  // Still connected and served.
  const at = raw.messages.length;
  raw.ws.send(JSON.stringify({ v: 1, type: 'ping', id: 7, t0: 1 }));
  const pong = await raw.next('pong', at);
  assert.equal(pong.id, 7);
  assert.ok(pong.t2 >= pong.t1);
  raw.ws.close();

  const closing: [string, (ws: WebSocket) => void, number, RegExp][] = [
    ['binary frame', (ws) => ws.send(new Uint8Array([1, 2, 3])), CLOSE.malformed, /binary/],
    ['not JSON', (ws) => ws.send('NaN'), CLOSE.malformed, /not JSON/],
    ['JSON array', (ws) => ws.send('[1,2,3]'), CLOSE.malformed, /object/],
    ['wrong version', (ws) => ws.send('{"v":2,"type":"ping","id":1,"t0":1}'), CLOSE.malformed, /v: 1/],
    ['type not a string', (ws) => ws.send('{"v":1,"type":7}'), CLOSE.malformed, /v: 1/],
    [
      'over the size limit',
      (ws) => ws.send(JSON.stringify({ v: 1, type: 'live', notes: [], pad: 'x'.repeat(JAM_LIMITS.maxMessageBytes) })),
      CLOSE.tooLarge,
      /limited/,
    ],
    [
      'a flood',
      (ws) => {
        for (let i = 0; i < 1000; i++) ws.send('{"v":1,"type":"ping","id":1,"t0":1}');
      },
      CLOSE.rateLimited,
      /too many/,
    ],
  ];
  for (const [what, send, code, reason] of closing) {
    const r = await openRaw(room, token);
    send(r.ws);
    const closed = await r.closed;
    assert.equal(closed.code, code, `${what}: ${closed.reason}`);
    assert.match(closed.reason, reason, what);
  }
  assert.equal((await healthz(target)).ok, true);
  // The room's jam still works for others.
  const ok = open(room, 'olga');
  await waitReady([ok]);
  ok.client.close();
});

test('the jam upgrade checks the token like the document path', async () => {
  const statusOf = (url: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
    });
  assert.equal(await statusOf(`${target.wsUrl}/jam-auth/jam`), 401);
  assert.equal(await statusOf(`${target.wsUrl}/jam-auth/jam?token=nonsense`), 401);
  assert.equal(await statusOf(jamUrl(target.wsUrl, 'jam-auth', testToken('other', 'owner'))), 403);
  assert.equal(await statusOf(`${target.wsUrl}/bad.name/jam?token=${testToken('jam-auth')}`), 400);
  assert.equal(await statusOf(jamUrl(target.wsUrl, 'jam-auth', testToken('jam-auth'))), 101);
  // A room may be called "jam": /jam is its document, /jam/jam its jam channel; deeper paths are no room.
  assert.equal(await statusOf(`${target.wsUrl}/jam?token=${testToken('jam')}`), 101);
  assert.equal(await statusOf(jamUrl(target.wsUrl, 'jam', testToken('jam'))), 101);
  assert.equal(await statusOf(`${target.wsUrl}/jam-auth/jam/jam?token=${testToken('jam-auth')}`), 400);
  assert.equal(await statusOf(`${target.wsUrl}/jam-auth/other?token=${testToken('jam-auth')}`), 400);
});

test('rules: viewers and the transport lock are enforced; only the owner sets rules', async () => {
  const room = 'jam-rules';
  const [owner, editor, viewer] = [open(room, 'teacher', 'owner'), open(room, 'student'), open(room, 'listener', 'viewer')];
  await waitReady([owner, editor, viewer]);
  const refusals = new Map<TestJamClient, string[]>();
  for (const c of [owner, editor, viewer]) {
    refusals.set(c, []);
    c.client.onRefused((reason) => refusals.get(c)!.push(reason));
  }
  assert.equal(viewer.client.me!.role, 'viewer');

  viewer.client.request({ action: 'play' });
  await waitFor(() => refusals.get(viewer)!.length === 1, 5000, 'viewer refused');
  assert.match(refusals.get(viewer)![0]!, /viewers cannot change the transport/);
  viewer.client.sendLive([note(60)]);
  await waitFor(() => refusals.get(viewer)!.length === 2, 5000, 'viewer live refused');
  assert.match(refusals.get(viewer)![1]!, /viewers cannot play live/);

  editor.client.setRules({ transportLocked: true, students: 'edit', spotlightTrackId: null });
  await waitFor(() => refusals.get(editor)!.length === 1, 5000, 'editor rules refused');
  assert.match(refusals.get(editor)![0]!, /only the room owner/);

  owner.client.setRules({ transportLocked: true, students: 'edit', spotlightTrackId: 'track-1' });
  await waitFor(() => [owner, editor, viewer].every((c) => c.client.rules().transportLocked), 5000, 'rules everywhere');
  assert.equal(viewer.client.rules().spotlightTrackId, 'track-1');
  editor.client.request({ action: 'play' });
  await waitFor(() => refusals.get(editor)!.length === 2, 5000, 'locked transport refused');
  assert.match(refusals.get(editor)![1]!, /locked/);
  assert.equal(owner.client.transport()!.playing, false);
  owner.client.request({ action: 'play' });
  await waitFor(() => [owner, editor, viewer].every((c) => c.client.transport()!.playing), 5000, 'the owner may play');
  assert.equal(editor.client.transport()!.changedBy, 'teacher');
  for (const c of [owner, editor, viewer]) c.client.close();
});

test("students 'live-only': a stock client's document writes are refused, its live notes still flow", async () => {
  const room = 'jam-live-only';
  const ownerDoc = await connectClient(target.wsUrl, room, testToken(room, 'owner', 'teacher'));
  initSong(ownerDoc.doc, { title: 'Class' });
  const [owner, student] = [open(room, 'teacher', 'owner'), open(room, 'student')];
  await waitReady([owner, student]);
  owner.client.setRules({ transportLocked: false, students: 'live-only', spotlightTrackId: null });
  await waitFor(() => student.client.rules().students === 'live-only', 5000, 'rules reached the student');

  const viewerToken = testToken(room, 'viewer');
  const seqBefore = await getLastSeq(target, room, viewerToken);
  const studentDoc = await connectClient(target.wsUrl, room, testToken(room, 'editor', 'student'));
  try {
    assert.equal(readSong(studentDoc.doc).meta.title, 'Class', 'the student still syncs and reads');
    const closes: number[] = [];
    studentDoc.provider.on('connection-close', (event) => closes.push(event?.code ?? -1));
    setTempo(studentDoc.doc, 77);
    await waitFor(() => closes.includes(CLOSE.forbidden), 5000, 'the write closes the student with 4403');
    assert.equal(await getLastSeq(target, room, viewerToken), seqBefore, 'nothing was logged');
    assert.notEqual(readSong(ownerDoc.doc).meta.bpm, 77, 'the owner never saw it');

    // Live notes still flow from the student to the teacher.
    const heard: number[] = [];
    owner.client.onLive((m) => heard.push(...m.notes.map((n) => n.pitch)));
    assert.ok(student.client.sendLive([note(64), note(67)]));
    await waitFor(() => heard.length === 2, 5000, 'the teacher hears the student');

    // The owner's own writes are applied.
    setTempo(ownerDoc.doc, 101);
    await waitForSeq(target, room, viewerToken, seqBefore + 1);

    // Back to 'edit': a student's edit goes through again.
    owner.client.setRules({ transportLocked: false, students: 'edit', spotlightTrackId: null });
    await waitFor(() => student.client.rules().students === 'edit', 5000, 'rules back');
    const again = await connectClient(target.wsUrl, room, testToken(room, 'editor', 'student2'));
    try {
      setTempo(again.doc, 88);
      await waitFor(() => readSong(ownerDoc.doc).meta.bpm === 88, 5000, "the student's edit arrives");
    } finally {
      disconnect(again);
    }
  } finally {
    disconnect(studentDoc);
    disconnect(ownerDoc);
    owner.client.close();
    student.client.close();
  }
});

test("students 'own-track': a stock client's edit of another's track is reverted for everyone, its own stand, the page's edit-then-undo converges", async () => {
  const room = 'jam-own-track';
  // Tracks are owned by identity ids (the token's id), never by names.
  const BEN = { id: 'id-ben', name: 'ben' };
  const KIM = { id: 'id-kim', name: 'Kim' };
  const teacherDoc = await connectClient(target.wsUrl, room, testToken(room, 'owner', 'teacher'));
  const t = teacherDoc.doc;
  initSong(t, { title: 'Class' });
  const bens = addTrack(t, { role: 'bass', name: 'Bass' }, { author: { id: 'id-teacher', name: 'teacher' } });
  setTrackOwner(t, bens, BEN);
  const kims = addTrack(t, { role: 'keys', name: 'Keys' }, { author: KIM });
  const kimClip = addClip(t, {
    trackId: kims,
    startBar: 0,
    lengthBars: 1,
    notes: [
      { pitch: 60, tick: 0, duration: 240, velocity: 90 },
      { pitch: 64, tick: 480, duration: 240, velocity: 90 },
    ],
  });
  const [owner, student] = [open(room, 'teacher', 'owner'), open(room, 'ben')];
  await waitReady([owner, student]);
  owner.client.setRules({ transportLocked: false, students: 'own-track', spotlightTrackId: null });
  await waitFor(() => student.client.rules().students === 'own-track', 5000, 'rules reached the student');

  const benDoc = await connectClient(
    target.wsUrl,
    room,
    signToken(TEST_SECRET, { room, role: 'editor', ...BEN, exp: Math.floor(Date.now() / 1000) + 3600 }),
  );
  const b = benDoc.doc;
  const kimNotes = (doc: typeof t) => JSON.stringify(readSong(doc).clips.find((c) => c.id === kimClip)!.notes);
  const original = kimNotes(t);
  // Ben's updates are handled in order, and a revert is sent before the next one is read: once
  // an edit of his own has reached the teacher, everything he sent before it has been judged.
  const mine = addClip(b, { trackId: bens, startBar: 0, lengthBars: 1 });
  let marks = 0;
  const handled = async () => {
    const pitch = 30 + marks++;
    addNotes(b, mine, [{ pitch, tick: 0, duration: 120, velocity: 90 }]);
    await waitFor(
      () =>
        readSong(t)
          .clips.find((c) => c.id === mine)
          ?.notes.some((n) => n.pitch === pitch) ?? false,
      5000,
      "ben's own edit reaches the teacher",
    );
  };
  try {
    // Ben's own track: his clip stands.
    await waitFor(() => readSong(t).clips.some((c) => c.id === mine), 5000, "ben's clip on his own track reaches the teacher");

    // Kim's track, by a client with no guard of its own: reverted for everyone, ben included.
    addNotes(b, kimClip, [{ pitch: 67, tick: 960, duration: 240, velocity: 90 }]);
    await handled();
    await waitFor(() => kimNotes(t) === original && kimNotes(b) === original, 5000, "the note on Kim's clip is reverted everywhere");
    // Moving Kim's clip onto his own track, taking Kim's track, changing Kim's mixer: all reverted.
    moveClip(b, kimClip, { startBar: 1, trackId: bens });
    setTrackOwner(b, kims, BEN);
    updateTrack(b, kims, { mute: true });
    await handled();
    const kimsNow = (doc: typeof t) => {
      const song = readSong(doc);
      const clip = song.clips.find((c) => c.id === kimClip)!;
      const track = song.tracks.find((x) => x.id === kims)!;
      return `${clip.trackId}@${clip.startBar} ${track.ownerId} ${track.mute}`;
    };
    const expected = `${kims}@0 id-kim false`;
    await waitFor(
      () => kimsNow(t) === expected && kimsNow(b) === expected,
      5000,
      `Kim's clip and track as they were (teacher ${kimsNow(t)}, ben ${kimsNow(b)})`,
    );

    // The page's guard: the edit goes out, then its own undo at once. Server revert and page undo
    // restore the same notes under the same keys: one copy each, everywhere.
    const undo = new Y.UndoManager([clipsMap(b)], { trackedOrigins: new Set(['page']), captureTimeout: 0 });
    const ids = readSong(b)
      .clips.find((c) => c.id === kimClip)!
      .notes.map((n) => n.id);
    deleteNotes(b, kimClip, ids, { origin: 'page' });
    undo.undo();
    undo.destroy();
    await handled();
    await waitFor(
      () => kimNotes(t) === original && kimNotes(b) === original,
      5000,
      `Kim's notes back once (teacher ${kimNotes(t)}, ben ${kimNotes(b)})`,
    );
    // Ben's own clip survived all of it, with every note he put on it.
    assert.equal(readSong(t).clips.find((c) => c.id === mine)!.notes.length, marks);
    const metrics = await (await fetch(`${target.url}/metrics`)).text();
    assert.match(metrics, /riffroom_edits_reverted_total [1-9]/);
  } finally {
    disconnect(benDoc);
    disconnect(teacherDoc);
    owner.client.close();
    student.client.close();
  }
});

test("a room's jam transport starts from the song's tempo, meter and loop", async () => {
  const room = 'jam-seed';
  const first = await startTestServer();
  const doc = await connectClient(first.wsUrl, room, testToken(room, 'owner'));
  initSong(doc.doc, { title: 'Seed' });
  setTempo(doc.doc, 97);
  setMeter(doc.doc, { numerator: 6, denominator: 8 });
  setLoop(doc.doc, { startBar: 2, endBar: 6 });
  await waitForSeq(first, room, testToken(room, 'viewer'), 4);
  disconnect(doc);
  await first.close();
  // The room loads again from its log, and its jam state from the song.
  const second = await startTestServer({ dataDir: first.dataDir });
  try {
    const jam = openJam(second.wsUrl, room, testToken(room, 'editor'));
    await waitReady([jam]);
    jam.client.close();
    const t = jam.client.transport()!;
    assert.equal(t.playing, false);
    assert.equal(t.bpm, 97);
    assert.deepEqual(t.meter, { numerator: 6, denominator: 8 });
    assert.deepEqual(t.loop, { startBar: 2, endBar: 6 });
    assert.equal(t.anchorBar, 2, 'play resumes at the loop start');
  } finally {
    await second.close();
  }
});
