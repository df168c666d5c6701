import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex } from './sha256.ts';
import { seededRandom } from '../random.ts';

test('sha256 matches the FIPS test vectors and node:crypto on random inputs', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex('déjà vu ♪ 𝄞'), createHash('sha256').update('déjà vu ♪ 𝄞').digest('hex'));
  const random = seededRandom(7);
  for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 1000, 4097]) {
    const bytes = new Uint8Array(length).map(() => Math.floor(random() * 256));
    assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `length ${length}`);
  }
});
