import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import {
  addClip,
  addNotes,
  addTrack,
  initSong,
  labelledEdit,
  moveNotes,
  replaceClipNotes,
  setChords,
  setTempo,
} from '../../core/song/edits.ts';
import { isAiTakeLabel, labelOf } from '../../core/song/edit-labels.ts';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';
import type { TakeBackSource } from '../contract.ts';
import { RoomLog } from '../store/room-log.ts';
import { SqliteRoomStore } from '../store/sqlite-store.ts';
import { rebuildAt, revertEntries, revertEntriesFrom } from './rebuild.ts';
import { parseTakeBackSource, takeBackLabel, takenSeqs } from './take-back.ts';

/** A room without sockets: each peer's edits reach the room's doc and its log under the peer's name and the edit's label. */
class Room {
  readonly log = new RoomLog(join(mkdtempSync(join(tmpdir(), 'riffroom-take-back-')), 'r.riffroom'));
  readonly doc = new Y.Doc();
  private author = 'server';
  private label = 'edit';
  constructor() {
    this.doc.on('update', (update: Uint8Array) => {
      this.log.append({ time: Date.now(), author: this.author, label: this.label, update });
    });
  }
  peer(name: string): Y.Doc {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.doc), 'room');
    doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.origin === 'room') return;
      const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(this.doc));
      this.author = name;
      this.label = labelOf(transaction) ?? 'edit';
      Y.applyUpdate(this.doc, update, doc);
    });
    return doc;
  }
  catchUp(peer: Y.Doc): void {
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(peer)), 'room');
  }
  /** Applies a take-back as the server does, logged under `by`; its seq. */
  apply(update: Uint8Array, by: string, label: string): number {
    this.author = by;
    this.label = label;
    Y.applyUpdate(this.doc, update);
    return this.log.lastSeq;
  }
  takeBack(source: TakeBackSource, by = 'alice'): { seq: number; taken: number } {
    const since = source.kind === 'entry' ? source.seq - 1 : source.since;
    const taken = takenSeqs(this.log.entries(0), source);
    return { seq: this.apply(revertEntries(this.log, since, taken), by, takeBackLabel(source, taken.size)), taken: taken.size };
  }
}

const song = (doc: Y.Doc): Song => readSong(doc);
const pitches = (doc: Y.Doc, clipId: string) =>
  song(doc)
    .clips.find((c) => c.id === clipId)
    ?.notes.map((n) => n.pitch)
    .sort((a, b) => a - b);
const note = (pitch: number, tick: number) => ({ pitch, tick, duration: 240, velocity: 90 });
/** What the AI panel writes: a kept take, labelled as takeLabel labels it. */
const aiTake = <T>(doc: Y.Doc, fn: () => T, seed = 7): T => labelledEdit(doc, `generated keys riff (seed ${seed})`, fn);

/**
 * Alice writes a verse; from S on, her AI bandmate and Bob work over each other: the AI writes a
 * new clip and rewrites Alice's, Bob plays a note into the AI's clip, transposes one of the AI's
 * notes, changes the tempo and rewrites part of the AI's chords.
 */
function jam() {
  const room = new Room();
  const alice = room.peer('alice');
  initSong(alice, { title: 'Take back', bpm: 100 });
  const keys = addTrack(alice, { role: 'keys' });
  const verse = addClip(alice, { trackId: keys, startBar: 0, lengthBars: 1, notes: [note(60, 0), note(64, 480)] });
  setChords(alice, 0, 3840, [
    { tick: 0, duration: 1920, symbol: 'C' },
    { tick: 1920, duration: 1920, symbol: 'G' },
  ]);
  const S = room.log.lastSeq;
  const atS = song(room.doc);

  const aiClip = aiTake(alice, () => addClip(alice, { trackId: keys, startBar: 2, lengthBars: 1, notes: [note(72, 0), note(76, 480)] }));
  aiTake(alice, () => replaceClipNotes(alice, verse, [note(67, 0), note(71, 480)], null, 're-rolled keys riff (seed 8)'));
  aiTake(alice, () =>
    setChords(alice, 0, 3840, [
      { tick: 0, duration: 1920, symbol: 'Am' },
      { tick: 1920, duration: 1920, symbol: 'F' },
    ]),
  );
  const bob = room.peer('bob');
  const bobsNote = addNotes(bob, aiClip, [note(79, 960)])[0]!;
  const aiNote = song(bob)
    .clips.find((c) => c.id === aiClip)!
    .notes.find((n) => n.pitch === 72)!.id;
  moveNotes(bob, aiClip, [aiNote], { semitones: -12 });
  setTempo(bob, 128);
  setChords(bob, 1920, 3840, [{ tick: 1920, duration: 1920, symbol: 'Dm' }]);
  room.catchUp(alice);
  return { room, alice, bob, keys, verse, aiClip, bobsNote, S, atS };
}

test('the AI labels are the AI panel’s; a source names the entries after its moment', () => {
  assert.ok(isAiTakeLabel('generated bass riff (seed 3)'));
  assert.ok(isAiTakeLabel('re-rolled chords (seed 9)'));
  assert.ok(!isAiTakeLabel('set tempo to 120 BPM'));
  assert.ok(!isAiTakeLabel('regenerated'));
  const entries = [
    { seq: 1, author: 'alice', label: 'generated keys riff (seed 1)' },
    { seq: 2, author: 'bob', label: 'moved 1 note' },
    { seq: 3, author: 'alice', label: 'generated keys riff (seed 2)' },
    { seq: 4, author: 'alice', label: 'set tempo to 90 BPM' },
  ];
  assert.deepEqual([...takenSeqs(entries, { kind: 'ai', since: 1 })], [3]);
  assert.deepEqual([...takenSeqs(entries, { kind: 'author', name: 'alice', since: 0 })], [1, 3, 4]);
  assert.deepEqual([...takenSeqs(entries, { kind: 'entry', seq: 2 })], [2]);
  assert.equal(takeBackLabel({ kind: 'ai', since: 4 }, 2), "took back the AI's 2 edits since #4");
  assert.equal(takeBackLabel({ kind: 'author', name: 'bob', since: 0 }, 1), "took back bob's 1 edit since #0");
});

