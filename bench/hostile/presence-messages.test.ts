import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '../../sync-server/contract.ts';
import { encodePresenceMessage, readPresenceMessage } from './presence-messages.ts';

test('what the attacker writes is what y-protocols reads', () => {
  const awareness = new awarenessProtocol.Awareness(new Y.Doc());
  try {
    const message = encodePresenceMessage([
      { clientId: 7, clock: 3, json: '{"user":{"name":"mallory"}}' },
      // Text encoded once, as the 4 MiB flood sends it.
      { clientId: 2 ** 32 - 1, clock: 1, json: Buffer.from(`{"pad":"${'é'.repeat(100_000)}"}`) },
    ]);
    const decoder = decoding.createDecoder(message);
    assert.equal(decoding.readVarUint(decoder), MESSAGE_AWARENESS);
    awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), 'test');
    assert.deepEqual(awareness.getStates().get(7), { user: { name: 'mallory' } });
    assert.equal((awareness.getStates().get(2 ** 32 - 1) as { pad: string }).pad, 'é'.repeat(100_000));
    // 'null' removes a state, as a leaving client's does.
    const removal = decoding.createDecoder(encodePresenceMessage([{ clientId: 7, clock: 4, json: 'null' }]));
    decoding.readVarUint(removal);
    awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(removal), 'test');
    assert.equal(awareness.getStates().has(7), false);
  } finally {
    awareness.destroy();
  }
});

test('reads what y-protocols writes, skipping big states and other messages', () => {
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  try {
    awareness.setLocalState({ user: { name: 'honest1' } });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
    const [seen] = readPresenceMessage(encoding.toUint8Array(encoder));
    assert.deepEqual(seen, {
      clientId: doc.clientID,
      clock: awareness.meta.get(doc.clientID)!.clock,
      state: { user: { name: 'honest1' } },
    });

    const big = readPresenceMessage(encodePresenceMessage([{ clientId: 1, clock: 1, json: `"${'x'.repeat(2000)}"` }]));
    assert.deepEqual(big, [{ clientId: 1, clock: 1 }]);
    const many = Array.from({ length: 65 }, (_, i) => ({ clientId: i + 1, clock: 1, json: '{}' }));
    assert.deepEqual(readPresenceMessage(encodePresenceMessage(many)), []);
    assert.deepEqual(readPresenceMessage(new Uint8Array([MESSAGE_SYNC, 0, 1, 0])), []);
    assert.deepEqual(readPresenceMessage(new Uint8Array([MESSAGE_AWARENESS, 50, 1])), []);
  } finally {
    awareness.destroy();
  }
});
