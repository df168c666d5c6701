import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { addClip, addNotes, addTrack, initSong, moveNotes, updateNotes } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { RoomLog } from '../store/room-log.ts';
import { encodeCompactState } from './compact-state.ts';
import { rebuildAt, revertTo } from './rebuild.ts';
import { Room, type Peer } from './room.ts';

function peer(name: string): Peer {
  const closed: string[] = [];
  return {
    identity: { room: 'r', role: 'editor', name, id: name, exp: 0 },
    send() {},
    close(_c, reason) {
      closed.push(reason);
    },
  };
}

function syncUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

test('a compact state holds the same song in far fewer structs', () => {
  const doc = new Y.Doc();
  initSong(doc);
  const clip = addClip(doc, { trackId: addTrack(doc, { role: 'keys' }), startBar: 0, lengthBars: 4 });
  const ids = addNotes(
    doc,
    clip,
    Array.from({ length: 20 }, (_, i) => ({ pitch: 60 + i, tick: i * 120, duration: 120, velocity: 80 })),
  );
  for (let round = 0; round < 50; round++) moveNotes(doc, clip, ids, { ticks: round % 2 ? -60 : 60 });
  const compact = encodeCompactState(doc);
  const full = Y.encodeStateAsUpdate(doc);
  const loaded = new Y.Doc();
  Y.applyUpdate(loaded, compact);
  assert.deepEqual(readSong(loaded), readSong(doc));
  assert.ok(compact.byteLength * 5 < full.byteLength, `compact ${compact.byteLength} B vs full ${full.byteLength} B`);
  // Later edits still apply on top of a compact state.
  const next = new Y.Doc();
  Y.applyUpdate(next, full);
  const before = Y.encodeStateVector(next);
  moveNotes(next, clip, [ids[0]!], { semitones: 1 });
  Y.applyUpdate(loaded, Y.encodeStateAsUpdate(next, before));
  assert.deepEqual(readSong(loaded), readSong(next));
});

test('a concurrent edit of an entry compacted away is rebuilt exactly (older snapshot fallback)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compact-'));
  const log = new RoomLog(join(dir, 'r.riffroom'));
  const room = new Room('r', log, { snapshotPolicy: { minEntries: 1, bytesRatio: 0 } });
  const [alice, bob] = [peer('alice'), peer('bob')];
  room.addPeer(alice);
  room.addPeer(bob);
  const a = new Y.Doc();
  a.clientID = 1;
  const send = (from: Peer, doc: Y.Doc, fn: () => void) => {
    const sv = Y.encodeStateVector(doc);
    fn();
    room.receive(from, syncUpdate(Y.encodeStateAsUpdate(doc, sv)));
    room.snapshotNow(); // a compact snapshot after every entry: the hardest case
  };
  let clip = '';
  let note = '';
  send(alice, a, () => {
    initSong(a);
    clip = addClip(a, { trackId: addTrack(a, { role: 'bass' }), startBar: 0, lengthBars: 1 });
    [note] = addNotes(a, clip, [{ pitch: 40, tick: 0, duration: 240, velocity: 90 }]) as [string];
  });
  // Bob copies the song, then goes offline and changes the note's velocity.
  const b = new Y.Doc();
  // Bob's client id is the higher one, so Yjs lets his concurrent version win the conflict:
  // dropping his edit would then visibly change the song.
  b.clientID = 2 ** 30;
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  const bobBefore = Y.encodeStateVector(b);
  updateNotes(b, clip, [{ id: note, velocity: 30 }]);
  // Meanwhile Alice moves the same note twice; snapshots compact the note's old versions.
  send(alice, a, () => moveNotes(a, clip, [note], { ticks: 240 }));
  send(alice, a, () => moveNotes(a, clip, [note], { semitones: 2 }));
  // Bob's offline edit arrives: its origin is a version of the note deleted long ago.
  room.receive(bob, syncUpdate(Y.encodeStateAsUpdate(b, bobBefore)));
  const entries = [...log.entries(0)];
  assert.equal(entries.at(-1)!.concurrent, true, 'the late edit is flagged concurrent');
  assert.ok(log.snapshotSeqsAtOrBefore(log.lastSeq).length >= 3);
  // The hard case is real: the newest snapshot alone would drop Bob's edit.
  const last = entries.at(-1)!;
  const naive = new Y.Doc();
  Y.applyUpdate(naive, log.snapshotAt(log.snapshotSeqsAtOrBefore(last.seq - 1)[0]!)!.state);
  Y.applyUpdate(naive, last.update);
  const exact = new Y.Doc();
  for (const entry of entries) Y.applyUpdate(exact, entry.update);
  assert.notDeepEqual(readSong(naive), readSong(exact));
  // Every seq rebuilds to what replaying the log entry by entry gives.
  const replayed = new Y.Doc();
  for (const entry of entries) {
    Y.applyUpdate(replayed, entry.update);
    assert.deepEqual(readSong(rebuildAt(log, entry.seq)), readSong(replayed), `seq ${entry.seq}`);
  }
  assert.deepEqual(readSong(replayed), readSong(room.doc));
  // A revert across the concurrent entry is exact too.
  const revert = revertTo(log, 1);
  const check = new Y.Doc();
  Y.applyUpdate(check, Y.encodeStateAsUpdate(room.doc));
  Y.applyUpdate(check, revert);
  assert.deepEqual(readSong(check).clips, readSong(rebuildAt(log, 1)).clips);
  room.close();
});
