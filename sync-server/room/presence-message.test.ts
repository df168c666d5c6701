import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CLOSE } from '../contract.ts';
import { encodePresenceEntries, isNullState, parseState, PresenceRefused, readPresenceEntries } from './presence-message.ts';

const limits = { maxEntriesPerMessage: 8, maxStateBytes: 100 };
const utf8 = (text: string) => new TextEncoder().encode(text);

function refusedWith(pattern: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof PresenceRefused && err.code === CLOSE.malformed && pattern.test(err.message);
}

test('reads what a stock client writes, and writes what a stock client reads', () => {
  const doc = new Y.Doc();
  const stock = new awarenessProtocol.Awareness(doc);
  try {
    stock.setLocalState({ user: { name: 'ana' } });
    const entries = readPresenceEntries(awarenessProtocol.encodeAwarenessUpdate(stock, [doc.clientID]), limits);
    assert.deepEqual(
      entries.map((e) => [e.clientId, e.clock, new TextDecoder().decode(e.json)]),
      [[doc.clientID, 1, '{"user":{"name":"ana"}}']],
    );
    const other = new awarenessProtocol.Awareness(new Y.Doc());
    try {
      awarenessProtocol.applyAwarenessUpdate(
        other,
        encodePresenceEntries([
          { clientId: 7, clock: 3, json: utf8('{"user":{"name":"bo"}}') },
          { clientId: 8, clock: 1, json: utf8('{}') },
        ]),
        'test',
      );
      awarenessProtocol.applyAwarenessUpdate(other, encodePresenceEntries([{ clientId: 8, clock: 1, json: null }]), 'test');
      assert.deepEqual(other.getStates().get(7), { user: { name: 'bo' } });
      assert.equal(other.getStates().has(8), false, 'a null json is a removal');
    } finally {
      other.destroy();
    }
  } finally {
    stock.destroy();
  }
});

test('too many entries are refused from the count, before any entry is read', () => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 50_000); // and no entries at all: not reported as truncated
  assert.throws(
    () => readPresenceEntries(encoding.toUint8Array(encoder), limits),
    refusedWith(/^50000 presence entries in one message \(at most 8\)$/),
  );
});

test('a state over the limit is refused from its declared length, before it is decoded', () => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 5);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 4 * 1024 * 1024); // "4 MiB follow", and only 3 bytes do
  encoding.writeUint8Array(encoder, utf8('{}}'));
  assert.throws(
    () => readPresenceEntries(encoding.toUint8Array(encoder), limits),
    refusedWith(/^a presence state of 4194304 bytes \(at most 100\)$/),
  );
});

test('a declared length past the end is truncated, even when the buffer goes on behind the message', () => {
  const update = encodePresenceEntries([{ clientId: 1, clock: 1, json: utf8('{"a":1}') }]);
  const buffer = new Uint8Array(update.length + 50).fill(0x20);
  buffer.set(update);
  // The message without its last two bytes, as a view into a larger buffer (as ws hands them over).
  const cut = buffer.subarray(0, update.length - 2);
  assert.throws(() => readPresenceEntries(cut, limits), refusedWith(/truncated/));
  assert.throws(() => readPresenceEntries(Uint8Array.of(2, 1), limits), refusedWith(/truncated/));
  assert.throws(() => readPresenceEntries(new Uint8Array(0), limits), refusedWith(/truncated/));
});

test('entries are views into the message until copied', () => {
  const update = encodePresenceEntries([{ clientId: 1, clock: 2, json: utf8('{"a":1}') }]);
  const [entry] = readPresenceEntries(update, limits);
  assert.equal(entry!.json.buffer, update.buffer);
});

test('null states are recognised without parsing; other states must be JSON objects', () => {
  assert.equal(isNullState(utf8('null')), true);
  assert.equal(isNullState(utf8(' null\n')), true);
  assert.equal(isNullState(utf8('{}')), false);
  assert.equal(isNullState(utf8('"null"')), false);
  assert.deepEqual(parseState(utf8('{"user":{"name":"é"}}')), { user: { name: 'é' } });
  assert.throws(() => parseState(utf8('{"user":')), refusedWith(/not JSON/));
  assert.throws(() => parseState(utf8('[1,2]')), refusedWith(/JSON object/));
  assert.throws(() => parseState(utf8('42')), refusedWith(/JSON object/));
  assert.throws(() => parseState(Uint8Array.of(0x7b, 0xff, 0x7d)), refusedWith(/not JSON/), 'invalid UTF-8');
});
