import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { announceBookmarkAdded, watchBookmarkAnnouncements } from './bookmark-signal.ts';

/** Two bandmates' awareness, wired as a server would relay them. */
function pair(): [Awareness, Awareness, () => void] {
  const a = new Awareness(new Y.Doc());
  const b = new Awareness(new Y.Doc());
  const relay =
    (from: Awareness, to: Awareness) =>
    ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin === 'relay') return;
      applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [...added!, ...updated!, ...removed!]), 'relay');
    };
  const ab = relay(a, b);
  const ba = relay(b, a);
  a.on('update', ab);
  b.on('update', ba);
  return [
    a,
    b,
    () => {
      a.destroy();
      b.destroy();
    },
  ];
}

test('a bookmark announced by one bandmate reaches the other once; own announcements and presence changes do not', () => {
  const [alice, bob, close] = pair();
  let bobHeard = 0;
  let aliceHeard = 0;
  const offBob = watchBookmarkAnnouncements(bob, () => bobHeard++);
  const offAlice = watchBookmarkAnnouncements(alice, () => aliceHeard++);
  alice.setLocalStateField('user', { name: 'alice', color: '#ff6b9a' });
  assert.equal(bobHeard, 0, 'a presence change is not a bookmark');
  announceBookmarkAdded(alice);
  assert.equal(bobHeard, 1);
  alice.setLocalStateField('activity', 'typing');
  assert.equal(bobHeard, 1, 'the same count again is no news');
  announceBookmarkAdded(alice);
  assert.equal(bobHeard, 2);
  assert.equal(aliceHeard, 0, 'alice does not hear herself');
  offBob();
  announceBookmarkAdded(alice);
  assert.equal(bobHeard, 2);
  offAlice();
  close();
});

test('garbage in a peer state is ignored', () => {
  const [alice, bob, close] = pair();
  let heard = 0;
  watchBookmarkAnnouncements(bob, () => heard++);
  alice.setLocalStateField('history', { bookmarks: 'lots' });
  alice.setLocalStateField('history', null);
  assert.equal(heard, 0);
  close();
});
