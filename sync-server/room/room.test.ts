import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { MESSAGE_SYNC, type TokenClaims } from '../contract.ts';
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
    assert.deepEqual(room.log.history(0, 10).map((e) => [e.seq, e.author, e.label]), [
      [1, 'plain', 'edited bookmarks, meta'],
      [2, 'plain', 'edited tracks'],
    ]);
  } finally {
    room.close();
  }
  // Loaded again from its log: the first update after the load is described the same way.
  room = new Room('r', new RoomLog(path));
  try {
    const peer = new FakePeer('plain');
    room.addPeer(peer);
    plainEdit(room, peer, client, (d) => d.getMap('clips').set('c1', new Y.Map()));
    assert.deepEqual(room.log.history(2, 10).map((e) => [e.seq, e.label]), [[3, 'edited clips']]);
    assert.deepEqual(room.doc.getMap('meta').toJSON(), { bpm: 100 });
  } finally {
    room.close();
  }
});
