import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { seededRandom } from '../../core/random.ts';
import { dropYjsPending, missingDependencies, PendingGuard, type PendingLimits } from './pending-guard.ts';

const LIMITS: PendingLimits = { maxBytes: 64 * 1024, maxUpdates: 64, maxMs: 60_000, maxRechecks: 8 };

/** Each update `doc` makes while `edit` runs, one per transaction. */
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

const missing = (doc: Y.Doc, update: Uint8Array) => missingDependencies(doc, Y.decodeUpdate(update));

/** Whether Yjs itself leaves part of `update` waiting in a copy of `doc`. */
function yjsLeavesPending(doc: Y.Doc, update: Uint8Array): boolean {
  const copy = copyOf(doc);
  Y.applyUpdate(copy, update);
  return copy.store.pendingStructs !== null || copy.store.pendingDs !== null;
}

/** A song-like document: nested maps and arrays, text, and some deletes. */
function serverDoc(): Y.Doc {
  const doc = new Y.Doc();
  const tracks = doc.getMap<Y.Map<unknown>>('tracks');
  const track = new Y.Map<unknown>();
  tracks.set('t1', track);
  const notes = new Y.Array<number>();
  track.set('notes', notes);
  notes.push([1, 2, 3, 4, 5]);
  track.set('name', 'keys');
  track.set('name', 'piano');
  notes.delete(1, 2);
  doc.getText('title').insert(0, 'Song');
  return doc;
}

test('an update built only on what the document has is never held', () => {
  const server = serverDoc();
  const peer = copyOf(server);
  const track = peer.getMap<Y.Map<unknown>>('tracks').get('t1')!;
  const notes = track.get('notes') as Y.Array<number>;
  const updates = updatesOf(peer, () => {
    notes.insert(1, [9]); // between the server's items
    notes.delete(0, 1); // a delete of a server item
    track.set('name', 'organ'); // overwrites the server's value
    peer.getText('title').insert(2, 'ng'); // inside the server's text
    const nested = new Y.Map<unknown>();
    peer.getMap('tracks').set('t2', nested);
    nested.set('inner', new Y.Array()); // nested types, the parent made in the same update
    peer.transact(() => {
      // One transaction that builds on itself: an item whose origin is in the same update.
      (nested.get('inner') as Y.Array<number>).push([1]);
      (nested.get('inner') as Y.Array<number>).push([2]);
    });
  });
  for (const update of updates) {
    assert.equal(missing(server, update).size, 0);
    Y.applyUpdate(server, update);
    assert.equal(server.store.pendingStructs, null);
  }
  // A returning peer's whole state, and a state vector handshake's reply with all its deletes.
  assert.equal(missing(server, Y.encodeStateAsUpdate(peer)).size, 0);
  assert.equal(missing(server, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(server))).size, 0);
  assert.equal(missing(new Y.Doc(), Y.encodeStateAsUpdate(server)).size, 0, 'a whole state into an empty doc');
  assert.equal(missing(server, new Uint8Array([0, 0])).size, 0, 'the empty update');
});

test('several peers building on each other in one update: the update brings its own dependencies', () => {
  const server = new Y.Doc();
  const a = new Y.Doc();
  const b = new Y.Doc();
  // a and b take turns, each inserting after the other's last item, so each one's structs need
  // the other's: the update interleaves two clients' dependencies.
  for (let i = 0; i < 20; i++) {
    const [from, to] = i % 2 ? [a, b] : [b, a];
    from.getArray<number>('x').insert(from.getArray('x').length, [i]);
    Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
  }
  const merged = Y.encodeStateAsUpdate(a);
  assert.equal(missing(server, merged).size, 0);
  assert.equal(yjsLeavesPending(server, merged), false);
  // Without a's part, b's items lack their origins.
  const bOnly = Y.diffUpdate(merged, Y.encodeStateVector(new Map([[a.clientID, Y.getState(a.store, a.clientID)]])));
  assert.ok(missing(server, bOnly).has(a.clientID), "b's items need a's");
  assert.equal(yjsLeavesPending(server, bOnly), true);
});

