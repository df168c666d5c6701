import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { seededRandom } from '../../core/random.ts';
import {
  addBookmark,
  addClip,
  addNotes,
  addTrack,
  deleteClip,
  deleteNotes,
  initSong,
  moveClip,
  moveNotes,
  removeTrack,
  setChords,
  setKey,
  setTempo,
  updateNotes,
  updateTrack,
} from '../../core/song/edits.ts';
import { clipNotes, clipsMap, readSong, tracksMap } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';
import { EditError } from '../../core/song/validate.ts';
import { RoomLog } from '../store/room-log.ts';
import { rebuildAt, rebuildAtFrom, revertTo } from './rebuild.ts';
import { SqliteRoomStore } from '../store/sqlite-store.ts';

/**
 * A room without sockets: every update a peer doc makes is applied to the room's doc and appended
 * to its log, like Room does, and the song after each entry is recorded.
 */
class Bench {
  readonly log: RoomLog;
  readonly doc = new Y.Doc();
  readonly songs: Song[] = [readSong(new Y.Doc())];
  constructor() {
    this.log = new RoomLog(join(mkdtempSync(join(tmpdir(), 'riffroom-rebuild-')), 'r.riffroom'));
    this.doc.on('update', (update: Uint8Array) => {
      this.log.append({ time: Date.now(), author: 'test', label: 'edit', update });
      this.songs.push(readSong(this.doc));
    });
  }
  /** Connects a peer: it starts from the room's state and every edit it makes reaches the room. */
  peer(): Y.Doc {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.doc), 'room');
    doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'room' && Y.applyUpdate(this.doc, u, doc));
    return doc;
  }
  /** Brings a peer up to date with the room. */
  catchUp(peer: Y.Doc): void {
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(peer)), 'room');
  }
  snapshot(): void {
    this.log.saveSnapshot(this.log.lastSeq, Y.encodeStateAsUpdate(this.doc));
  }
  close(): void {
    this.log.close();
  }
}

/** A seeded integer source: prng(seed)(n) is in 0..n-1. */
function prng(seed: number): (n: number) => number {
  const random = seededRandom(seed);
  return (n) => Math.floor(random() * n);
}

/** One random typed edit (most kinds), skipping choices the song does not allow. */
function randomEdit(doc: Y.Doc, rand: (n: number) => number): void {
  const tracks = [...tracksMap(doc).keys()];
  const clips = [...clipsMap(doc).keys()];
  const pick = <T>(xs: T[]) => xs[rand(xs.length)]!;
  try {
    switch (rand(12)) {
      case 0:
        addTrack(doc, { role: pick(['drums', 'bass', 'keys', 'lead'] as const) });
        break;
      case 1:
        if (tracks.length > 2) removeTrack(doc, pick(tracks));
        break;
      case 2:
        if (tracks.length) updateTrack(doc, pick(tracks), { volumeDb: -rand(20), mute: rand(2) === 1 });
        break;
      case 3:
      case 4:
        if (tracks.length)
          addClip(doc, {
            trackId: pick(tracks),
            startBar: rand(32),
            lengthBars: 1 + rand(3),
            notes: [{ pitch: 40 + rand(40), tick: rand(960), duration: 1 + rand(480), velocity: 1 + rand(126) }],
          });
        break;
      case 5:
        if (clips.length > 1) deleteClip(doc, pick(clips));
        break;
      case 6:
        if (clips.length) moveClip(doc, pick(clips), { startBar: rand(64) });
        break;
      case 7:
        if (clips.length) addNotes(doc, pick(clips), [{ pitch: 30 + rand(60), tick: rand(1900), duration: 120, velocity: 80 }]);
        break;
      case 8: {
        const clip = clips.length ? pick(clips) : null;
        const notes = clip ? [...clipNotes(clipsMap(doc).get(clip)!).keys()] : [];
        if (!clip || !notes.length) break;
        const which = rand(3);
        if (which === 0) moveNotes(doc, clip, [pick(notes)], { ticks: rand(100), semitones: rand(5) - 2 });
        else if (which === 1) updateNotes(doc, clip, [{ id: pick(notes), velocity: 1 + rand(126) }]);
        else deleteNotes(doc, clip, [pick(notes)]);
        break;
      }
      case 9:
        setChords(doc, rand(8) * 1920, rand(8) * 1920 + 1920, []);
        break;
      case 10:
        setTempo(doc, 60 + rand(120));
        break;
      case 11:
        rand(2) ? setKey(doc, { tonic: rand(12), mode: 'minor' }) : addBookmark(doc, `B${rand(9)}`, rand(32));
        break;
    }
  } catch (err) {
    if (!(err instanceof EditError)) throw err;
  }
}

