/**
 * A room and updates whose dependencies it lacks (issue 13, item 5), on every path a peer's update
 * takes: plain editors, students under 'own-track', viewers and students under 'live-only'. The
 * waiting part never enters the document, the log or another peer; it is applied as its sender's
 * when what it needs arrives, and its sender is closed (4400) past the limits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { CLOSE, MESSAGE_SYNC, type Role, type TokenClaims } from '../contract.ts';
import { RoomLog } from '../store/room-log.ts';
import { addClip, addTrack, initSong, renameClip } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import type { JamMember } from '../jam/jam-room.ts';
import type { RoomRules } from '../../core/jam/contract.ts';
import { RULE_REASONS } from '../../core/jam/student-rules.ts';
import { Room, type Peer } from './room.ts';

class FakePeer implements Peer {
  readonly identity: TokenClaims;
  readonly sent: Uint8Array[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly room: Room;
  constructor(room: Room, name: string, role: Role = 'editor') {
    this.room = room;
    this.identity = { room: 'r', role, name, id: name, exp: Number.MAX_SAFE_INTEGER };
    room.addPeer(this);
  }
  send(message: Uint8Array): void {
    this.sent.push(message);
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
    this.room.removePeer(this);
  }
  /** Sends `update` as a stock client does, turning a protocol error into a close (as Connection does). */
  sendUpdate(update: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    try {
      this.room.receive(this, encoding.toUint8Array(encoder));
    } catch (err) {
      const { code, message } = err as { code?: number; message: string };
      if (code === undefined) throw err;
      this.close(code, message);
    }
  }
  /** Updates the room sent this peer (sync step 2 and update messages). */
  receivedUpdates(): Uint8Array[] {
    return this.sent.flatMap((message) => {
      const decoder = decoding.createDecoder(message);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC || decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep1) return [];
      return [decoding.readVarUint8Array(decoder)];
    });
  }
}

function newRoom(limits: { maxMs?: number; maxBytes?: number } = {}): Room {
  const path = join(mkdtempSync(join(tmpdir(), 'riffroom-pending-')), 'r.riffroom');
  return new Room('r', new RoomLog(path), { pendingLimits: limits });
}