test('the second of two edits, sent alone, needs the first: its parent, its origin, or its clocks before', () => {
  const server = serverDoc();
  const attacker = copyOf(server);
  const tracks = attacker.getMap<unknown>('tracks');
  let list!: Y.Array<number>;
  const [first, second] = [
    ...updatesOf(attacker, () => {
      list = new Y.Array<number>();
      tracks.set('t9', list);
    }),
    ...updatesOf(attacker, () => list.push([1, 2, 3])),
  ];
  // Same client: the second edit starts past the server's clock for it (a gap).
  const gap = missing(server, second!);
  assert.deepEqual([...gap], [[attacker.clientID, Y.decodeUpdate(second!).structs[0]!.id.clock - 1]]);
  assert.equal(yjsLeavesPending(server, second!), true);

  // Another client builds on the unsent edit: its items' parent and origin are missing.
  const other = copyOf(attacker);
  const [third] = updatesOf(other, () => other.getMap<Y.Array<number>>('tracks').get('t9')!.insert(1, [7]));
  assert.deepEqual(
    [...missing(server, third!)].map(([client]) => client),
    [attacker.clientID],
  );
  assert.equal(yjsLeavesPending(server, third!), true);

  // Once the first edit is there, both apply whole.
  Y.applyUpdate(server, first!);
  assert.equal(missing(server, second!).size, 0);
  Y.applyUpdate(server, second!);
  assert.equal(missing(server, third!).size, 0);
});

test('deletes of items the document never had are missing dependencies too', () => {
  const server = serverDoc();
  const other = new Y.Doc();
  const [insert, remove] = [
    ...updatesOf(other, () => other.getArray('x').insert(0, [1, 2, 3])),
    ...updatesOf(other, () => other.getArray('x').delete(0, 2)),
  ];
  assert.equal(Y.parseUpdateMeta(remove!).to.size, 0, 'only a delete set');
  assert.deepEqual([...missing(server, remove!)], [[other.clientID, 1]], 'the deleted range ends at clock 1');
  assert.equal(yjsLeavesPending(server, remove!), true);
  // Past the end of a known client's clock: also missing.
  Y.applyUpdate(server, insert!);
  const [more, removeMore] = [
    ...updatesOf(other, () => other.getArray('x').push([4])),
    ...updatesOf(other, () => other.getArray('x').delete(0, 2)),
  ];
  assert.ok(missing(server, removeMore!).has(other.clientID));
  Y.applyUpdate(server, more!);
  assert.equal(missing(server, removeMore!).size, 0);
  // With its inserts in the same update, a delete needs nothing.
  const together = new Y.Doc();
  const [both] = updatesOf(together, () =>
    together.transact(() => {
      together.getArray('y').insert(0, [1, 2]);
      together.getArray('y').delete(0, 1);
    }),
  );
  assert.ok(Y.decodeUpdate(both!).ds.clients.size > 0);
  assert.equal(missing(new Y.Doc(), both!).size, 0);
});

/**
 * Random edits by four peers on maps, arrays and text (nested, with deletes), each update delivered
 * to the server in a random order: the guard says "nothing missing" exactly when Yjs would leave
 * nothing pending, and whatever it says is missing names a real gap.
 */
test('missingDependencies agrees with Yjs on randomly reordered updates from several peers', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const random = seededRandom(seed);
    const int = (n: number) => Math.floor(random() * n);
    const peers = Array.from({ length: 4 }, () => new Y.Doc());
    const updates: Uint8Array[] = [];
    for (const peer of peers) peer.on('update', (u: Uint8Array) => updates.push(u));
    for (let step = 0; step < 40; step++) {
      const peer = peers[int(peers.length)]!;
      const list = peer.getArray<unknown>('list');
      const text = peer.getText('text');
      const map = peer.getMap<unknown>('map');
      const choice = int(6);
      if (choice === 0) list.insert(int(list.length + 1), [step, `s${step}`]);
      else if (choice === 1 && list.length) list.delete(int(list.length), 1);
      else if (choice === 2) text.insert(int(text.length + 1), `t${step}`);
      else if (choice === 3 && text.length > 1) text.delete(int(text.length - 1), 2);
      else if (choice === 4) {
        const inner = new Y.Array<number>();
        map.set(`k${int(5)}`, inner);
        inner.push([step]);
      } else {
        const keys = [...map.keys()];
        const value = keys.length ? map.get(keys[int(keys.length)]!) : null;
        if (value instanceof Y.Array) value.insert(int(value.length + 1), [step]);
        else map.delete(`k${int(5)}`);
      }
      // Sometimes a peer hears from another: later updates then build on others' edits.
      if (random() < 0.5) {
        const [from, to] = [peers[int(peers.length)]!, peers[int(peers.length)]!];
        Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
      }
    }
    // Deliver every update in a random order, trying the held ones again after each step.
    const server = new Y.Doc();
    let queue = [...updates].sort(() => random() - 0.5);
    let rounds = 0;
    while (queue.length && rounds++ < 1000) {
      const held: Uint8Array[] = [];
      for (const update of queue) {
        const needs = missing(server, update);
        assert.equal(needs.size === 0, !yjsLeavesPending(server, update), `seed ${seed}: guard and Yjs agree`);
        for (const [client, clock] of needs) assert.ok(Y.getState(server.store, client) <= clock, 'a real gap');
        if (needs.size) held.push(update);
        else Y.applyUpdate(server, update);
        assert.equal(server.store.pendingStructs, null);
      }
      queue = held;
    }
    assert.equal(queue.length, 0, `seed ${seed}: everything applied in the end`);
    for (const peer of peers) Y.applyUpdate(peer, Y.encodeStateAsUpdate(server));
    assert.deepEqual(server.getArray('list').toJSON(), peers[0]!.getArray('list').toJSON());
    assert.equal(server.getText('text').toString(), peers[0]!.getText('text').toString());
  }
});

