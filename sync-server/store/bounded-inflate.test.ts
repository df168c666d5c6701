import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { formatBytes, inflateBounded, stateCeiling } from './bounded-inflate.ts';
import { RoomLogError } from './log-error.ts';

test('inflates within the ceiling; stops at it with a RoomLogError instead of filling memory', () => {
  const state = new Uint8Array(100_000).fill(9);
  assert.deepEqual(inflateBounded(deflateRawSync(state), 100_000, '/x.riffroom', 'room state'), state);
  assert.throws(
    () => inflateBounded(deflateRawSync(state), 99_999, '/x.riffroom', 'room state'),
    (err: unknown) => {
      assert.ok(err instanceof RoomLogError);
      assert.equal(err.problem, 'too-large');
      assert.equal(
        err.message,
        '/x.riffroom: its room state inflates to more than 99,999 bytes, the most a Riffroom project stores (a decompression bomb, or a damaged file)',
      );
      return true;
    },
  );
  assert.throws(() => inflateBounded(Uint8Array.of(0xff, 0xff, 0xff), 1000, '/x.riffroom', 'snapshot'), {
    problem: 'damaged',
    message: /snapshot cannot be inflated/,
  });
});

test('sizes read exactly: a limit plus one byte does not read as the limit', () => {
  assert.equal(formatBytes(64 * 1024 * 1024), '64 MiB');
  assert.equal(formatBytes(8 * 1024 * 1024 + 1), '8,388,609 bytes');
  assert.equal(formatBytes(4096), '4 KiB');
});

test('a state may inflate to the floor, or to four times the updates it is made of when they add up to more', () => {
  const MiB = 1024 * 1024;
  assert.equal(stateCeiling(0, 64 * MiB), 64 * MiB, 'a bomb in a small log stops at the floor');
  assert.equal(stateCeiling(10 * MiB, 64 * MiB), 64 * MiB);
  assert.equal(stateCeiling(160 * MiB, 64 * MiB), 641 * MiB, 'a room that grew to 160 MiB of updates still opens');
});
