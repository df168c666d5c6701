import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { MESSAGE_AWARENESS, MESSAGE_SYNC, type TokenClaims } from '../contract.ts';
import { RoomLog } from '../store/room-log.ts';
import { Room, type Peer } from './room.ts';

class FakePeer implements Peer {
  readonly identity: TokenClaims;
  closed: { code: number; reason: string } | null = null;
  constructor(name: string) {
    this.identity = { room: 'r', role: 'editor', name, id: name, exp: Number.MAX_SAFE_INTEGER };
  }
  send(): void {}
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}

/** Makes `edit` on a plain Yjs client (no label announced) and delivers its update to the room. */
function plainEdit(room: Room, peer: Peer, client: Y.Doc, edit: (doc: Y.Doc) => void): void {
  const updates: Uint8Array[] = [];
  const listen = (u: Uint8Array) => updates.push(u);
  client.on('update', listen);
  client.transact(() => edit(client));
  client.off('update', listen);
  for (const u of updates) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, u);
    room.receive(peer, encoding.toUint8Array(encoder));
  }
}

test('unlabelled updates are described by the maps they change, from the first one of a room and after a reload', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'riffroom-room-')), 'r.riffroom');
  const client = new Y.Doc();
  let room = new Room('r', new RoomLog(path));
  try {
    const peer = new FakePeer('plain');
    room.addPeer(peer);
    // The very first update of a new room: its maps are not known to the room's doc yet.
    plainEdit(room, peer, client, (d) => {
      d.getMap('meta').set('bpm', 100);
      d.getMap('bookmarks').set('b1', { name: 'A', bar: 0 });
    });
    plainEdit(room, peer, client, (d) => d.getMap('tracks').set('t1', new Y.Map()));
    assert.equal(peer.closed, null);
    assert.deepEqual(
      room.log.history(0, 10).map((e) => [e.seq, e.author, e.label]),
      [
        [1, 'plain', 'edited bookmarks, meta'],
        [2, 'plain', 'edited tracks'],
      ],
    );
  } finally {
    room.close();
  }
  // Loaded again from its log: the first update after the load is described the same way.
  room = new Room('r', new RoomLog(path));
  try {
    const peer = new FakePeer('plain');
    room.addPeer(peer);
    plainEdit(room, peer, client, (d) => d.getMap('clips').set('c1', new Y.Map()));
    assert.deepEqual(
      room.log.history(2, 10).map((e) => [e.seq, e.label]),
      [[3, 'edited clips']],
    );
    assert.deepEqual(room.doc.getMap('meta').toJSON(), { bpm: 100 });
  } finally {
    room.close();
  }
});

/** Sends `client`'s labelled edit as the app does: its label through presence, then its update. */
function labelledEdit(room: Room, peer: Peer, client: Y.Doc, presenceClock: number, label: string, edit: (doc: Y.Doc) => void): void {
  const announced = { edit: { label, client: client.clientID, clock: Y.getState(client.store, client.clientID) } };
  room.receive(peer, presenceMessage(client.clientID, presenceClock, announced));
  plainEdit(room, peer, client, edit);
}

function presenceMessage(clientId: number, clock: number, state: unknown): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, clock);
  encoding.writeVarString(update, JSON.stringify(state));
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

test("labels pair with their updates on receipt, and another peer's spoofed announcements change none of them", () => {
  const path = join(mkdtempSync(join(tmpdir(), 'riffroom-room-')), 'r.riffroom');
  const room = new Room('r', new RoomLog(path));
  try {
    const ana = new FakePeer('ana');
    const eve = new FakePeer('eve');
    room.addPeer(ana);
    room.addPeer(eve);
    const client = new Y.Doc();
    labelledEdit(room, ana, client, 1, 'set tempo to 100 BPM', (d) => d.getMap('meta').set('bpm', 100));
    // Eve announces a label for ana's client with a far newer clock, then removes ana's presence.
    const spoof = { edit: { label: 'deleted everything', client: client.clientID, clock: Y.getState(client.store, client.clientID) } };
    room.receive(eve, presenceMessage(client.clientID, 50, spoof));
    room.receive(eve, presenceMessage(client.clientID, 50, null));
    // Ana goes on: her next announcements (clocks 2 and 3) still count.
    labelledEdit(room, ana, client, 2, 'set tempo to 110 BPM', (d) => d.getMap('meta').set('bpm', 110));
    labelledEdit(room, ana, client, 3, 'set swing to 10%', (d) => d.getMap('meta').set('swing', 0.1));
    assert.equal(ana.closed, null);
    assert.equal(eve.closed, null, 'entries for ids another connection holds are dropped, not a reason to close');
    assert.deepEqual(
      room.log.history(0, 10).map((e) => [e.author, e.label]),
      [
        ['ana', 'set tempo to 100 BPM'],
        ['ana', 'set tempo to 110 BPM'],
        ['ana', 'set swing to 10%'],
      ],
    );
  } finally {
    room.close();
  }
});