/** Each update `doc` makes while `edit` runs. */
function updatesOf(doc: Y.Doc, edit: () => void): Uint8Array[] {
  const updates: Uint8Array[] = [];
  const listen = (u: Uint8Array) => updates.push(u);
  doc.on('update', listen);
  edit();
  doc.off('update', listen);
  return updates;
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** An edit on a copy of the room's song, and a second built on it: [first, second]. */
function twoEdits(room: Room): { author: Y.Doc; first: Uint8Array; second: Uint8Array } {
  const author = copyOf(room.doc);
  const [first] = updatesOf(author, () => author.getMap<unknown>('tracks').set('t-attack', new Y.Array()));
  const [second] = updatesOf(author, () => (author.getMap<unknown>('tracks').get('t-attack') as Y.Array<number>).push([1, 2, 3]));
  return { author, first: first!, second: second! };
}

/** Nothing Yjs keeps aside, and no struct of `client` in the room's state or what it sends peers. */
function assertNothingOf(room: Room, client: number, what: string): void {
  assert.equal(room.doc.store.pendingStructs, null, `${what}: no pending structs`);
  assert.equal(room.doc.store.pendingDs, null, `${what}: no pending deletes`);
  const state = Y.decodeUpdate(Y.encodeStateAsUpdate(room.doc));
  assert.ok(!state.structs.some((s) => s.id.client === client), `${what}: not in the room's state`);
  assert.ok(!state.ds.clients.has(client), `${what}: no delete of it either`);
}

function songOf(teacher: FakePeer): Y.Doc {
  const doc = new Y.Doc();
  initSong(doc, { title: 'Waiting' });
  const track = addTrack(doc, { role: 'keys', name: 'Keys' }, { author: { id: teacher.identity.id, name: teacher.identity.name } });
  addClip(doc, { trackId: track, startBar: 0, lengthBars: 1, name: 'theirs' });
  teacher.sendUpdate(Y.encodeStateAsUpdate(doc));
  return doc;
}

function setRules(room: Room, students: RoomRules['students']): void {
  const owner: JamMember = {
    identity: { room: 'r', role: 'owner', name: 'teacher', id: 'teacher', exp: Number.MAX_SAFE_INTEGER },
    clientId: 'jam-owner',
    send() {},
    sendText() {},
    close() {},
  };
  room.jam.join(owner);
  room.jam.receive(owner, { v: 1, type: 'rules', rules: { transportLocked: false, students, spotlightTrackId: null } }, Date.now());
  room.jam.leave(owner);
  assert.equal(room.jam.rules.students, students);
}

test("an editor's update built on an edit never sent waits outside the document, then lands as its sender's", () => {
  const room = newRoom();
  try {
    const alice = new FakePeer(room, 'alice');
    const mallory = new FakePeer(room, 'mallory');
    songOf(alice);
    const seq = room.log.lastSeq;
    const { author, first, second } = twoEdits(room);

    mallory.sendUpdate(second);
    assert.equal(mallory.closed, null, 'a short wait is allowed');
    assert.equal(room.log.lastSeq, seq, 'nothing logged');
    assertNothingOf(room, author.clientID, 'while it waits');
    const joiner = new FakePeer(room, 'late');
    const handshake = encoding.createEncoder();
    encoding.writeVarUint(handshake, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(handshake, new Y.Doc());
    room.receive(joiner, encoding.toUint8Array(handshake));
    const sentToJoiner = Y.mergeUpdates(joiner.receivedUpdates());
    assert.ok(!Y.decodeUpdate(sentToJoiner).structs.some((s) => s.id.client === author.clientID), 'a joining peer is not sent it');
    assert.deepEqual(alice.receivedUpdates().length, 0, 'nor is anyone else');

    // The first edit arrives (here from another peer): both are applied, each as its sender's.
    alice.sendUpdate(first);
    assert.equal(mallory.closed, null);
    assert.deepEqual(
      room.log.history(seq, 10).map((e) => e.author),
      ['alice', 'mallory'],
    );
    assert.deepEqual(room.doc.getMap('tracks').toJSON()['t-attack'], [1, 2, 3]);
    assert.equal(room.doc.store.pendingStructs, null);
    assert.equal(room.log.verify(), null);
    // Mallory's update reached alice when it landed (not before), and not back to mallory.
    assert.equal(alice.receivedUpdates().length, 1);
    assert.equal(
      mallory.receivedUpdates().filter((u) => Y.decodeUpdate(u).structs.some((s) => s.id.client === author.clientID && s.id.clock > 0))
        .length,
      0,
    );
  } finally {
    room.close();
  }
});

test('an update that waits past maxMs closes its sender with 4400 and leaves nothing behind', async () => {
  const room = newRoom({ maxMs: 40 });
  try {
    const alice = new FakePeer(room, 'alice');
    const mallory = new FakePeer(room, 'mallory');
    songOf(alice);
    const seq = room.log.lastSeq;
    const { author, second } = twoEdits(room);
    // Deletes of items the room never had wait the same way.
    const stranger = new Y.Doc();
    updatesOf(stranger, () => stranger.getArray('x').insert(0, [1, 2, 3]));
    const [deletes] = updatesOf(stranger, () => stranger.getArray('x').delete(0, 2));

    const closed = new Promise<void>((resolve) => {
      const close = mallory.close.bind(mallory);
      mallory.close = (code, reason) => {
        close(code, reason);
        resolve();
      };
    });
    mallory.sendUpdate(second);
    mallory.sendUpdate(deletes!);
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error('timed out: the waiting sender was never closed')), 5000)),
    );
    await Promise.race([closed, giveUp]).finally(() => clearTimeout(timer));
    assert.deepEqual(mallory.closed, { code: CLOSE.malformed, reason: 'edits depend on changes never sent (waited 0.04 s)' });
    assert.equal(room.log.lastSeq, seq, 'nothing logged');
    assertNothingOf(room, author.clientID, 'after the close');
    assertNothingOf(room, stranger.clientID, 'after the close');
    // The room goes on.
    const { first } = twoEdits(room);
    alice.sendUpdate(first);
    assert.equal(room.log.lastSeq, seq + 1);
    assert.equal(alice.closed, null);
  } finally {
    room.close();
  }
});

