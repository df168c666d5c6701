/**
 * A room on an async store (as PostgreSQL is): updates are committed in batches and each is
 * broadcast only once its batch committed, in order; a handshake answer waits for what was queued
 * before it (not for a pause in a room that never stops editing) and holds nothing uncommitted; a
 * failed batch fails the room and nothing after it is appended or sent. The store here is the
 * SQLite one with its commits held until the test lets them go.
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
import { MESSAGE_SYNC, type TokenClaims } from '../contract.ts';
import { RoomLog, type NewEntry } from '../store/room-log.ts';
import { SqliteRoomStore } from '../store/sqlite-store.ts';
import type { RoomStore } from '../store/room-store.ts';
import { LeaseLostError } from '../store/room-lease.ts';
import { CLOSE_LEASE_LOST, Room, type Peer } from './room.ts';

class FakePeer implements Peer {
  readonly identity: TokenClaims;
  readonly updates: Uint8Array[] = [];
  readonly step2Payloads: Uint8Array[] = [];
  step2s = 0;
  closed: { code: number; reason: string } | null = null;
  constructor(name: string) {
    this.identity = { room: 'r', role: 'editor', name, id: name, exp: Number.MAX_SAFE_INTEGER };
  }
  send(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
    const step = decoding.readVarUint(decoder);
    if (step === syncProtocol.messageYjsUpdate) this.updates.push(decoding.readVarUint8Array(decoder));
    if (step === syncProtocol.messageYjsSyncStep2) {
      this.step2s++;
      this.step2Payloads.push(decoding.readVarUint8Array(decoder));
    }
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}

/** A SQLite store whose appendBatch waits until released (an async store, made slow). */
class HeldStore extends SqliteRoomStore {
  batches: number[] = [];
  private waiting: { release: () => void; fail: (err: Error) => void }[] = [];
  override appendBatch(entries: readonly NewEntry[]): Promise<number[]> {
    this.batches.push(entries.length);
    return new Promise<void>((resolve, reject) => this.waiting.push({ release: resolve, fail: reject })).then(() =>
      super.appendBatch(entries),
    );
  }
  get held(): number {
    return this.waiting.length;
  }
  release(): void {
    this.waiting.shift()!.release();
  }
  fail(err: Error): void {
    this.waiting.shift()!.fail(err);
  }
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function step1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** An update setting meta.bpm on a client document. */
function edit(client: Y.Doc, bpm: number): Uint8Array {
  let update: Uint8Array | null = null;
  const listen = (u: Uint8Array) => (update = u);
  client.on('update', listen);
  client.getMap('meta').set('bpm', bpm);
  client.off('update', listen);
  return update!;
}

const turn = () => new Promise((r) => setImmediate(r));

async function openHeld(): Promise<{ room: Room; store: HeldStore }> {
  const path = join(mkdtempSync(join(tmpdir(), 'riffroom-room-async-')), 'r.riffroom');
  const store = new HeldStore('r', new RoomLog(path));
  // Not a SqliteRoomStore to the room: it must take the async path, as PostgreSQL's does.
  const room = await Room.open('r', wrap(store));
  return { room, store };
}

/** The store behind a plain object, so the room sees an async RoomStore, not a SQLite one. */
function wrap(store: HeldStore): RoomStore {
  const methods = [
    'appendBatch',
    'saveRules',
    'storedRules',
    'history',
    'entries',
    'updates',
    'updatePage',
    'updateBytesAfter',
    'saveSnapshot',
    'snapshotSeqsAtOrBefore',
    'snapshotAt',
    'lastSnapshotInfo',
    'saveRoomState',
    'roomState',
    'addBookmark',
    'bookmarkCount',
    'bookmarks',
    'verify',
    'close',
  ] as const;
  const wrapped = {
    room: store.room,
    get lastSeq() {
      return store.lastSeq;
    },
  } as Record<string, unknown>;
  for (const name of methods) wrapped[name] = (...args: unknown[]) => (store[name] as (...a: unknown[]) => unknown).apply(store, args);
  return wrapped as unknown as RoomStore;
}

test('updates are committed in batches and broadcast only once committed, in order', async () => {
  const { room, store } = await openHeld();
  const ann = new FakePeer('ann');
  const ben = new FakePeer('ben');
  room.addPeer(ann);
  room.addPeer(ben);
  const client = new Y.Doc();
  try {
    room.receive(ann, updateMessage(edit(client, 100)));
    room.receive(ann, updateMessage(edit(client, 101)));
    room.receive(ann, updateMessage(edit(client, 102)));
    await turn();
    assert.deepEqual(store.batches, [1], 'the first update commits alone');
    assert.equal(ben.updates.length, 0, 'nothing is sent before its batch commits');
    assert.equal(store.lastSeq, 0);
    // A newcomer's handshake waits too: it would otherwise receive uncommitted state.
    const cat = new FakePeer('cat');
    room.addPeer(cat);
    room.receive(cat, step1(new Y.Doc()));
    assert.equal(cat.step2s, 0, 'the handshake answer waits for the queue');
    store.release();
    await turn();
    assert.equal(ben.updates.length, 1, 'the first batch is sent once committed');
    assert.deepEqual(store.batches, [1, 2], 'what arrived meanwhile is the next batch');
    assert.equal(cat.step2s, 0);
    store.release();
    await turn();
    assert.equal(store.lastSeq, 3);
    const seen = new Y.Doc();
    for (const u of ben.updates) Y.applyUpdate(seen, u);
    assert.equal(seen.getMap('meta').get('bpm'), 102, 'sent in order');
    assert.equal(ben.updates.length, 3);
    assert.equal(ann.updates.length, 0, 'never echoed to the sender');
    assert.equal(cat.step2s, 1, 'the handshake is answered once the log holds everything');
    assert.equal(await store.verify(), null);
  } finally {
    await room.close();
  }
});

test('a handshake in a room that never stops editing is answered once what came before it committed, with only that', async () => {
  const { room, store } = await openHeld();
  const ann = new FakePeer('ann');
  room.addPeer(ann);
  const client = new Y.Doc();
  try {
    room.receive(ann, updateMessage(edit(client, 100)));
    await turn();
    const cat = new FakePeer('cat');
    room.addPeer(cat);
    room.receive(cat, step1(new Y.Doc()));
    // Editing goes on: the queue is never empty again while the handshake waits.
    room.receive(ann, updateMessage(edit(client, 101)));
    store.release();
    await turn();
    assert.deepEqual(store.batches, [1, 1], '101 is the next batch, not yet committed');
    assert.equal(cat.step2s, 1, 'answered once 100 (all that came before the handshake) committed');
    const seen = new Y.Doc();
    Y.applyUpdate(seen, cat.step2Payloads[0]!);
    assert.equal(seen.getMap('meta').get('bpm'), 100, 'the answer holds the committed state only, not 101');
    room.receive(ann, updateMessage(edit(client, 102)));
    store.release();
    await turn();
    // (cat was a peer when 100 committed: it had that one as a broadcast too; Yjs takes it twice.)
    for (const u of cat.updates) Y.applyUpdate(seen, u);
    assert.equal(seen.getMap('meta').get('bpm'), 101, '101 reaches the newcomer as a broadcast once committed');
    store.release();
    await turn();
    Y.applyUpdate(seen, cat.updates.at(-1)!);
    assert.equal(seen.getMap('meta').get('bpm'), 102);
    assert.equal(store.lastSeq, 3);
  } finally {
    await room.close();
  }
});

test('a batch the store refuses fails the room: peers reconnect, nothing after it is appended or sent', async () => {
  const { room, store } = await openHeld();
  const ann = new FakePeer('ann');
  const ben = new FakePeer('ben');
  room.addPeer(ann);
  room.addPeer(ben);
  const client = new Y.Doc();
  try {
    room.receive(ann, updateMessage(edit(client, 100)));
    room.receive(ann, updateMessage(edit(client, 101)));
    await turn();
    store.fail(new LeaseLostError({ room: 'r', node: 'a', epoch: 1 }, 'another node took the room'));
    await turn();
    assert.equal(room.isFailed, true);
    assert.equal(ben.closed?.code, CLOSE_LEASE_LOST, 'a lost lease closes peers with 1012: they reconnect');
    assert.equal(ben.updates.length, 0);
    assert.equal(store.held, 0, 'the queued update was never sent to the store');
    assert.equal(store.lastSeq, 0);
  } finally {
    await room.close();
  }
});
