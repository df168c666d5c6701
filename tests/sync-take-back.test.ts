/**
 * Take back one source while the band keeps playing: POST /take-back against a real server
 * process with stock y-websocket peers. Alice keeps her AI bandmate's takes, Bob edits over them;
 * taking back the AI's edits (or Bob's) is one labelled forward edit every peer converges on,
 * later edits by others survive, the take-back is itself taken back by its entry, and bad or
 * empty requests are refused with words and change nothing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addClip, addNotes, addTrack, initSong, labelledEdit, replaceClipNotes, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import type { Song } from '../core/song/types.ts';
import { startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { errorOf, getHistory, getLastSeq, getSong, postTakeBack, takeBack } from './support/room-api.ts';

const server = await startServerProcess();
after(() => server.kill());

const ARRIVES_MS = 20_000;
const note = (pitch: number, tick: number) => ({ pitch, tick, duration: 240, velocity: 90 });

async function converged(room: string, clients: Client[]): Promise<Song> {
  const viewer = testToken(room, 'viewer');
  const deadline = Date.now() + ARRIVES_MS;
  for (;;) {
    const first = JSON.stringify(readSong(clients[0]!.doc));
    if (clients.every((c) => JSON.stringify(readSong(c.doc)) === first)) {
      const onServer = await getSong(server, room, viewer);
      if (JSON.stringify(onServer) === first) return onServer;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${room} did not converge`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pitchesOf = (song: Song, clipId: string) =>
  song.clips
    .find((c) => c.id === clipId)
    ?.notes.map((n) => n.pitch)
    .sort((a, b) => a - b);

test("the AI's edits taken back while both keep editing: Bob's edits stay, all converge, the take-back undoes", async () => {
  const room = 'take-back-jam';
  const viewer = testToken(room, 'viewer');
  const a = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'alice'));
  const b = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'bob'));
  const clients = [a, b];
  try {
    initSong(a.doc, { title: 'Take back', bpm: 100 });
    const keys = addTrack(a.doc, { role: 'keys' });
    const verse = addClip(a.doc, { trackId: keys, startBar: 0, lengthBars: 1, notes: [note(60, 0), note(64, 480)] });
    await converged(room, clients);
    const S = await getLastSeq(server, room, viewer);

    // Alice keeps two AI takes; Bob plays into the AI's clip and sets the tempo.
    const aiClip = labelledEdit(a.doc, 'generated keys riff (seed 4)', () =>
      addClip(a.doc, { trackId: keys, startBar: 2, lengthBars: 1, notes: [note(72, 0)] }),
    );
    replaceClipNotes(a.doc, verse, [note(67, 0)], null, 're-rolled keys riff (seed 5)');
    await waitFor(() => readSong(b.doc).clips.some((c) => c.id === aiClip), ARRIVES_MS, 'bob has the AI clip');
    addNotes(b.doc, aiClip, [note(79, 960)]);
    setTempo(b.doc, 128);
    await converged(room, clients);

    // Take back the AI's edits while Bob keeps adding clips on his own.
    let stop = false;
    const bobs: string[] = [];
    const jam = (async () => {
      for (let i = 0; !stop; i++) {
        bobs.push(addClip(b.doc, { trackId: keys, startBar: 100 + i, lengthBars: 1, name: `bob ${i}` }));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await waitFor(() => bobs.length >= 3, ARRIVES_MS, 'bob is editing');
    const done = await takeBack(server, room, testToken(room, 'editor', 'carol'), { kind: 'ai', since: S });
    await waitFor(() => bobs.length >= 6, ARRIVES_MS, 'bob edits after the take-back');
    stop = true;
    await jam;
    const final = await converged(room, clients);

    assert.equal(done.taken, 2, 'two AI entries');
    const { entries } = await getHistory(server, room, viewer);
    const entry = entries.find((e) => e.seq === done.seq)!;
    assert.equal(entry.label, `took back the AI's 2 edits since #${S}`);
    assert.equal(entry.author, 'carol');
    assert.equal(
      final.clips.find((c) => c.id === aiClip),
      undefined,
      "the AI's clip is gone",
    );
    assert.deepEqual(pitchesOf(final, verse), [60, 64], "Alice's notes are back");
    assert.equal(final.meta.bpm, 128, "Bob's tempo stays");
    for (const id of bobs)
      assert.ok(
        final.clips.some((c) => c.id === id),
        `bob's clip ${id} stays (before and after the take-back)`,
      );

    // Taking back the take-back's entry brings the AI's edits back; Bob's clips are untouched.
    const undo = await takeBack(server, room, testToken(room, 'editor', 'carol'), { kind: 'entry', seq: done.seq });
    assert.equal(undo.taken, 1);
    const undone = await converged(room, clients);
    assert.deepEqual(pitchesOf(undone, verse), [67]);
    assert.deepEqual(pitchesOf(undone, aiClip), [72, 79], "the AI's clip is back, with Bob's note in it");
    assert.equal(undone.clips.length, final.clips.length + 1);
  } finally {
    clients.forEach(disconnect);
  }
});

test("one bandmate's edits taken back; refusals say why and change nothing", async () => {
  const room = 'take-back-bob';
  const viewer = testToken(room, 'viewer');
  const a = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'alice'));
  const b = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'bob'));
  const clients = [a, b];
  try {
    initSong(a.doc, { title: 'Bob', bpm: 90 });
    const bass = addTrack(a.doc, { role: 'bass' });
    await converged(room, clients);
    const S = await getLastSeq(server, room, viewer);
    await waitFor(() => readSong(b.doc).tracks.length === 1, ARRIVES_MS, 'bob has the track');
    const bobsClip = addClip(b.doc, { trackId: bass, startBar: 0, lengthBars: 1, notes: [note(40, 0)] });
    setTempo(b.doc, 150);
    const alicesClip = addClip(a.doc, { trackId: bass, startBar: 4, lengthBars: 1 });
    await converged(room, clients);

    const last = await getLastSeq(server, room, viewer);
    const refused = async (token: string, body: unknown, status: number, error: RegExp) => {
      const res = await postTakeBack(server, room, token, body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(await errorOf(res), error);
    };
    const alice = testToken(room, 'editor', 'alice');
    await refused(viewer, { source: { kind: 'author', name: 'bob', since: S } }, 403, /viewers cannot change this room/);
    await refused(alice, { source: { kind: 'author', name: 'dave', since: S } }, 409, /nothing to take back: dave made no edits after/);
    await refused(alice, { source: { kind: 'ai', since: S } }, 409, /the AI made no edits/);
    await refused(alice, { source: { kind: 'author', name: 'bob', since: last + 5 } }, 400, /since must be an integer/);
    await refused(alice, { source: 'bob' }, 400, /source must be an object/);
    assert.equal(await getLastSeq(server, room, viewer), last, 'no refusal wrote anything');

    const done = await takeBack(server, room, alice, { kind: 'author', name: 'bob', since: S });
    assert.equal(done.taken, 2);
    const final = await converged(room, clients);
    assert.equal(
      final.clips.find((c) => c.id === bobsClip),
      undefined,
    );
    assert.ok(
      final.clips.some((c) => c.id === alicesClip),
      "alice's clip stays",
    );
    assert.equal(final.meta.bpm, 90);
  } finally {
    clients.forEach(disconnect);
  }
});
