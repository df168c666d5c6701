import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random.ts';
import { CODED_BITS, crc16, decodePayload, encodePayload } from './code.ts';

const soft = (coded: Uint8Array, noise = 0, seed = 1) => {
  const r = seededRandom(seed);
  // Box–Muller noise on ±1 symbols.
  return Float64Array.from(coded, (b) => (b ? 1 : -1) + noise * Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()));
};

test('CRC-16/CCITT-FALSE over the payload\'s 8 bytes: "12345678" gives 0xA12B (Python\'s binascii.crc_hqx)', () => {
  assert.equal(crc16(0x3132333435363738n), 0xa12b);
});

test('the code decodes a clean codeword and corrects noisy ones', () => {
  const payload = 0xdead_beef_0bad_f00dn;
  const coded = encodePayload(payload);
  assert.equal(coded.length, CODED_BITS);
  assert.deepEqual(decodePayload(soft(coded)), { payload, crcOk: true });
  // σ = 0.6 on ±1 symbols: ~5% raw errors, all corrected.
  for (let seed = 1; seed <= 5; seed++) assert.deepEqual(decodePayload(soft(coded, 0.6, seed)), { payload, crcOk: true });
});

test('noise alone does not pass the CRC', () => {
  let passed = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const r = seededRandom(seed);
    if (decodePayload(Float64Array.from({ length: CODED_BITS }, () => r() - 0.5)).crcOk) passed++;
  }
  assert.ok(passed <= 1, `${passed} of 200`);
});
