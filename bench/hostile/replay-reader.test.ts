import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as encoding from 'lib0/encoding';
import { ReplayReader } from './replay-reader.ts';

/** An answer as the server writes it: varuint seq, varuint length, bytes; repeated. */
function answer(entries: { seq: number; bytes: number }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.seq);
    encoding.writeVarUint8Array(encoder, new Uint8Array(e.bytes).fill(0xff));
  }
  return encoding.toUint8Array(encoder);
}

const entries = [
  { seq: 1, bytes: 3 },
  { seq: 127, bytes: 0 },
  { seq: 128, bytes: 200 },
  { seq: 100_000, bytes: 1700 },
  { seq: 2 ** 40, bytes: 1 },
];

test('counts entries and finds the last seq, whatever the chunks', () => {
  const bytes = answer(entries);
  for (const size of [1, 2, 3, 7, 64, 1000, bytes.byteLength]) {
    const reader = new ReplayReader();
    for (let i = 0; i < bytes.byteLength; i += size) reader.push(bytes.subarray(i, i + size));
    assert.equal(reader.entries, entries.length, `chunks of ${size}`);
    assert.equal(reader.lastSeq, 2 ** 40);
    assert.equal(reader.bytes, bytes.byteLength);
    assert.ok(reader.complete);
  }
});

test('an answer cut inside an entry is not complete', () => {
  const bytes = answer(entries);
  const reader = new ReplayReader();
  reader.push(bytes.subarray(0, bytes.byteLength - 1));
  assert.equal(reader.entries, entries.length - 1);
  assert.equal(reader.complete, false);
});

test('an empty answer has no entries and is complete', () => {
  const reader = new ReplayReader();
  assert.equal(reader.entries, 0);
  assert.ok(reader.complete);
});