test('rebuildAt gives exactly the recorded song at every seq, with and without snapshots', async () => {
  const bench = new Bench();
  try {
    const a = bench.peer();
    const b = bench.peer();
    const rand = prng(42);
    initSong(a, { title: 'Rebuild' });
    addTrack(a, { role: 'keys' });
    bench.catchUp(b);
    for (let i = 0; i < 150; i++) {
      // b edits from a slightly stale view now and then: concurrent updates in the log.
      if (i % 7 === 0) bench.catchUp(b);
      randomEdit(i % 3 === 0 ? b : a, rand);
      if (i % 3 === 0) bench.catchUp(a);
      if (i % 40 === 39) bench.snapshot();
    }
    const last = bench.log.lastSeq;
    assert.equal(bench.songs.length, last + 1);
    assert.ok(last > 100);
    for (let seq = 0; seq <= last; seq++) {
      assert.deepEqual(readSong(rebuildAt(bench.log, seq)), bench.songs[seq], `seq ${seq}`);
    }
    for (const seq of [0, 1, 39, 40, 41, Math.floor(last / 2), last]) {
      assert.deepEqual(readSong(rebuildAt(bench.log, seq, { gc: false })), bench.songs[seq], `seq ${seq} without gc`);
    }
    assert.deepEqual(readSong(rebuildAt(bench.log, last)), readSong(bench.doc));
    for (const bad of [-1, last + 1, 1.5, Number.NaN]) assert.throws(() => rebuildAt(bench.log, bad), RangeError, String(bad));
    // The same through the async interface (PostgreSQL's path: read into memory, then replayed).
    const store = new SqliteRoomStore('r', bench.log);
    for (let seq = 0; seq <= last; seq++) {
      assert.deepEqual(readSong(await rebuildAtFrom(store, seq)), bench.songs[seq], `seq ${seq} from the async store`);
    }
    await assert.rejects(rebuildAtFrom(store, last + 1), RangeError);
  } finally {
    bench.close();
  }
});

test('revertTo restores old content as a forward edit, keeps concurrent independent clips, and is itself revertible', () => {
  const bench = new Bench();
  try {
    const alice = bench.peer();
    initSong(alice, { title: 'Revert', bpm: 100 });
    const keys = addTrack(alice, { role: 'keys' });
    const c1 = addClip(alice, {
      trackId: keys,
      startBar: 0,
      lengthBars: 2,
      notes: [
        { pitch: 60, tick: 0, duration: 480, velocity: 90 },
        { pitch: 64, tick: 480, duration: 480, velocity: 90 },
      ],
    });
    const c2 = addClip(alice, { trackId: keys, startBar: 4, lengthBars: 1 });
    addBookmark(alice, 'Verse', 0);
    bench.snapshot();
    setChords(alice, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'Am7' }]);
    const S = bench.log.lastSeq;
    const songAtS = bench.songs[S]!;

    // Later edits of every sort, with a snapshot among them.
    const notes = readSong(alice)
      .clips.find((c) => c.id === c1)!
      .notes.map((n) => n.id);
    moveNotes(alice, c1, notes, { semitones: 7 });
    deleteNotes(alice, c1, [notes[0]!]);
    deleteClip(alice, c2);
    setTempo(alice, 170);
    bench.snapshot();
    const drums = addTrack(alice, { role: 'drums' });
    addClip(alice, { trackId: drums, startBar: 2, lengthBars: 1 });
    setChords(alice, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'D7' }]);
    assert.notDeepEqual(readSong(bench.doc), songAtS);

    // Bob has seen everything so far and adds a clip the room has not received yet.
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(bench.doc));
    const bobsClip = addClip(bob, { trackId: keys, startBar: 12, lengthBars: 1, name: 'bob' });

    const revert = revertTo(bench.log, S);
    const beforeRevert = bench.log.lastSeq;
    Y.applyUpdate(bench.doc, revert);
    assert.equal(bench.log.lastSeq, beforeRevert + 1, 'the revert is one entry');
    assert.deepEqual(readSong(bench.doc), songAtS, 'the room is back at S');

    // Bob receives the revert while holding his own edit: his clip stays, the rest is as at S.
    Y.applyUpdate(bob, revert);
    const bobSong = readSong(bob);
    assert.deepEqual({ ...bobSong, clips: bobSong.clips.filter((c) => c.id !== bobsClip) }, songAtS);
    assert.ok(bobSong.clips.some((c) => c.id === bobsClip && c.name === 'bob'));
    // And once the room gets Bob's clip, the two agree.
    Y.applyUpdate(bench.doc, Y.encodeStateAsUpdate(bob, Y.encodeStateVector(bench.doc)));
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(bench.doc, Y.encodeStateVector(bob)));
    assert.deepEqual(readSong(bench.doc), readSong(bob));
    const withBob = bench.log.lastSeq;

    // Reverting to just before the revert undoes it (Bob's clip, which came later, goes too).
    Y.applyUpdate(bench.doc, revertTo(bench.log, beforeRevert));
    assert.deepEqual(readSong(bench.doc), bench.songs[beforeRevert]);
    // Reverting to now changes nothing; reverting to 0 empties the song.
    const now = bench.log.lastSeq;
    Y.applyUpdate(bench.doc, revertTo(bench.log, now));
    assert.equal(bench.log.lastSeq, now, 'an empty revert logs nothing');
    Y.applyUpdate(bench.doc, revertTo(bench.log, 0));
    assert.deepEqual(readSong(bench.doc), readSong(new Y.Doc()));
    // Every state along the way is still rebuildable.
    for (const seq of [S, beforeRevert, beforeRevert + 1, withBob, bench.log.lastSeq]) {
      assert.deepEqual(readSong(rebuildAt(bench.log, seq)), bench.songs[seq], `seq ${seq}`);
    }
  } finally {
    bench.close();
  }
});
