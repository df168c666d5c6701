import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as encoding from 'lib0/encoding';
import { decodeUpdatesStream, MalformedStreamError } from './updates-stream.ts';

/** The server's own framing (sync-server/http-api.ts writes it with lib0). */
function frame(entries: { seq: number; update: number[] }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.seq);
    encoding.writeVarUint8Array(encoder, new Uint8Array(e.update));
  }
  return encoding.toUint8Array(encoder);
}

test('decodes what the server frames, in order, including empty updates and large numbers', () => {
  const big = Array.from({ length: 300 }, (_, i) => i & 0xff);
  const entries = [
    { seq: 1, update: [0, 0] },
    { seq: 2, update: [] },
    { seq: 200, update: big },
    { seq: 2 ** 40, update: [7] },
  ];
  const decoded = decodeUpdatesStream(frame(entries));
  assert.deepEqual(
    decoded.map((d) => ({ seq: d.seq, update: [...d.update] })),
    entries,
  );
});

test('an empty body is no entries', () => {
  assert.deepEqual(decodeUpdatesStream(new Uint8Array()), []);
});

test('a body cut off anywhere is reported with its offset, never read past its end', () => {
  const bytes = frame([
    { seq: 1, update: [1, 2, 3] },
    { seq: 300, update: [4, 5, 6, 7] },
  ]);
  for (let cut = 1; cut < bytes.length; cut++) {
    if (cut === 5) continue; // the boundary between the two entries: a whole first entry
    assert.throws(() => decodeUpdatesStream(bytes.subarray(0, cut)), MalformedStreamError, `cut at ${cut}`);
  }
  assert.equal(decodeUpdatesStream(bytes.subarray(0, 5)).length, 1);
});

test('seqs that do not rise are refused', () => {
  assert.throws(
    () =>
      decodeUpdatesStream(
        frame([
          { seq: 3, update: [1] },
          { seq: 3, update: [1] },
        ]),
      ),
    /must rise/,
  );
});

test('a runaway varuint is refused', () => {
  assert.throws(() => decodeUpdatesStream(new Uint8Array(12).fill(0xff)), /too large|ends inside/);
});