test('dropYjsPending clears what Yjs left waiting and leaves the document working', () => {
  const doc = serverDoc();
  const before = JSON.stringify(doc.toJSON());
  const other = new Y.Doc();
  updatesOf(other, () => other.getArray('x').insert(0, [1]));
  const [orphan] = updatesOf(other, () => other.getArray('x').insert(1, [2]));
  Y.applyUpdate(doc, orphan!);
  assert.notEqual(doc.store.pendingStructs, null);
  assert.equal(dropYjsPending(doc), true);
  assert.equal(doc.store.pendingStructs, null);
  assert.equal(dropYjsPending(doc), false);
  assert.equal(JSON.stringify(doc.toJSON()), before);
  // Nothing of it is sent on, and edits go on as before.
  assert.equal(missing(new Y.Doc(), Y.encodeStateAsUpdate(doc)).size, 0);
  doc.getText('title').insert(0, 'A ');
  assert.equal(doc.getText('title').toString(), 'A Song');
});

/** A guard over `doc` whose closings are recorded. */
function guardOf(doc: Y.Doc, limits: Partial<PendingLimits> = {}) {
  const closed: { peers: string[]; reason: string }[] = [];
  let onClose: () => void = () => {};
  const guard = new PendingGuard<string>(doc, { ...LIMITS, ...limits }, (peers, reason) => {
    closed.push({ peers, reason });
    onClose();
  });
  const nextClose = () => new Promise<void>((resolve) => (onClose = resolve));
  return { guard, closed, nextClose };
}

/** Two updates of `author`: the base (first) and one built on it (second). */
function dependentPair(base: Y.Doc): { author: Y.Doc; first: Uint8Array; second: Uint8Array } {
  const author = copyOf(base);
  const [first] = updatesOf(author, () => author.getArray<number>('x').push([1]));
  const [second] = updatesOf(author, () => author.getArray<number>('x').push([2]));
  return { author, first: first!, second: second! };
}

test('an update whose dependency arrives next is held, then applied whole', () => {
  const server = serverDoc();
  const { guard } = guardOf(server);
  const { author, first, second } = dependentPair(server);
  const admitted = guard.admit('late', second, Y.decodeUpdate(second));
  assert.ok(admitted.held);
  assert.deepEqual(admitted.closed, []);
  assert.equal(guard.waitingUpdates, 1);
  assert.equal(guard.nextReady(), null, 'still waiting');
  // The dependency, from another peer.
  assert.deepEqual(guard.admit('early', first, Y.decodeUpdate(first)), { held: false });
  Y.applyUpdate(server, first);
  const ready = guard.nextReady();
  assert.deepEqual(ready && { peer: ready.peer, update: ready.update }, { peer: 'late', update: second });
  Y.applyUpdate(server, ready!.update);
  assert.equal(guard.nextReady(), null);
  assert.equal(guard.waitingBytes, 0);
  assert.deepEqual(server.getArray('x').toJSON(), author.getArray('x').toJSON());
  assert.equal(server.store.pendingStructs, null);
  guard.clear();
});

test('a chain of held updates is released in order as each completes the next', () => {
  const server = new Y.Doc();
  const { guard } = guardOf(server);
  const author = new Y.Doc();
  const updates = [1, 2, 3, 4].flatMap((n) => updatesOf(author, () => author.getArray<number>('x').push([n])));
  for (const update of updates.slice(1).reverse()) assert.equal(guard.admit('p', update, Y.decodeUpdate(update)).held, true);
  Y.applyUpdate(server, updates[0]!);
  const order: number[] = [];
  for (let ready = guard.nextReady(); ready; ready = guard.nextReady()) {
    order.push(updates.indexOf(ready.update));
    Y.applyUpdate(server, ready.update);
  }
  assert.deepEqual(order, [1, 2, 3]);
  assert.deepEqual(server.getArray('x').toJSON(), [1, 2, 3, 4]);
  guard.clear();
});