test('a request body is read strictly: kinds, names and seqs in range', () => {
  assert.deepEqual(parseTakeBackSource({ source: { kind: 'ai', since: 3 } }, 10), { kind: 'ai', since: 3 });
  assert.deepEqual(parseTakeBackSource({ source: { kind: 'author', name: 'bob', since: 0 } }, 10), {
    kind: 'author',
    name: 'bob',
    since: 0,
  });
  assert.deepEqual(parseTakeBackSource({ source: { kind: 'entry', seq: 10 } }, 10), { kind: 'entry', seq: 10 });
  assert.match(parseTakeBackSource({ source: { kind: 'ai', since: 11 } }, 10) as string, /since must be an integer from 0 to 10/);
  assert.match(parseTakeBackSource({ source: { kind: 'entry', seq: 0 } }, 10) as string, /seq must be an integer from 1 to 10/);
  assert.match(parseTakeBackSource({ source: { kind: 'author', name: '', since: 1 } }, 10) as string, /name/);
  assert.match(parseTakeBackSource({ source: { kind: 'everyone', since: 1 } }, 10) as string, /kind must be/);
  assert.match(parseTakeBackSource({}, 10) as string, /source must be an object/);
});

test("taking back the AI's edits keeps Bob's: the AI's clip goes (with Bob's note in it), Alice's notes come back, Bob's chord and tempo stay", () => {
  const { room, verse, aiClip, S, atS } = jam();
  const { taken } = room.takeBack({ kind: 'ai', since: S });
  assert.equal(taken, 3);
  const after = song(room.doc);
  assert.equal(
    after.clips.find((c) => c.id === aiClip),
    undefined,
    "the AI's clip is gone",
  );
  assert.deepEqual(pitches(room.doc, verse), [60, 64], "Alice's own notes are back");
  assert.equal(after.meta.bpm, 128, "Bob's tempo stays");
  // The AI's chords are gone; the C it replaced comes back, the G under Bob's later Dm does not.
  assert.deepEqual(
    after.chords.map((c) => [c.tick, c.symbol]),
    [
      [0, 'C'],
      [1920, 'Dm'],
    ],
  );
  assert.deepEqual(
    after.tracks.map((t) => t.id),
    atS.tracks.map((t) => t.id),
  );
});

test("taking back Bob's edits keeps the AI's: his note, transposition, tempo and chord go", () => {
  const { room, aiClip, verse, S, bobsNote } = jam();
  const { taken } = room.takeBack({ kind: 'author', name: 'bob', since: S });
  assert.equal(taken, 4);
  const after = song(room.doc);
  const clip = after.clips.find((c) => c.id === aiClip)!;
  assert.ok(!clip.notes.some((n) => n.id === bobsNote), "Bob's note is gone");
  assert.deepEqual(pitches(room.doc, aiClip), [72, 76], "the AI's note is back where the AI put it");
  assert.deepEqual(pitches(room.doc, verse), [67, 71], "the AI's rewrite of Alice's clip stays");
  assert.equal(after.meta.bpm, 100);
  assert.deepEqual(
    after.chords.map((c) => c.symbol),
    ['Am', 'F'],
  );
});

test('a take-back is one entry every peer can apply, and taking back that entry undoes it', () => {
  const { room, bob, S } = jam();
  const beforeSeq = room.log.lastSeq;
  const before = song(room.doc);
  const { seq } = room.takeBack({ kind: 'ai', since: S });
  assert.equal(seq, beforeSeq + 1, 'one entry');
  // Bob, holding an edit the room has not received, applies the same entry and converges once his edit arrives.
  const update = room.log.entries(seq - 1).next().value!.update;
  setTempo(bob, 140);
  Y.applyUpdate(bob, update, 'room');
  room.catchUp(bob);
  assert.deepEqual(song(bob), song(room.doc));
  assert.equal(song(room.doc).meta.bpm, 140, "Bob's newer edit survives the take-back");
  // Undo: take back the take-back; everything but Bob's newest tempo is as before it.
  room.takeBack({ kind: 'entry', seq });
  assert.deepEqual(song(room.doc), { ...before, meta: { ...before.meta, bpm: 140 } });
  // Every entry still rebuilds.
  assert.deepEqual(song(rebuildAt(room.log, room.log.lastSeq)), song(room.doc));
});

test('the async store path computes the same edit', async () => {
  const { room, S } = jam();
  const taken = takenSeqs(room.log.entries(0), { kind: 'ai', since: S });
  const fromLog = revertEntries(room.log, S, taken);
  const fromStore = await revertEntriesFrom(new SqliteRoomStore('r', room.log), S, taken);
  const a = new Y.Doc();
  const b = new Y.Doc();
  Y.applyUpdate(a, Y.encodeStateAsUpdate(room.doc));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(room.doc));
  Y.applyUpdate(a, fromLog);
  Y.applyUpdate(b, fromStore);
  assert.deepEqual(song(a), song(b));
});

test('nothing taken changes nothing: an empty update', () => {
  const { room } = jam();
  const update = revertEntries(room.log, room.log.lastSeq, new Set());
  const before = room.log.lastSeq;
  Y.applyUpdate(room.doc, update);
  assert.equal(room.log.lastSeq, before);
});
