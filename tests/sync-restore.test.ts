/**
 * Restore while the band keeps playing: POST /restore brings back the song as it was at an old
 * seq as one new forward edit, while two stock y-websocket peers keep adding clips. Everyone
 * converges, the old content is back, edits that reached the server after the restore survive,
 * the restore is a labelled history entry by the requester, and restoring to the seq just before
 * it undoes it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  addBookmark,
  addClip,
  addNotes,
  addTrack,
  deleteClip,
  initSong,
  moveNotes,
  renameBookmark,
  setChords,
  setKey,
  setTempo,
} from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import type { Song } from '../core/song/types.ts';
import { startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getLastSeq, getSong, postRestore, restore, waitForSeq } from './support/room-api.ts';

const server = await startServerProcess();
after(() => server.kill());

const json = (song: Song) => JSON.stringify(song);

async function converged(room: string, clients: Client[], timeoutMs = 10_000): Promise<Song> {
  const viewer = testToken(room, 'viewer');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const first = json(readSong(clients[0]!.doc));
    if (clients.every((c) => json(readSong(c.doc)) === first)) {
      const onServer = await getSong(server, room, viewer);
      if (json(onServer) === first) return onServer;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${room} did not converge`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function withoutClips(song: Song, ids: Set<string>): Song {
  return { ...song, clips: song.clips.filter((c) => !ids.has(c.id)) };
}

test('restore to an old seq while two peers keep editing: converge, old content back, later edits kept, undoable', async () => {
  const room = 'restore-jam';
  const viewer = testToken(room, 'viewer');
  const a = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'alice'));
  const b = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'bob'));
  const clients = [a, b];
  try {
    // --- the song at S
    initSong(a.doc, { title: 'Restore me', bpm: 100 });
    const keys = addTrack(a.doc, { role: 'keys' });
    const c1 = addClip(a.doc, { trackId: keys, startBar: 0, lengthBars: 2 });
    const n1 = addNotes(a.doc, c1, [
      { pitch: 60, tick: 0, duration: 480, velocity: 90 },
      { pitch: 64, tick: 480, duration: 480, velocity: 80 },
    ]);
    await waitFor(() => b.doc.getMap('tracks').has(keys), 5000, 'b has the keys track');
    const bass = addTrack(b.doc, { role: 'bass' });
    const c2 = addClip(b.doc, { trackId: bass, startBar: 4, lengthBars: 1, notes: [{ pitch: 40, tick: 0, duration: 240, velocity: 100 }] });
    addBookmark(b.doc, 'Verse', 0);
    setChords(a.doc, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'Am7' }]);
    const songAtS = await converged(room, clients);
    const S = await getLastSeq(server, room, viewer);
    assert.deepEqual(await getSong(server, room, viewer, S), songAtS, 'state at S is the song we built');
    assert.equal(songAtS.clips.length, 2);

    // --- more edits after S, of every sort: move, delete, add, meta, chords, bookmarks
    moveNotes(a.doc, c1, n1, { semitones: 5, ticks: 120 });
    setTempo(a.doc, 150);
    setKey(a.doc, { tonic: 9, mode: 'minor' });
    deleteClip(b.doc, c2);
    const drums = addTrack(b.doc, { role: 'drums' });
    addClip(b.doc, { trackId: drums, startBar: 8, lengthBars: 1 });
    const [verse] = readSong(b.doc).bookmarks;
    renameBookmark(b.doc, verse!.id, 'Chorus');
    setChords(a.doc, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'D7' }]);
    const songBeforeRestore = await converged(room, clients);
    assert.notDeepEqual(songBeforeRestore, songAtS);

    // --- restore to S while both keep adding clips on a track that existed at S
    const created = { alice: [] as string[], bob: [] as string[] };
    const createdAfterResponse: string[] = [];
    let restoreAnswered = false;
    let stop = false;
    const jam = async (client: Client, who: 'alice' | 'bob') => {
      for (let i = 0; !stop; i++) {
        const id = addClip(client.doc, {
          trackId: keys,
          startBar: 100 + i,
          lengthBars: 1,
          name: `live ${who} ${i}`,
          notes: [{ pitch: 50 + (i % 20), tick: 0, duration: 120, velocity: 64 }],
        });
        created[who].push(id);
        if (restoreAnswered) createdAfterResponse.push(id);
        await new Promise((r) => setTimeout(r, 3));
      }
    };
    const jamming = [jam(a, 'alice'), jam(b, 'bob')];
    await new Promise((r) => setTimeout(r, 60));
    const restoreSeq = await restore(server, room, testToken(room, 'owner', 'olivia'), S);
    restoreAnswered = true;
    await new Promise((r) => setTimeout(r, 80));
    stop = true;
    await Promise.all(jamming);
    const final = await converged(room, clients);

    // The restore is one labelled entry by the requester.
    const { entries } = await getHistory(server, room, viewer);
    const entry = entries.find((e) => e.seq === restoreSeq);
    assert.ok(entry, 'the restore response names an entry');
    assert.equal(entry.label, `restored #${S}`);
    assert.equal(entry.author, 'olivia');
    assert.deepEqual(
      entries.map((e) => e.seq),
      entries.map((_, i) => i + 1),
      'seqs have no gaps',
    );
    const liveEntries = (from: number, to: number) =>
      entries.filter((e) => e.seq > from && e.seq < to && /^added clip/.test(e.label)).length;
    assert.ok(
      liveEntries(S, restoreSeq) > 0 && liveEntries(restoreSeq, Infinity) > 0,
      'peers were editing before and after the restore landed',
    );

    // Content at S is back; the clips that landed after the restore are kept; those that landed
    // between S and the restore were undone along with everything else after S.
    const live = new Set([...created.alice, ...created.bob]);
    assert.deepEqual(withoutClips(final, live), songAtS, 'apart from the live clips, the song is as it was at S');
    const beforeRestore = await getSong(server, room, viewer, restoreSeq - 1);
    const landedBefore = new Set(beforeRestore.clips.map((c) => c.id));
    const finalIds = new Set(final.clips.map((c) => c.id));
    for (const id of live) {
      assert.equal(finalIds.has(id), !landedBefore.has(id), `live clip ${id} is kept iff it landed after the restore`);
    }
    assert.ok(createdAfterResponse.length > 0, 'some clips were made after the restore answered');
    for (const id of createdAfterResponse) assert.ok(finalIds.has(id), `clip ${id} made after the restore is present`);
    const kept = final.clips.filter((c) => live.has(c.id));
    assert.ok(
      kept.every((c) => c.notes.length === 1 && c.trackId === keys),
      'kept live clips are whole',
    );

    // Restoring to the seq just before the restore undoes it (by an editor this time).
    const undoSeq = await restore(server, room, testToken(room, 'editor', 'bob'), restoreSeq - 1);
    assert.equal(undoSeq, await getLastSeq(server, room, viewer));
    const undone = await converged(room, clients);
    assert.deepEqual(undone, beforeRestore, 'the song is as it was just before the restore');
    const undoEntry = (await getHistory(server, room, viewer, undoSeq - 1)).entries[0]!;
    assert.deepEqual([undoEntry.label, undoEntry.author], [`restored #${restoreSeq - 1}`, 'bob']);
    // Edits keep working normally after restores.
    const after = addClip(a.doc, { trackId: drums, startBar: 12, lengthBars: 1 });
    await waitFor(() => readSong(b.doc).clips.some((c) => c.id === after), 5000, 'b sees an edit made after the restores');
  } finally {
    clients.forEach(disconnect);
  }
});

test('restore refusals: a viewer gets 403, a seq past the end or not an integer gets 400, nothing is logged', async () => {
  const room = 'restore-refusals';
  const viewer = testToken(room, 'viewer');
  const a = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'alice'));
  try {
    initSong(a.doc);
    setTempo(a.doc, 90);
    const last = await waitForSeq(server, room, viewer, 2);
    const before = await getHistory(server, room, viewer);

    const asViewer = await postRestore(server, room, viewer, 1);
    assert.equal(asViewer.status, 403);
    assert.match(((await asViewer.json()) as { error: string }).error, /viewer/);
    const pastEnd = await postRestore(server, room, testToken(room, 'owner'), last + 1);
    assert.equal(pastEnd.status, 400);
    assert.match(((await pastEnd.json()) as { error: string }).error, new RegExp(`from 0 to ${last}`));
    for (const bad of [-1, 1.5, '1', null]) {
      assert.equal((await postRestore(server, room, testToken(room, 'owner'), bad)).status, 400, `seq ${JSON.stringify(bad)}`);
    }
    const notJson = await fetch(`${server.url}/api/rooms/${room}/restore`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testToken(room, 'owner')}` },
      body: '{seq:',
    });
    assert.equal(notJson.status, 400);
    const otherRoom = await postRestore(server, room, testToken('another-room', 'owner'), 1);
    assert.equal(otherRoom.status, 403);

    assert.deepEqual(await getHistory(server, room, viewer), before, 'refused restores log nothing');
    assert.equal(readSong(a.doc).meta.bpm, 90);
  } finally {
    disconnect(a);
  }
});
