import { test } from 'node:test';
import assert from 'node:assert/strict';
import { muxOggOpus, oggCrc32, opusHead, opusPacketSamples, opusTags, readOggPages } from './ogg-opus.ts';

test("Ogg's CRC-32 matches the catalogued CRC-32/CKSUM check value (without its final xor)", () => {
  // CRC-32/CKSUM of "123456789" is 0x765e7680 with xorout 0xffffffff; Ogg has no xorout.
  assert.equal(oggCrc32(new TextEncoder().encode('123456789')), (0x765e7680 ^ 0xffffffff) >>> 0);
  assert.equal(oggCrc32(new Uint8Array(0)), 0);
});

test('packet durations come from the TOC byte', () => {
  assert.equal(opusPacketSamples(Uint8Array.of((31 << 3) | 0)), 960, 'CELT 20 ms, one frame');
  assert.equal(opusPacketSamples(Uint8Array.of((16 << 3) | 1)), 240, 'CELT 2.5 ms, two frames');
  assert.equal(opusPacketSamples(Uint8Array.of((1 << 3) | 0)), 960, 'SILK NB 20 ms');
  assert.equal(opusPacketSamples(Uint8Array.of((3 << 3) | 0)), 2880, 'SILK NB 60 ms');
  assert.equal(opusPacketSamples(Uint8Array.of((13 << 3) | 2)), 1920, 'Hybrid 20 ms, two frames');
  assert.equal(opusPacketSamples(Uint8Array.of((31 << 3) | 3, 3)), 2880, 'code 3: three 20 ms frames');
  assert.throws(() => opusPacketSamples(new Uint8Array(0)), /empty/);
});

test('headers: OpusHead fields, OpusTags comments in UTF-8', () => {
  const head = opusHead(2, 312, 44100);
  assert.equal(new TextDecoder().decode(head.subarray(0, 8)), 'OpusHead');
  assert.deepEqual([...head.subarray(8)], [1, 2, 0x38, 0x01, 0x44, 0xac, 0, 0, 0, 0, 0]);
  const tags = opusTags({ title: 'Café', provenance: 'by Ana', masteringChain: { target: -14 } }, 'v');
  const view = new DataView(tags.buffer);
  assert.equal(new TextDecoder().decode(tags.subarray(0, 8)), 'OpusTags');
  assert.equal(view.getUint32(8, true), 1);
  assert.equal(view.getUint32(13, true), 4, 'four comments');
  const text = new TextDecoder().decode(tags.subarray(17));
  assert.ok(
    text.includes('TITLE=Café') &&
      text.includes('COMMENT=by Ana\nMastering: {"target":-14}') &&
      text.includes('RIFFROOM_MASTERING={"target":-14}'),
    text,
  );
});

test('pages: BOS head, tags, audio pages with running granules, EOS at pre-skip + length; bad input refused', () => {
  // 150 fake 20 ms CELT packets of varied size (3 s); the muxer reads only their TOC bytes.
  const packets = Array.from({ length: 150 }, (_, i) =>
    Uint8Array.from({ length: 100 + (i % 7) * 60 }, (_, k) => (k === 0 ? 31 << 3 : (i + k) & 0xff)),
  );
  const length = 150 * 960 - 312 - 500; // the last packet is partly padding
  const bytes = muxOggOpus({ packets, channels: 2, preSkip: 312, inputSampleRate: 48000, length, metadata: { title: 't' } });
  const pages = readOggPages(bytes);
  for (const p of pages) assert.equal(p.storedCrc, p.computedCrc, `page ${p.sequence} CRC`);
  assert.deepEqual(
    pages.map((p) => p.sequence),
    pages.map((_, i) => i),
  );
  assert.equal(pages[0]!.flags, 0x02);
  assert.equal(new TextDecoder().decode(pages[0]!.packets[0]!.subarray(0, 8)), 'OpusHead');
  assert.equal(new TextDecoder().decode(pages[1]!.packets[0]!.subarray(0, 8)), 'OpusTags');
  assert.equal(pages.at(-1)!.flags, 0x04);
  assert.equal(pages.at(-1)!.granule, BigInt(312 + length));
  const audio = pages.slice(2).flatMap((p) => p.packets);
  assert.equal(audio.length, 150);
  audio.forEach((p, i) => assert.deepEqual(p, packets[i]));
  // Granules grow and count the packets completed so far (about 1 s a page).
  let seen = 0;
  for (const p of pages.slice(2, -1)) {
    seen += p.packets.length * 960;
    assert.equal(p.granule, BigInt(seen));
  }
  assert.ok(pages.length >= 5, `${pages.length} pages for 3 s`);
  // Same input, same bytes.
  assert.deepEqual(muxOggOpus({ packets, channels: 2, preSkip: 312, inputSampleRate: 48000, length, metadata: { title: 't' } }), bytes);
  assert.throws(() => muxOggOpus({ packets, channels: 2, preSkip: 312, inputSampleRate: 48000, length: 150 * 960 }), /fewer than pre-skip/);
  assert.throws(() => muxOggOpus({ packets, channels: 3, preSkip: 312, inputSampleRate: 48000, length }), /mono or stereo/);
});
