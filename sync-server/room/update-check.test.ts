import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { BadUpdateError, assertDecodable, wouldChange } from './update-check.ts';

/** A server document with three keys written by one client in one transaction (clocks 0..2). */
function serverDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    const m = doc.getMap('m');
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
  });
  return doc;
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** What `peer` would send `server` in a sync step 2: everything the server lacks, plus all deletes. */
function reply(peer: Y.Doc, server: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(peer, Y.encodeStateVector(server));
}

test('repeating what the server already has is not a change', () => {
  const server = serverDoc();
  assert.equal(wouldChange(server, Y.encodeStateAsUpdate(server)), false, 'the whole state');
  assert.equal(wouldChange(server, new Uint8Array([0, 0])), false, 'an empty update');
  assert.equal(wouldChange(server, reply(copyOf(server), server)), false, 'a synced peer with nothing new');
  assert.equal(wouldChange(new Y.Doc(), new Uint8Array([0, 0])), false, 'empty into empty');
});

test('new structs are a change: from a new client, or past the known clock of a known one', () => {
  const server = serverDoc();
  const peer = copyOf(server);
  peer.getMap('m').set('d', 4);
  assert.equal(wouldChange(server, reply(peer, server)), true, 'a new client');
  assert.equal(wouldChange(new Y.Doc(), Y.encodeStateAsUpdate(server)), true, 'anything into an empty doc');

  // The server's own client writes more: its update starts inside the known range and goes past it.
  const alsoServer = new Y.Doc({ gc: true });
  alsoServer.clientID = server.clientID;
  Y.applyUpdate(alsoServer, Y.encodeStateAsUpdate(server));
  alsoServer.getMap('m').set('e', 5);
  assert.equal(wouldChange(server, Y.encodeStateAsUpdate(alsoServer)), true, 'past the known clock');
  Y.applyUpdate(server, Y.encodeStateAsUpdate(alsoServer));
  assert.equal(wouldChange(server, Y.encodeStateAsUpdate(alsoServer)), false, 'once applied, no longer a change');
});

test('a delete of something the server has not deleted is a change, even with no new structs', () => {
  const server = serverDoc();
  const peer = copyOf(server);
  peer.getMap('m').delete('a'); // map deletes add no struct: only a delete set
  const update = reply(peer, server);
  assert.equal(Y.parseUpdateMeta(update).to.size, 0, 'no new structs in the update');
  assert.equal(wouldChange(server, update), true);

  Y.applyUpdate(server, update);
  assert.equal(server.getMap('m').has('a'), false);
  assert.equal(wouldChange(server, update), false, 'the same delete again changes nothing');
  assert.equal(wouldChange(server, Y.encodeStateAsUpdate(server)), false, "the server's own deletes");
});

test('a delete range only partly covered by what the server deleted is a change', () => {
  const server = serverDoc();
  const peer = copyOf(server);
  peer.getMap('m').delete('a');
  Y.applyUpdate(server, reply(peer, server)); // server: clock 0 deleted
  peer.getMap('m').delete('b');
  peer.getMap('m').delete('c'); // peer: clocks 0..2 deleted, one merged range
  const update = reply(peer, server);
  const ranges = Y.decodeUpdate(update).ds.clients.get(server.clientID);
  assert.deepEqual(
    ranges?.map((r) => [r.clock, r.len]),
    [[0, 3]],
    'one range 0..3',
  );
  assert.equal(wouldChange(server, update), true);
  // Deleted on the server in separate transactions: its ranges are merged, so 0..3 is covered.
  Y.applyUpdate(server, update);
  assert.equal(wouldChange(server, update), false);
});

test('a delete of structs the server does not know at all is a change', () => {
  const server = serverDoc();
  const other = new Y.Doc();
  other.getMap('m').set('x', 1);
  other.getMap('m').delete('x');
  // Only the delete set of another client's structs, which the server has never seen.
  const ds = Y.encodeStateAsUpdate(other, Y.encodeStateVector(other));
  assert.equal(Y.parseUpdateMeta(ds).to.size, 0);
  assert.equal(Y.decodeUpdate(ds).ds.clients.has(other.clientID), true);
  assert.equal(wouldChange(server, ds), true, 'unknown client');

  // A delete past the end of a known client's clock.
  const mine = new Y.Doc();
  mine.clientID = server.clientID;
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(server));
  mine.getMap('m').set('z', 26); // clock 3, unknown to the server
  mine.getMap('m').delete('z');
  const beyond = Y.encodeStateAsUpdate(mine, Y.encodeStateVector(mine));
  assert.equal(Y.parseUpdateMeta(beyond).to.size, 0);
  assert.equal(wouldChange(server, beyond), true, 'delete beyond the known clock');
});

test('assertDecodable accepts real updates and refuses garbage and truncation with BadUpdateError', () => {
  const server = serverDoc();
  const update = Y.encodeStateAsUpdate(server);
  assertDecodable(update);
  assertDecodable(new Uint8Array([0, 0]));
  assert.throws(() => assertDecodable(update.slice(0, update.length - 3)), BadUpdateError);
  assert.throws(() => assertDecodable(Uint8Array.from([7, 200, 13, 99, 255, 1, 2, 3])), {
    name: 'BadUpdateError',
    message: /not a Yjs update/,
  });
  assert.throws(() => assertDecodable(new Uint8Array([])), BadUpdateError);
});