test('past maxBytes the peer with the most waiting bytes is closed; the rest of the room is untouched', () => {
  const room = newRoom({ maxBytes: 1024 });
  try {
    const alice = new FakePeer(room, 'alice');
    const mallory = new FakePeer(room, 'mallory');
    const song = songOf(alice);
    const seq = room.log.lastSeq;
    let sent = 0;
    while (!mallory.closed && sent < 100) {
      mallory.sendUpdate(twoEdits(room).second);
      sent++;
    }
    assert.deepEqual(mallory.closed?.code, CLOSE.malformed);
    assert.match(mallory.closed!.reason, /depend on changes never sent; more wait than the room allows/);
    assert.ok(sent > 5 && sent < 100, `closed once over the bound (after ${sent})`);
    assert.equal(room.log.lastSeq, seq);
    assert.equal(room.doc.store.pendingStructs, null);
    const track = readSong(song).tracks[0]!.id;
    const [edit] = updatesOf(song, () => addClip(song, { trackId: track, startBar: 4, lengthBars: 1 }));
    alice.sendUpdate(edit!);
    assert.equal(room.log.lastSeq, seq + 1);
  } finally {
    room.close();
  }
});

test("under 'own-track', a student's waiting edit is checked as the student's when it lands, not as the peer's that completed it", () => {
  const room = newRoom();
  try {
    const teacher = new FakePeer(room, 'teacher', 'owner');
    const student = new FakePeer(room, 'ben');
    const teacherDoc = songOf(teacher);
    setRules(room, 'own-track');
    const clip = readSong(teacherDoc).clips[0]!.id;
    const seq = room.log.lastSeq;
    // The teacher's next edit, and the student's edit of the teacher's clip on top of it, sent
    // first: a student who forges a struct after the teacher's next clock.
    const [teachers] = updatesOf(teacherDoc, () => renameClip(teacherDoc, clip, 'teacher renamed'));
    const studentDoc = copyOf(teacherDoc);
    const [students] = updatesOf(studentDoc, () => renameClip(studentDoc, clip, 'ben was here'));
    student.sendUpdate(students!);
    teacher.sendUpdate(teachers!);
    assert.equal(readSong(room.doc).clips[0]!.name, 'teacher renamed', "the student's edit of another's track is reverted");
    const entries = room.log.history(seq, 10).map((e) => [e.author, e.label]);
    assert.equal(entries[0]![0], 'teacher');
    assert.deepEqual(
      entries.slice(1).map(([author]) => author),
      ['ben', 'server'],
      `logged as ben's, then reverted: ${JSON.stringify(entries)}`,
    );
    assert.equal(student.closed, null);
    assert.equal(room.log.verify(), null);
  } finally {
    room.close();
  }
});

test("viewers and 'live-only' students are refused (4403) with nothing left waiting; a wait that outlives 'edit' is refused when it lands", () => {
  const room = newRoom();
  try {
    const teacher = new FakePeer(room, 'teacher', 'owner');
    songOf(teacher);
    const seq = room.log.lastSeq;
    const viewer = new FakePeer(room, 'vera', 'viewer');
    const { author, first, second } = twoEdits(room);
    viewer.sendUpdate(second);
    assert.deepEqual(viewer.closed, { code: CLOSE.forbidden, reason: 'viewers cannot edit this room' });
    assertNothingOf(room, author.clientID, 'after the viewer');

    // A student's update waits under 'edit'; the teacher switches to 'live-only'; it completes.
    const student = new FakePeer(room, 'ben');
    student.sendUpdate(second);
    assert.equal(student.closed, null);
    setRules(room, 'live-only');
    teacher.sendUpdate(first);
    assert.deepEqual(student.closed, { code: CLOSE.forbidden, reason: RULE_REASONS.liveOnly });
    assert.deepEqual(
      room.log.history(seq, 10).map((e) => [e.author, e.label.startsWith('set the rules')]),
      [
        ['teacher', true],
        ['teacher', false],
      ],
      "only the teacher's rules and edit",
    );
    assert.deepEqual(room.doc.getMap('tracks').toJSON()['t-attack'], []);

    const other = new FakePeer(room, 'kim');
    const next = twoEdits(room);
    other.sendUpdate(next.second);
    assert.deepEqual(other.closed, { code: CLOSE.forbidden, reason: RULE_REASONS.liveOnly });
    assertNothingOf(room, next.author.clientID, "after the 'live-only' student");
  } finally {
    room.close();
  }
});