test('past maxBytes or maxUpdates, the peer with the most waiting bytes is dropped', () => {
  const server = serverDoc();
  const { guard } = guardOf(server, { maxBytes: 1000, maxUpdates: 3 });
  const small = dependentPair(server).second;
  assert.equal(guard.admit('honest', small, Y.decodeUpdate(small)).held, true);
  // The attacker's waiting updates grow past the byte limit: it is the one dropped.
  const big = new Y.Doc();
  updatesOf(big, () => big.getArray('x').insert(0, [0]));
  const [large] = updatesOf(big, () => big.getArray('x').insert(1, ['x'.repeat(1200)]));
  const admitted = guard.admit('attacker', large!, Y.decodeUpdate(large!));
  assert.ok(admitted.held);
  assert.deepEqual(admitted.closed, ['attacker']);
  assert.match(admitted.reason, /depend on changes never sent/);
  assert.equal(guard.waitingUpdates, 1, "the honest peer's update still waits");
  // Too many updates: again the largest holder goes, here the one that sent the most bytes.
  const pairs = [dependentPair(server), dependentPair(server), dependentPair(server)];
  guard.admit('a', pairs[0]!.second, Y.decodeUpdate(pairs[0]!.second));
  guard.admit('b', pairs[1]!.second, Y.decodeUpdate(pairs[1]!.second));
  const fourth = Y.mergeUpdates([pairs[2]!.second, dependentPair(server).second]);
  const over = guard.admit('c', fourth, Y.decodeUpdate(fourth));
  assert.ok(over.held);
  assert.deepEqual(over.closed, ['c']);
  assert.equal(guard.waitingUpdates, 3);
  guard.dropPeer('a');
  guard.dropPeer('b');
  guard.dropPeer('honest');
  assert.equal(guard.waitingUpdates, 0);
  assert.equal(guard.waitingBytes, 0);
});

test('an update that waits past maxMs closes its peer with a reason and is dropped', async () => {
  const server = serverDoc();
  const { guard, closed, nextClose } = guardOf(server, { maxMs: 30 });
  const { second } = dependentPair(server);
  const closing = nextClose();
  const started = performance.now();
  guard.admit('slow', second, Y.decodeUpdate(second));
  await closing;
  assert.ok(performance.now() - started >= 25, 'not before maxMs');
  assert.deepEqual(closed, [{ peers: ['slow'], reason: 'edits depend on changes never sent (waited 0.03 s)' }]);
  assert.equal(guard.waitingUpdates, 0);
});

test('dependencies that trickle in one by one cost at most maxRechecks looks, then the peer is closed', () => {
  const server = new Y.Doc();
  const { guard, closed } = guardOf(server, { maxRechecks: 2 });
  // The driver's edits arrive one at a time; the waiting update needs the driver's last one.
  const driver = new Y.Doc();
  const edits = [1, 2, 3, 4, 5].flatMap((n) => updatesOf(driver, () => driver.getArray<number>('x').push([n])));
  const waiter = copyOf(driver);
  const [waiting] = updatesOf(waiter, () => waiter.getArray<number>('x').push([99]));
  assert.equal(guard.admit('waiter', waiting!, Y.decodeUpdate(waiting!)).held, true);
  // Each edit moves the driver's clock: whether that is what the update needs is checked by a
  // map lookup, and only the last one (the update's origin) makes the guard decode it again.
  for (const edit of edits.slice(0, 4)) {
    Y.applyUpdate(server, edit);
    assert.equal(guard.nextReady(), null);
  }
  assert.deepEqual(closed, [], 'no look was wasted: only the origin itself counts');
  Y.applyUpdate(server, edits[4]!);
  assert.equal(guard.nextReady()?.peer, 'waiter');
  guard.clear();

  // A crafted update whose blocked clients' needs are met one by one is looked at each time.
  const craftedServer = new Y.Doc();
  const { guard: strict, closed: strictClosed } = guardOf(craftedServer, { maxRechecks: 2 });
  const drivers = [1, 2, 3, 4].map(() => new Y.Doc());
  const base = drivers.map((d) => updatesOf(d, () => d.getArray<number>('x').push([d.clientID]))[0]!);
  const builder = new Y.Doc();
  for (const u of base) Y.applyUpdate(builder, u);
  const [built] = updatesOf(builder, () =>
    builder.transact(() => {
      const x = builder.getArray<number>('x');
      // One item after each driver's: four origins on four clients.
      for (let i = x.length; i > 0; i--) x.insert(i, [0]);
    }),
  );
  assert.equal(strict.admit('crafted', built!, Y.decodeUpdate(built!)).held, true);
  // Sent in the order the update's items need them: each one unblocks the next item only.
  const needed = Y.decodeUpdate(built!).structs.map((item) => (item as Y.Item).origin!.client);
  for (const client of needed.slice(0, 3)) {
    Y.applyUpdate(craftedServer, base[drivers.findIndex((d) => d.clientID === client)]!);
    assert.equal(strict.nextReady(), null);
  }
  assert.deepEqual(strictClosed, [{ peers: ['crafted'], reason: 'edits depend on changes that keep not arriving' }]);
  assert.equal(strict.waitingUpdates, 0);
});
