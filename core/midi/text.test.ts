import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetaText, decodeUtf8, encodeUtf8 } from './text.ts';

test('UTF-8 encoding matches the platform encoder, including astral characters and lone surrogates', () => {
  for (const text of ['', 'Verse 1', 'Café', 'Ünïcødé – ♪', '🎸🥁', 'x\ud800y']) {
    assert.deepEqual(encodeUtf8(text), new TextEncoder().encode(text), text);
    assert.equal(decodeUtf8(encodeUtf8(text)), new TextDecoder().decode(new TextEncoder().encode(text)));
  }
});

test('malformed UTF-8 is rejected and then read as Latin-1', () => {
  const notUtf8 = [
    [0xe9], //                   Latin-1 é alone
    [0xc0, 0xaf], //             overlong "/"
    [0xed, 0xa0, 0x80], //       an encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0xe2, 0x82], //             cut off
  ];
  for (const bytes of notUtf8) assert.equal(decodeUtf8(Uint8Array.from(bytes)), null, String(bytes));
  assert.equal(decodeMetaText(Uint8Array.from([0x42, 0x65, 0x79, 0x6f, 0x6e, 0x63, 0xe9])), 'Beyoncé');
});
