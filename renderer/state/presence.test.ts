import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { PEER_COLORS, colorForName, readPeers, setActivity, setLocalUser, setSelectedClip, watchPeers } from './presence.ts';

/** Copies `from`'s state into `to`, as the server relays awareness. */
function relay(from: Awareness, to: Awareness): void {
  applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [from.clientID]), 'remote');
}

test('bandmates see each other: name, colour, selected clip and activity', () => {
  const alice = new Awareness(new Y.Doc());
  const bob = new Awareness(new Y.Doc());
  setLocalUser(alice, { name: 'alice', color: colorForName('alice') });
  setLocalUser(bob, { name: 'bob', color: '#123456' });
  setSelectedClip(bob, 'clip-1');
  setActivity(bob, 'generating bass…');
  relay(bob, alice);
  const peers = readPeers(alice);
  assert.deepEqual(
    peers.map((p) => [p.name, p.isLocal]),
    [
      ['alice', true],
      ['bob', false],
    ],
  );
  assert.equal(peers[1]!.selectedClipId, 'clip-1');
  assert.equal(peers[1]!.activity, 'generating bass…');
  assert.equal(peers[1]!.color, '#123456');
  alice.destroy();
  bob.destroy();
});

test("a hostile peer's state is trimmed and validated", () => {
  const alice = new Awareness(new Y.Doc());
  const mallory = new Awareness(new Y.Doc());
  setLocalUser(alice, { name: 'alice', color: '#ffffff' });
  mallory.setLocalState({
    user: { name: `x\u0000${'y'.repeat(500)}`, color: 'red; background: url(evil)' },
    selection: { clipId: '<img src=x>' },
    activity: 42,
  });
  relay(mallory, alice);
  const m = readPeers(alice).find((p) => !p.isLocal)!;
  assert.equal(m.name.length, 40);
  assert.ok(!m.name.includes('\u0000'));
  assert.ok((PEER_COLORS as readonly string[]).includes(m.color), 'an invalid colour falls back to a palette colour');
  assert.equal(m.selectedClipId, null);
  assert.equal(m.activity, null);
  // A state without a user (a tool, or a half-joined client) is not a bandmate.
  const tool = new Awareness(new Y.Doc());
  tool.setLocalState({ edit: { label: 'x', client: 1, clock: 0 } });
  relay(tool, alice);
  assert.equal(readPeers(alice).length, 2);
  alice.destroy();
  mallory.destroy();
  tool.destroy();
});

test('watchPeers calls back only when what is shown changes', () => {
  const alice = new Awareness(new Y.Doc());
  setLocalUser(alice, { name: 'alice', color: '#ffffff' });
  const seen: string[][] = [];
  const stop = watchPeers(alice, (peers) => seen.push(peers.map((p) => `${p.name}:${p.selectedClipId}`)));
  setSelectedClip(alice, 'c1');
  setSelectedClip(alice, 'c1');
  alice.setLocalStateField('edit', { label: 'moved clip', client: 1, clock: 3 });
  setSelectedClip(alice, null);
  assert.deepEqual(seen, [['alice:c1'], ['alice:null']]);
  stop();
  alice.destroy();
});

test('colours are stable per name', () => {
  assert.equal(colorForName('alice'), colorForName('alice'));
  assert.ok((PEER_COLORS as readonly string[]).includes(colorForName('bob')));
});
